// Shared by the end-to-end tests: start the real app through tauri-driver, save screenshots.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { Builder, By, until } from 'selenium-webdriver';

export { By, until };

/** The app's database in the test's own data directory. */
export const database = () => join(process.env.RIPPLE_E2E_DATA, 'org.ripple.workshops', 'ripple.db');

/**
 * Whether a Ripple window is on the virtual display. A window that closes while the
 * tree is read makes xwininfo fail (BadWindow): the question is asked again.
 */
export function rippleRunning() {
  for (let attempt = 0; ; attempt++) {
    try {
      return execFileSync('xwininfo', ['-root', '-tree'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().includes('"Ripple — presenter"');
    } catch (e) {
      if (attempt === 4) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); // let the window finish closing
    }
  }
}

/**
 * Launches the app binary in a fresh WebDriver session. The app of the test before may
 * still be closing; only one Ripple runs at a time, so a launch waits for it to be gone.
 */
export async function launchApp() {
  for (let i = 0; i < 40 && rippleRunning(); i++) await new Promise((r) => setTimeout(r, 250));
  const started = performance.now();
  const driver = await new Builder()
    .usingServer('http://127.0.0.1:4444/')
    .withCapabilities({ browserName: 'wry', 'tauri:options': { application: process.env.RIPPLE_APP } })
    .build();
  return { driver, started };
}

/**
 * Saves a PNG of the current window of the session under target/e2e/ and returns its
 * path. WebKit draws it itself, so windows that overlap on the one virtual screen are
 * each pictured whole (e2e/run.sh turns compositing on for this; see there).
 */
export async function screenshot(driver, name) {
  const path = join(process.env.RIPPLE_SCREENSHOTS, `${name}.png`);
  writeFileSync(path, Buffer.from(await driver.takeScreenshot(), 'base64'));
  return path;
}

/**
 * Clicks the centre of an element with a real pointer. WebKitWebDriver cannot compute
 * the rectangle of SVG elements (ElementNotInteractable), so the page measures it.
 */
export async function clickCentre(driver, element) {
  const { x, y } = await driver.executeScript(
    'const r = arguments[0].getBoundingClientRect(); return { x: Math.round(r.x + r.width / 2), y: Math.round(r.y + r.height / 2) };',
    element,
  );
  await driver.actions().move({ x, y }).click().perform();
}

/**
 * Waits until the text of the element at `css` matches `pattern`, finding it afresh
 * each time (the page re-renders it), and returns that text.
 */
export async function waitForText(driver, css, pattern, timeout = 5000) {
  let last = '';
  try {
    return await driver.wait(async () => {
      const found = await driver.findElements(By.css(css));
      last = found.length ? await found[0].getText().catch(() => '') : '';
      return pattern.test(last) ? last : false;
    }, timeout);
  } catch (e) {
    throw new Error(`${css} never matched ${pattern} (last text: ${JSON.stringify(last)})`, { cause: e });
  }
}

/** One request of the participants' protocol (docs/participant-protocol.md) over POST /api. */
export async function ask(address, request) {
  const response = await fetch(`http://${address}/api`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  const reply = await response.json();
  assert.ok(response.ok, `${request.type}: ${JSON.stringify(reply)}`);
  return reply;
}

/** Takes the room online from the presenter's Participants tab; the code and address phones join with. */
export async function goOnline(driver) {
  await driver.findElement(By.css('#tab-participants')).click();
  await driver.wait(until.elementLocated(By.css('#go-online')), 5000).click();
  const code = await waitForText(driver, '#presenter-join-code', /^[A-Z2-9]{6}$/, 10000);
  const address = (await driver.findElement(By.css('#presenter-join-address')).getText()).trim();
  return { code, address };
}
