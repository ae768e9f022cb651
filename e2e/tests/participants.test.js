// A room answers from its phones: the trainer goes online, the projector shows the join
// card, three phones (simulated over the participants' real HTTP API) join and answer,
// the presenter counts them, and the revealed results and the thanks wall appear on
// the projector. Going offline stops the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Key } from 'selenium-webdriver';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ask, By, database, goOnline, launchApp, screenshot, until, waitForText } from './helpers.js';


async function phone(address, code, i, name, unit, customer, rating, thanks) {
  const welcome = await ask(address, { type: 'join', code, name, unit, manager: i === 0, client: `e2e-phone-${i}` });
  const token = welcome.token;
  const customers = [
    {
      customer: { unit: customer },
      needs: [{ text: i === 2 ? '<script>alert(1)</script> invoices' : 'accurate invoices on time', category: i === 1 ? 'time' : 'quality' }],
      two_way: ['yes', 'sometimes', 'no'][i],
      rating,
    },
  ];
  await ask(address, { type: 'submit', token, submission: `e2e-${i}-customers`, answer: { question: 'customers', customers } });
  await ask(address, { type: 'submit', token, submission: `e2e-${i}-thanks`, answer: { question: 'thanks', unit: customer, message: thanks } });
}

const press = (driver, ...keys) => driver.actions().sendKeys(...keys).perform();

/** Steps the agenda with → until the current activity's title matches. */
async function stepTo(driver, title) {
  await driver.findElement(By.css('#tab-agenda')).click();
  await driver.findElement(By.css('body')).click();
  for (let i = 0; i < 8; i++) {
    const now = await driver.findElements(By.css('#current-activity h2'));
    if (now.length && title.test(await now[0].getText())) return;
    await press(driver, Key.ARROW_RIGHT);
    await new Promise((r) => setTimeout(r, 300));
  }
  await waitForText(driver, '#current-activity h2', title);
}

test('a room joins from its phones, answers, and sees its results and thanks on the projector', async () => {
  // A workshop of its own (the app opens the most recently changed one): no attendees or
  // game rounds left by other tests.
  mkdirSync(dirname(database()), { recursive: true });
  execFileSync(process.env.RIPPLE_CLI, ['new', '--db', database(), '--from', 'demo', '--name', 'Participants e2e']);
  const { driver } = await launchApp();
  try {
    await driver.wait(until.elementLocated(By.css('#org-map .unit')), 15000);
    const presenter = await driver.getWindowHandle();

    // Go online: the presenter shows where to join.
    const { code, address } = await goOnline(driver);
    assert.match(address, /^[\d.]+:\d+$/);
    for (const round of ['self_assessment', 'thanks']) {
      await driver.findElement(By.css(`#rounds li[data-round="${round}"] .open-round`)).click();
      await driver.wait(until.elementLocated(By.css(`#rounds li[data-round="${round}"] .close-round`)), 5000);
    }

    // The projector shows the join card with the same code.
    await driver.findElement(By.css('#open-audience')).click();
    await driver.wait(async () => (await driver.getAllWindowHandles()).length === 2, 10000);
    const audience = (await driver.getAllWindowHandles()).find((h) => h !== presenter);
    await driver.switchTo().window(audience);
    await driver.wait(until.elementLocated(By.css('#join-card')), 10000);
    assert.equal(await driver.findElement(By.css('#join-code')).getText(), code);
    assert.match(await driver.findElement(By.css('#join-address')).getText(), new RegExp(address.replace(/\./g, '\\.')));
    assert.ok(await driver.findElement(By.css('#join-qr')).isDisplayed(), 'the QR code is shown');
    await screenshot(driver, 'participants-audience-join');

    // Three phones join and answer (the workshop may have attendees from an earlier test).
    await driver.switchTo().window(presenter);
    const before = Number((await driver.findElements(By.css('#attendee-count'))).length ? await driver.findElement(By.css('#attendee-count')).getText() : 0);
    await driver.switchTo().window(audience);
    await Promise.all([
      phone(address, code.toLowerCase(), 0, 'Ana', 'finance', 'customer-service', 4, 'Thanks for covering the phones'),
      phone(address, code, 1, '', 'it', 'field-engineers', 8, 'The new laptops are great'),
      phone(address, code, 2, '<b>Bo</b>', 'warehouse', 'field-engineers', 9, '<img src=x onerror=alert(1)> parts on time'),
    ]);
    await driver.switchTo().window(presenter);
    await waitForText(driver, '#attendee-count', new RegExp(`^${before + 3}$`), 5000);

    // The self-assessment's results, revealed on the projector.
    await stepTo(driver, /self-assessment|internal customers/i);
    await driver.findElement(By.css('#tab-participants')).click();
    await driver.findElement(By.css('#reveal-results')).click();
    await driver.switchTo().window(audience);
    await driver.wait(until.elementLocated(By.css('#rating-chart')), 10000);
    await waitForText(driver, '#rating-average', /7(\.0)?/, 5000);
    assert.match(await driver.findElement(By.css('#two-way')).getText(), /33%/);
    const cloud = await driver.findElement(By.css('#needs')).getText();
    assert.match(cloud, /invoices/);
    assert.match(cloud, /script/, 'markup typed by a participant shows as text');
    assert.equal((await driver.findElements(By.css('#needs script, #needs b'))).length, 0);
    await screenshot(driver, 'participants-audience-results');

    // The thanks wall, in the thanks activity.
    await driver.switchTo().window(presenter);
    await stepTo(driver, /thank/i);
    await driver.findElement(By.css('#tab-participants')).click();
    await driver.findElement(By.css('#reveal-results')).click();
    await driver.switchTo().window(audience);
    await waitForText(driver, '#thanks-wall', /laptops are great/, 10000);
    const wall = await driver.findElement(By.css('#thanks-wall')).getText();
    assert.match(wall, /<img src=x onerror=alert\(1\)> parts on time/);
    assert.equal((await driver.findElements(By.css('#thanks-wall img'))).length, 0, 'no markup from participants');
    await screenshot(driver, 'participants-audience-thanks');

    // Kiosk: the same questions in an app window, for participants taking turns.
    await driver.switchTo().window(presenter);
    await driver.findElement(By.css('#open-kiosk')).click();
    await driver.wait(async () => (await driver.getAllWindowHandles()).length === 3, 10000, 'the kiosk window opens');
    const kiosk = (await driver.getAllWindowHandles()).find((h) => h !== presenter && h !== audience);
    await driver.switchTo().window(kiosk);
    await driver.wait(until.elementLocated(By.css('#unit')), 10000);
    assert.match(await driver.getCurrentUrl(), /kiosk=1/);
    assert.ok((await driver.findElements(By.css('#unit option'))).length > 5, 'the units of the map to pick from');
    await screenshot(driver, 'participants-kiosk');
    await driver.close();

    // Going offline stops the server; the answers stay.
    await driver.switchTo().window(presenter);
    await driver.findElement(By.css('#go-offline')).click();
    await driver.wait(until.elementLocated(By.css('#go-online')), 5000);
    await assert.rejects(fetch(`http://${address}/`), 'nothing listens any more');
    await waitForText(driver, '#attendee-count', new RegExp(`^${before + 3}$`), 5000);
    await screenshot(driver, 'participants-presenter-offline');
  } finally {
    await driver.quit();
  }
});
