// Shared by the end-to-end tests: start the real app through tauri-driver, save screenshots.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Builder, By, until } from 'selenium-webdriver';

export { By, until };

/** Launches the app binary in a fresh WebDriver session. */
export async function launchApp() {
  const started = performance.now();
  const driver = await new Builder()
    .usingServer('http://127.0.0.1:4444/')
    .withCapabilities({ browserName: 'wry', 'tauri:options': { application: process.env.RIPPLE_APP } })
    .build();
  return { driver, started };
}

/**
 * Saves a PNG of the window under target/e2e/ and returns its path. The picture is taken
 * from the X display, as a person would see it: WebKitWebDriver's own screenshot hangs when
 * compositing is off, and the app runs with compositing off (see src-tauri/src/main.rs).
 */
export async function screenshot(driver, name) {
  const path = join(process.env.RIPPLE_SCREENSHOTS, `${name}.png`);
  const { x, y, width, height } = await driver.manage().window().getRect();
  execFileSync('sh', ['-c', `xwd -root -silent | xwdtopnm 2>/dev/null | pnmcut -left ${x} -top ${y} -width ${width} -height ${height} | pnmtopng > "${path}"`]);
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
