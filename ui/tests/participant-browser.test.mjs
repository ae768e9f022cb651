// The participant page in headless Chromium against the real server (`ripple serve`).
//
//   npm run test:participant-browser           (from ui/; needs /usr/bin/chromium)
//   RIPPLE_BIN=/path/to/ripple npm run test:participant-browser
//   RIPPLE_PAGE=disk npm run test:participant-browser   (serve participant.js/.css from ui/participant/
//                                                       instead of the binary's embedded copy)
//
// The server runs with the rounds open, a Ripple Effect round predicting (`--game finance:1:late`)
// and the repair call's Engagement Cycle at its first stage, needs revealed (`--cycle repair-call`).
//
// A phone-sized window (360×640). Screenshots go to target/participant/ at the repo root.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ui = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.resolve(ui, process.env.RIPPLE_BIN || '../target/debug/ripple');
const shots = path.resolve(ui, '../target/participant');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const EVIL = '<script>alert(1)</script><b>x</b>';
const VIEWPORT = { width: 360, height: 640 };
const PAGE_FILES = ['participant.js', 'participant.css'];
const fromDisk = process.env.RIPPLE_PAGE === 'disk';

/** @type {import('node:child_process').ChildProcess} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;
let joinUrl = '';
let dir = '';
/** Everything a page said that it should not have: CSP violations, errors, dialogs. */
const trouble = [];

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ripple-participant-'));
  const db = path.join(dir, 'workshops.db');
  const id = execFileSync(bin, ['new', '--db', db, '--from', 'demo'], { encoding: 'utf8' }).trim().split(/\s+/).pop();
  assert.match(id, /^\d+$/, `ripple new printed a workshop id (got ${id})`);
  server = spawn(bin, ['serve', '--db', db, '--workshop', id, '--bind', '127.0.0.1:0', '--open-rounds', '--game', 'finance:1:late', '--cycle', 'repair-call'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  joinUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ripple serve printed no Join: line within 20 s')), 20000);
    server.once('exit', (code) => reject(new Error(`ripple serve exited with ${code}`)));
    createInterface({ input: server.stdout }).on('line', (line) => {
      const m = /^Join: (\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  assert.match(joinUrl, /^http:\/\/127\.0\.0\.1:\d+\/\?c=[A-Z0-9]{6}$/);
  if (!fromDisk)
    for (const f of PAGE_FILES) {
      const served = await (await fetch(new URL(`/${f}`, joinUrl))).text();
      assert.ok(served === readFileSync(path.join(ui, 'participant', f), 'utf8'),
        `${bin} embeds an older ui/participant/${f}: build it again (cargo build --bin ripple), or set RIPPLE_PAGE=disk`);
    }
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGINT');
    await new Promise((resolve) => {
      const force = setTimeout(() => server.kill('SIGKILL'), 5000);
      server.once('exit', () => resolve(clearTimeout(force)));
    });
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A phone: a fresh browser context (its own storage) and page, watched for trouble. */
async function phone(viewport = VIEWPORT, mobile = true) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: mobile ? 2 : 1, hasTouch: mobile, isMobile: mobile });
  if (fromDisk)
    for (const f of PAGE_FILES)
      await context.route(`**/${f}`, (route) => route.fulfill({
        contentType: f.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
        body: readFileSync(path.join(ui, 'participant', f), 'utf8'),
      }));
  const page = await context.newPage();
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on('console', (m) => {
    // Chromium's own line about a socket that cannot connect while the test has the phone offline.
    if (m.type() === 'error' && !m.text().includes('ERR_INTERNET_DISCONNECTED')) trouble.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => trouble.push(`page error: ${e.message}`));
  page.on('dialog', async (d) => {
    trouble.push(`dialog: ${d.message()}`);
    await d.dismiss();
  });
  return { context, page };
}

/** Waits until `selector`'s text is `text` (or matches it). */
async function textIs(page, selector, text, timeout = 10000) {
  try {
    await page.waitForFunction(
      ([s, t, re]) => {
        const v = document.querySelector(s)?.textContent ?? '';
        return re ? new RegExp(t).test(v) : v === t;
      },
      [selector, text instanceof RegExp ? text.source : text, text instanceof RegExp],
      { timeout },
    );
  } catch (e) {
    const now = await page.evaluate((s) => document.querySelector(s)?.textContent, selector);
    throw new Error(`${selector} never said ${text} (it says ${JSON.stringify(now)})`, { cause: e });
  }
}

/** axe-core on the page as it is: no violations of WCAG 2.x A/AA or best practice. */
async function accessible(page, what) {
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays on.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // @ts-ignore
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `axe on ${what}`);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, name), fullPage: true });
}

