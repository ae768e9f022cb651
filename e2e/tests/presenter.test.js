// The presenter window of the real app: the demo map is shown, a unit can be selected,
// and the data survives a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { database, launchApp, screenshot, clickCentre, By, until } from './helpers.js';

const unit = (id) => By.css(`#org-map .unit[data-unit-id="${id}"]`);

test('the presenter window shows the demo map and selecting a unit shows who depends on it', async () => {
  const { driver, started } = await launchApp();
  try {
    await driver.wait(until.elementLocated(unit('finance')), 15000);
    console.log(`# launch to map shown: ${Math.round(performance.now() - started)} ms (includes the WebDriver session)`);
    assert.equal(await driver.getTitle(), 'Ripple — presenter');

    const units = await driver.findElements(By.css('#org-map .unit'));
    assert.equal(units.length, 18, 'the demo organisation has 18 units');
    const links = await driver.findElements(By.css('#org-map .link'));
    assert.ok(links.length >= 30, `the demo map draws its service links (${links.length})`);
    const gap = await driver.executeScript('return window.innerHeight - document.querySelector("main").getBoundingClientRect().bottom');
    assert.ok(Math.abs(gap) <= 1, `the map and side panel fill the window's height (${gap}px left below)`);
    await screenshot(driver, 'presenter-map');

    await clickCentre(driver, await driver.findElement(unit('finance')));
    const details = await driver.findElement(By.css('#unit-details'));
    await driver.wait(until.elementTextContains(details, 'Salaries paid on time'), 5000);
    assert.equal(await details.findElement(By.css('h2')).getText(), 'Finance');
    const text = await details.getText();
    assert.match(text, /Customer Service/, 'Finance serves Customer Service');
    assert.match(text, /Management/, 'Finance receives its budgets from Management');
    await screenshot(driver, 'presenter-unit-selected');
  } finally {
    await driver.quit();
  }
  assert.ok(existsSync(database()), 'the database is in the app data dir');
});

test('after closing and restarting, the app opens what the database holds', async () => {
  // While the app is closed, the command line adds a workshop to the app's own database;
  // the restarted app must show it (the most recently updated), not a fresh demo.
  const db = database();
  execFileSync(process.env.RIPPLE_CLI, ['new', '--db', db, '--from', 'demo', '--name', 'Cohort B']);
  const { driver } = await launchApp();
  try {
    await driver.wait(until.elementLocated(unit('field-engineers')), 15000);
    const header = await driver.findElement(By.css('header h1')).getText();
    assert.equal(header, 'Cohort B');
    const units = await driver.findElements(By.css('#org-map .unit'));
    assert.equal(units.length, 18);
  } finally {
    await driver.quit();
  }
});
