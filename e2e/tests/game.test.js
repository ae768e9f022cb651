// A round of the Ripple Effect game with three simulated participants predicting over
// the real participants' server: the trainer drops an incident, phones predict, the
// ripple spreads on the projector, predictions are scored, the room debriefs. A
// screenshot of each phase goes to target/e2e/ripple-<phase>.png; the animation's frame
// times are printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ask, By, database, goOnline, launchApp, screenshot, until, waitForText } from './helpers.js';


const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

test('a ripple round: three phones predict, the ripple spreads, the room is scored and debriefs', async () => {
  const { driver } = await launchApp();
  try {
    await driver.wait(until.elementLocated(By.css('#org-map .unit')), 15000);
    const presenter = await driver.getWindowHandle();

    const { code, address } = await goOnline(driver);
    const phones = [];
    for (const [i, unit] of ['customer-service', 'legal', 'field-engineers'].entries()) {
      const welcome = await ask(address, { type: 'join', code, name: `Phone ${i + 1}`, unit, client: `e2e-game-${i}` });
      phones.push({ token: welcome.token, unit });
    }

    // Drop an incident on Finance: late, full severity.
    await driver.findElement(By.css('#tab-game')).click();
    await driver.wait(until.elementLocated(By.css('#game-unit')), 5000);
    await driver.executeScript(
      "const s = document.querySelector('#game-unit'); s.value = 'finance'; s.dispatchEvent(new Event('change', { bubbles: true }));",
    );
    await driver.findElement(By.css('#start-round')).click();

    await driver.findElement(By.css('#open-audience')).click();
    await driver.wait(async () => (await driver.getAllWindowHandles()).length === 2, 10000);
    const audience = (await driver.getAllWindowHandles()).find((h) => h !== presenter);
    await driver.switchTo().window(audience);
    await driver.wait(until.elementLocated(By.css('#game-predict')), 10000);
    assert.match(await driver.findElement(By.css('#game-predict')).getText(), /Finance/);

    // The phones predict over the server.
    const predictions = [
      { units: ['customer-service', 'field-engineers', 'purchasing'], customers: true },
      { units: ['legal'], customers: false },
      { units: ['field-engineers'], customers: true },
    ];
    for (const [i, phone] of phones.entries()) {
      const ack = await ask(address, { type: 'predict', token: phone.token, submission: `e2e-predict-${i}`, round: 1, prediction: predictions[i] });
      assert.equal(ack.type, 'ack');
    }
    await driver.switchTo().window(presenter);
    await waitForText(driver, '#prediction-count', /3/, 5000);
    await driver.switchTo().window(audience);
    await screenshot(driver, 'ripple-predict');

    // The ripple, wave by wave; frame times measured while it plays.
    await driver.switchTo().window(presenter);
    await driver.findElement(By.css('#phase-ripple')).click();
    await driver.switchTo().window(audience);
    await driver.wait(until.elementLocated(By.css('#game-ripple')), 10000);
    await new Promise((r) => setTimeout(r, 4000));
    await screenshot(driver, 'ripple-ripple');
    const frames = await driver.executeScript('return window.__rippleFrameTimes || []');
    assert.ok(frames.length > 30, `the animation ran (${frames.length} frames)`);
    console.log(`# ripple animation: ${frames.length} frames, median ${percentile(frames, 0.5).toFixed(1)} ms, p95 ${percentile(frames, 0.95).toFixed(1)} ms`);
    const reached = await ask(address, { type: 'resume', token: phones[0].token });
    assert.match(reached.me.game.reached_me.sentence, /^Finance is late with/, 'the phone on Customer Service is told how it was reached');

    // Scores, then the debrief.
    await driver.switchTo().window(presenter);
    await driver.findElement(By.css('#phase-score')).click();
    await driver.switchTo().window(audience);
    await driver.wait(async () => (await driver.findElements(By.css('#leaderboard li'))).length === 3, 10000, 'three scored predictions');
    await screenshot(driver, 'ripple-score');
    await driver.switchTo().window(presenter);
    await driver.findElement(By.css('#phase-debrief')).click();
    await driver.switchTo().window(audience);
    await driver.wait(until.elementLocated(By.css('#debrief-chains li')), 10000);
    assert.match(await driver.findElement(By.css('#debrief-chains')).getText(), /Finance is late with/);
    await screenshot(driver, 'ripple-debrief');
  } finally {
    await driver.quit();
  }
});

test('on a 100-unit map the ripple is drawn and its frame times are measured', async () => {
  // A workshop of its own from a generated 100-unit map (the app opens the newest).
  const dir = mkdtempSync(join(tmpdir(), 'ripple-100-'));
  const map = join(dir, 'org-100.json');
  execFileSync(process.env.RIPPLE_CLI, ['generate', '--units', '100', '--seed', '3', '--out', map]);
  mkdirSync(dirname(database()), { recursive: true });
  execFileSync(process.env.RIPPLE_CLI, ['new', '--db', database(), '--from', map, '--name', '100 units']);
  const { driver } = await launchApp();
  try {
    await driver.wait(async () => (await driver.findElements(By.css('#org-map .unit'))).length === 100, 15000, 'all 100 units drawn');
    const presenter = await driver.getWindowHandle();
    await driver.findElement(By.css('#tab-game')).click();
    await driver.wait(until.elementLocated(By.css('#game-unit')), 5000);
    // The first suggestion: the map's most critical unit.
    await driver.executeScript(
      "const s = document.querySelector('#game-unit'); s.value = [...s.options].find((o) => o.value).value; s.dispatchEvent(new Event('change', { bubbles: true }));",
    );
    await driver.findElement(By.css('#start-round')).click();
    await driver.findElement(By.css('#open-audience')).click();
    await driver.wait(async () => (await driver.getAllWindowHandles()).length === 2, 10000);
    const audience = (await driver.getAllWindowHandles()).find((h) => h !== presenter);
    // As in a room: the projector shows the prediction phase (and draws the round) before the ripple starts.
    await driver.switchTo().window(audience);
    await driver.wait(until.elementLocated(By.css('#game-predict')), 10000);
    await new Promise((r) => setTimeout(r, 1000));
    await driver.switchTo().window(presenter);
    await driver.wait(until.elementLocated(By.css('#phase-ripple')), 5000).click();
    await driver.switchTo().window(audience);
    await driver.wait(until.elementLocated(By.css('#game-ripple')), 10000);
    await new Promise((r) => setTimeout(r, 5000));
    await screenshot(driver, 'ripple-ripple-100-units');
    const hit = await driver.findElements(By.css('#ripple-map .wave.shown .unit.hit'));
    assert.ok(hit.length >= 2, `the ripple reached units (${hit.length})`);
    const frames = await driver.executeScript('return window.__rippleFrameTimes || []');
    console.log(`# ripple animation, 100 units: ${frames.length} frames, median ${percentile(frames, 0.5).toFixed(1)} ms, p95 ${percentile(frames, 0.95).toFixed(1)} ms, all: ${frames.map((f) => f.toFixed(0)).join(' ')}`);
    assert.ok(frames.length >= 1, `the animation ran (${frames.length} frames)`);
  } finally {
    await driver.quit();
  }
});