/** Joins from the QR link; returns the phone. */
async function join(name, unit, manager = false) {
  const p = await phone();
  await p.page.goto(joinUrl);
  await p.page.waitForSelector('#unit');
  if (name) await p.page.fill('#name', name);
  else await p.page.check('#anonymous');
  await p.page.selectOption('#unit', unit);
  if (manager) await p.page.check('#manager');
  await p.page.click('form button.primary');
  await p.page.waitForSelector('#cu-0');
  return p;
}

/** The id of a unit's checkbox in question 1. */
async function customerBox(page, name) {
  return page.evaluate((n) => [...document.querySelectorAll('.choices label')].find((l) => l.textContent === n)?.querySelector('input')?.id, name);
}

describe('the participant page against ripple serve', () => {
  /** @type {{ context: import('playwright-core').BrowserContext, page: import('playwright-core').Page }} */
  let ana;
  let link = '';

  it('joins from the QR link with a name and a unit', async () => {
    const { context, page } = await phone();
    const res = await page.goto(joinUrl);
    assert.match(res.headers()['content-security-policy'], /script-src 'self'/);
    await page.waitForSelector('#unit');
    assert.ok((await page.textContent('h1')).trim(), 'the workshop’s name is the heading');
    const options = await page.$$eval('#unit option', (os) => os.map((o) => o.textContent));
    assert.ok(options.includes('Finance') && options.includes('Customer Service'));
    assert.ok(!options.includes('Households'), 'external segments are nobody’s unit');
    await page.fill('#name', 'Ana');
    await page.selectOption('#unit', 'finance');
    await page.check('#manager');
    await accessible(page, 'the join screen');
    await shot(page, 'join.png');
    await page.click('form button.primary');
    await page.waitForSelector('#cu-0');
    assert.equal(await page.textContent('.who'), 'Ana · Finance · manager');
    const url = new URL(page.url());
    assert.match(url.hash, /^#t=[0-9a-f]{64}$/);
    assert.equal(url.search, new URL(joinUrl).search);
    const stored = JSON.parse(await page.evaluate(() => localStorage.getItem('ripple.identity')));
    assert.equal(`#t=${stored.token}`, url.hash);
    link = await page.inputValue('#link');
    assert.equal(link, page.url());
    await page.click('.linkbox summary');
    await page.click('.linkbox button');
    await textIs(page, '.linkbox .status', /^(Copied ✓|Select the link and copy it\.)$/);
    await textIs(page, '#conn', 'Connected');
    ana = { context, page };
  });

  it('answers the four questions for two customers, one typed, and sees them saved', async () => {
    const { page } = ana;
    await page.check(`#${await customerBox(page, 'Customer Service')}`);
    await page.fill('#c0-n0', 'Payslips on the 25th');
    await page.selectOption('#c0-n0-c', 'time');
    await page.click('#c0-add');
    await page.fill('#c0-n1', 'Answers in plain words');
    await page.selectOption('#c0-n1-c', 'quality');
    await page.check('#c0-w-sometimes');
    await page.check('#c0-r-6');
    await page.fill('#new-customer', 'Night shift');
    await page.click('#add-customer');
    await page.fill('#c1-n0', 'Rotas a week ahead');
    await page.selectOption('#c1-n0-c', 'delivery');
    await page.check('#c1-w-no');
    await page.check('#c1-r-4');
    await page.fill('#morale', 'People leave when payroll is late.');
    await page.fill('#team', 'Agree dates with each team.');
    await page.click('#save-customers');
    await textIs(page, '#status-customers', 'Saved ✓');
    await page.click('#save-manager');
    await textIs(page, '#status-manager', 'Saved ✓');
    assert.equal(await page.evaluate(() => localStorage.getItem('ripple.outbox')), '[]');
    await accessible(page, 'the questions screen');
    await shot(page, 'questions.png');
    await page.locator('#c0-h').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, 'customer.png') });
  });

  it('fits a 320 px wide phone', async () => {
    const { context, page } = await phone({ width: 320, height: 568 });
    await page.goto(link);
    await page.waitForSelector('#c1-h');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'no sideways scrolling');
    const small = await page.$$eval('#app button, #app .pill span, #app .check, #app input, #app select', (els) =>
      els.filter((e) => e.getBoundingClientRect().height < 44).map((e) => e.id || e.textContent));
    assert.deepEqual(small, [], 'tap targets at least 44 px high');
    await page.locator('#c0-w').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, 'narrow.png') });
    await context.close();
  });

  it('shows the saved answers again after a reload (resume)', async () => {
    const { page } = ana;
    await page.reload();
    await page.waitForSelector('#c1-h');
    await assertAnswers(page);
  });

  it('resumes the same participant from the personal link in another browser', async () => {
    const other = await phone();
    await other.page.goto(link);
    await other.page.waitForSelector('#c1-h');
    assert.equal(await other.page.textContent('.who'), 'Ana · Finance · manager');
    await assertAnswers(other.page);
    await other.context.close();
  });

  it('keeps an answer made offline and sends it once back online, acknowledged once', async () => {
    const { context, page } = ana;
    /** @type {string[]} */
    const acks = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        const m = JSON.parse(String(f.payload));
        if (m.type === 'ack') acks.push(m.receipt.submission);
      }),
    );
    await context.setOffline(true);
    await textIs(page, '#conn', /Offline|Reconnecting/);
    await page.check('#c0-r-9');
    await page.click('#save-customers');
    await textIs(page, '#status-customers', 'Not sent yet — will retry');
    const queued = JSON.parse(await page.evaluate(() => localStorage.getItem('ripple.outbox')));
    assert.equal(queued.length, 1);
    await page.locator('#c0-r').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, 'offline.png') });
    await context.setOffline(false);
    await textIs(page, '#status-customers', 'Saved ✓', 20000);
    await textIs(page, '#conn', 'Connected');
    assert.deepEqual(acks, [queued[0].submission]);
    assert.equal(await page.evaluate(() => localStorage.getItem('ripple.outbox')), '[]');
    // The server holds the new rating.
    await page.reload();
    await page.waitForSelector('#c1-h');
    assert.equal(await page.isChecked('#c0-r-9'), true);
    await page.waitForTimeout(300);
    assert.deepEqual(acks, [queued[0].submission], 'no second acknowledgement after the reload');
  });

  it('shows a name and a need full of markup as literal text', async () => {
    const { context, page } = await join(EVIL, 'it');
    assert.equal(await page.textContent('.who'), `${EVIL} · IT`);
    await page.check(`#${await customerBox(page, 'Warehouse')}`);
    await page.fill('#c0-n0', EVIL);
    await page.selectOption('#c0-n0-c', 'quality');
    await page.fill('#new-customer', EVIL);
    await page.click('#add-customer');
    for (const i of [0, 1]) {
      await page.check(`#c${i}-w-yes`);
      await page.check(`#c${i}-r-5`);
    }
    await page.click('#save-customers');
    await textIs(page, '#status-customers', 'Saved ✓');
    await page.reload();
    await page.waitForSelector('#c1-h');
    assert.equal(await page.textContent('.who'), `${EVIL} · IT`);
    assert.equal(await page.inputValue('#c0-n0'), EVIL);
    assert.equal(await page.textContent('#c1-h'), EVIL.slice(0, 60));
    assert.equal(await page.locator('#app b').count(), 0);
    assert.equal(await page.locator('#app script').count(), 0);
    await shot(page, 'markup.png');
    await context.close();
  });

  it('sends thanks to several units with a live character count', async () => {
    const { page } = ana;
    await page.waitForSelector('#th-unit');
    await page.selectOption('#th-unit', 'it');
    await page.fill('#th-message', 'Thank you for the quick laptop swap!');
    assert.equal(await page.textContent('#th-message-n'), '36 / 280');
    await page.click('#send-thanks');
    await page.selectOption('#th-unit', 'warehouse');
    await page.fill('#th-message', 'Parts always on time.');
    await page.click('#send-thanks');
    await textIs(page, '.sent li:last-child .status', 'Saved ✓');
    assert.equal(await page.locator('#h-thanks ~ .sent li').count(), 2);
    await page.locator('#h-thanks').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, 'thanks.png') });
  });

  it('asks for the code when the link has none, and says when it is wrong', async () => {
    const { context, page } = await phone();
    await page.goto(new URL('/', joinUrl).href);
    await page.waitForSelector('#code');
    await page.fill('#code', 'WRONG2');
    await page.click('form button.primary');
    await textIs(page, '#form-error', /No workshop has this code/);
    await accessible(page, 'the code screen');
    await shot(page, 'code.png');
    await page.fill('#code', new URL(joinUrl).searchParams.get('c').toLowerCase());
    await page.click('form button.primary');
    await page.waitForSelector('#unit');
    await context.close();
  });

  it('falls back to POST /api where WebSockets are dropped, and still saves', async () => {
    const { context, page } = await phone();
    await context.routeWebSocket(/\/ws$/, (ws) => ws.close());
    await page.goto(joinUrl);
    await page.waitForSelector('#unit');
    await textIs(page, '#conn', 'Connected (slow mode)');
    await page.selectOption('#unit', 'hr');
    await page.check('#anonymous');
    await page.click('form button.primary');
    await page.waitForSelector('#cu-0');
    assert.equal(await page.textContent('.who'), 'Anonymous · HR');
    await page.check(`#${await customerBox(page, 'Finance')}`);
    await page.check('#c0-w-yes');
    await page.check('#c0-r-8');
    await page.click('#save-customers');
    await textIs(page, '#status-customers', 'Saved ✓');
    await context.close();
  });

  it('in kiosk mode keeps no token and hands over to the next person', async () => {
    const { context, page } = await phone({ width: 1024, height: 768 }, false);
    await page.goto(`${joinUrl}&kiosk=1`);
    await page.waitForSelector('#unit');
    await page.fill('#name', 'Kim');
    await page.selectOption('#unit', 'dispatch');
    await page.click('form button.primary');
    await page.waitForSelector('#cu-0');
    assert.equal(new URL(page.url()).hash, '');
    assert.equal(await page.evaluate(() => localStorage.getItem('ripple.identity')), null);
    assert.equal(await page.evaluate(() => localStorage.getItem('ripple.outbox')), null);
    assert.equal(await page.locator('#link').count(), 0);
    await page.check(`#${await customerBox(page, 'Field Engineers')}`);
    await page.fill('#c0-n0', 'Job sheets by 7 am');
    await page.selectOption('#c0-n0-c', 'time');
    await page.check('#c0-w-yes');
    await page.check('#c0-r-7');
    await page.click('#save-customers');
    await textIs(page, '#status-customers', 'Saved ✓');
    await shot(page, 'kiosk.png');
    await page.click('#done');
    await page.waitForSelector('#unit');
    assert.equal(await page.inputValue('#name'), '');
    assert.match(await page.textContent('#app'), /The next person can join now/);
    await context.close();
  });

  it('predicts where the ripple goes, sees it saved, and finds it again after a reload', async () => {
    const { context, page } = await join('Bo', 'it');
    await page.waitForSelector('#pr-units');
    assert.equal(await page.textContent('#h-game'), 'Where will it ripple?');
    assert.match(await page.textContent('.incidents'), /Finance is late/);
    const offered = await page.$$eval('#pr-units input', (is) => is.map((i) => i.value));
    assert.ok(offered.includes('customer-service') && offered.includes('it'), 'internal units, the participant’s own too');
    assert.ok(!offered.includes('finance'), 'not the incident’s own unit');
    assert.ok(!offered.includes('households'), 'no external segment');
    assert.equal(offered.indexOf('accounts'), 0, 'frontline first, by name');
    const headings = await page.$$eval('#app h2', (hs) => hs.map((h) => h.id));
    assert.equal(headings[0], 'h-game', 'at the top of the questions');
    await page.check('#pr-u-customer-service');
    await page.check('#pr-u-hr');
    await page.check('#pr-cust-yes');
    await textIs(page, '#status-predict', 'Changed — not saved yet');
    await accessible(page, 'the predict screen');
    await page.click('#send-prediction');
    await textIs(page, '#status-predict', 'Saved ✓');
    assert.equal(await page.evaluate(() => localStorage.getItem('ripple.outbox')), '[]');
    // The section as laid out on the whole page (an element screenshot scrolls, and the sticky bars cover it).
    // A window as tall as the page, so that neither sticky bar covers the section.
    await page.setViewportSize({ width: VIEWPORT.width, height: await page.evaluate(() => document.documentElement.scrollHeight) });
    const box = await page.$eval('section.game', (el) => {
      const r = el.getBoundingClientRect();
      return { y: r.top + scrollY, height: r.height };
    });
    await page.screenshot({ path: path.join(shots, 'predict.png'), clip: { x: 0, y: box.y - 8, width: VIEWPORT.width, height: box.height + 16 } });
    await page.setViewportSize(VIEWPORT);
    await page.reload();
    await page.waitForSelector('#pr-units');
    await textIs(page, '#status-predict', 'Saved ✓');
    assert.equal(await page.isChecked('#pr-u-customer-service'), true);
    assert.equal(await page.isChecked('#pr-u-hr'), true);
    assert.equal(await page.isChecked('#pr-u-it'), false);
    assert.equal(await page.isChecked('#pr-cust-yes'), true);
    await context.close();
  });

  it('adds a need at the cycle’s stage on screen; another phone sees it and votes for it', async () => {
    const ana = await join('Ana', 'customer-service');
    const bo = await join('Bo', 'field-engineers');
    await textIs(ana.page, '#h-stage', 'Reporting the fault');
    assert.match(await ana.page.textContent('#moment'), /Customer Service — “Answered within a minute/);
    assert.match(await ana.page.textContent('#stage-needs'), /IT → you: A working phone system/);
    await ana.page.fill('#need-what', `Callback slots ${EVIL}`);
    await ana.page.selectOption('#need-provider', 'dispatch');
    await ana.page.check('#need-cat-time');
    await ana.page.fill('#need-standard', 'before 9:00');
    await accessible(ana.page, 'the cycle screen');
    await ana.page.click('#send-need');
    await textIs(ana.page, '#room-needs li .said', `Dispatch → you: Callback slots ${EVIL} (time: before 9:00)`);
    await ana.page.waitForSelector('#vote-1[aria-pressed="true"]');
    // Bo's phone hears of it (gathered pushes, at most every half second) and votes.
    await textIs(bo.page, '#room-needs li .said', `Dispatch → Customer Service: Callback slots ${EVIL} (time: before 9:00)`);
    assert.equal(await bo.page.textContent('#vote-1'), '▲ 1');
    await bo.page.click('#vote-1');
    await textIs(bo.page, '#vote-1', '▲ 2');
    await textIs(ana.page, '#vote-1', '▲ 2');
    assert.equal(await bo.page.$('#room-needs b'), null, 'markup is text');
    await bo.page.reload();
    await textIs(bo.page, '#vote-1', '▲ 2');
    assert.equal(await bo.page.getAttribute('#vote-1', 'aria-pressed'), 'true', 'the vote is the server’s');
    await shot(ana.page, 'cycle.png');
    await ana.context.close();
    await bo.context.close();
  });

  it('broke no rule of the page: no CSP violation, no error, no dialog', () => {
    assert.deepEqual(trouble, []);
  });
});

/** Ana's answers as she saved them. @param {import('playwright-core').Page} page */
async function assertAnswers(page) {
  assert.equal(await page.textContent('#c0-h'), 'Customer Service');
  assert.equal(await page.inputValue('#c0-n0'), 'Payslips on the 25th');
  assert.equal(await page.inputValue('#c0-n0-c'), 'time');
  assert.equal(await page.inputValue('#c0-n1'), 'Answers in plain words');
  assert.equal(await page.isChecked('#c0-w-sometimes'), true);
  assert.equal(await page.isChecked('#c0-r-6'), true);
  assert.equal(await page.textContent('#c1-h'), 'Night shift');
  assert.equal(await page.inputValue('#c1-n0-c'), 'delivery');
  assert.equal(await page.isChecked('#c1-r-4'), true);
  assert.equal(await page.inputValue('#morale'), 'People leave when payroll is late.');
  await textIs(page, '#status-customers', 'Saved ✓');
}
