// A workshop on a projector: create it, open the audience window, step through the
// agenda with the keyboard like presentation software, blank the projector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { database, launchApp, screenshot, waitForText, By, until } from './helpers.js';
import { Key } from 'selenium-webdriver';

const text = async (driver, css) => (await driver.findElement(By.css(css))).getText();

/** Presses keys in the focused window, as a trainer's clicker would. */
const press = (driver, ...keys) => driver.actions().sendKeys(...keys).perform();

test('a trainer creates a workshop, opens the audience window and steps through the agenda with the keyboard', async () => {
  const { driver } = await launchApp();
  try {
    await driver.wait(until.elementLocated(By.css('#org-map .unit')), 15000);
    const presenter = await driver.getWindowHandle();

    // Create a workshop from the demo in the workshops panel: it is saved, listed first and open.
    const saved = () => JSON.parse(execFileSync(process.env.RIPPLE_CLI, ['workshops', '--db', database(), '--json']));
    const before = saved();
    const rows = () => driver.findElements(By.css('#workshops [data-workshop-id]'));
    await driver.findElement(By.css('#workshops-button')).click();
    await driver.wait(until.elementLocated(By.css('#new-workshop')), 5000).click();
    await driver.wait(async () => (await driver.findElements(By.css('#workshops'))).length === 0, 5000, 'the panel closes');
    const after = saved();
    assert.equal(after.length, before.length + 1, 'the new workshop is in the database');
    const created = after.find((w) => !before.some((b) => b.id === w.id));
    await driver.findElement(By.css('#workshops-button')).click();
    await driver.wait(async () => (await rows()).length === after.length, 5000, 'every workshop is listed');
    const first = (await rows())[0];
    assert.equal(await first.getAttribute('data-workshop-id'), String(created.id));
    assert.match(await first.getText(), /Open now/);
    await screenshot(driver, 'workshop-list');
    await press(driver, Key.ESCAPE);
    await driver.wait(async () => (await driver.findElements(By.css('#workshops'))).length === 0, 5000);

    // Open the audience window: it appears as a second window of the session.
    await driver.findElement(By.css('#open-audience')).click();
    await driver.wait(async () => (await driver.getAllWindowHandles()).length === 2, 10000);
    const audience = (await driver.getAllWindowHandles()).find((h) => h !== presenter);

    // Step: → starts the first activity, → again the second, ← back to the first.
    await driver.switchTo().window(presenter);
    await driver.findElement(By.css('body')).click();
    await press(driver, Key.ARROW_RIGHT);
    await waitForText(driver, '#current-activity h2', /Welcome/);
    await press(driver, Key.ARROW_RIGHT);
    const second = await waitForText(driver, '#current-activity h2', /^(?!Welcome).+/);
    assert.match(await text(driver, '#activity-timer'), /\d+:\d\d/);
    assert.ok((await text(driver, '#activity-notes')).length > 20, 'the trainer sees the notes');
    await screenshot(driver, 'workshop-presenter-agenda');

    // The audience window follows, and shows no notes and no controls.
    await driver.switchTo().window(audience);
    await driver.wait(until.elementLocated(By.css('#audience-activity')), 10000);
    await waitForText(driver, '#audience-activity', { test: (t) => t === second, toString: () => JSON.stringify(second) });
    assert.equal((await driver.findElements(By.css('#activity-notes, button'))).length, 0, 'no notes or controls on the projector');
    assert.equal(await driver.getTitle(), 'Ripple — audience');
    await screenshot(driver, 'workshop-audience');

    // B blanks the projector, and B again brings it back.
    await driver.switchTo().window(presenter);
    await press(driver, 'b');
    await driver.switchTo().window(audience);
    await driver.wait(until.elementLocated(By.css('#blank-screen')), 5000);
    await screenshot(driver, 'workshop-audience-blank');
    await driver.switchTo().window(presenter);
    await press(driver, 'b');
    await driver.switchTo().window(audience);
    await driver.wait(async () => (await driver.findElements(By.css('#blank-screen'))).length === 0, 5000);

    // ← goes back to the first activity on both windows.
    await driver.switchTo().window(presenter);
    await press(driver, Key.ARROW_LEFT);
    await waitForText(driver, '#current-activity h2', /Welcome/);
    await driver.switchTo().window(audience);
    await waitForText(driver, '#audience-activity', /Welcome/);

    // ? shows the keys.
    await driver.switchTo().window(presenter);
    await press(driver, '?');
    await driver.wait(until.elementLocated(By.css('#help')), 5000);
  } finally {
    await driver.quit();
  }
});
