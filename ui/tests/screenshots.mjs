// Screenshots of the built presenter window in Debian's headless Chromium, with the
// Tauri backend replaced by the demo fixture. Not part of `npm test`:
//   npm run build && node tests/screenshots.mjs   → ../target/ui-screens/*.png
import { createServer } from 'node:http';
import { mkdir, readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ui = fileURLToPath(new URL('..', import.meta.url));
const dist = join(ui, 'dist');
const out = join(ui, '..', 'target', 'ui-screens');
const view = JSON.parse(await readFile(join(ui, 'tests', 'fixtures', 'demo-view.json'), 'utf8'));

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.woff': 'font/woff' };
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  try {
    const body = await readFile(join(dist, path === '/' ? 'index.html' : path));
    // The app's strict CSP (tauri.conf.json), so a violation shows up here too.
    res.writeHead(200, {
      'content-type': types[extname(path)] ?? 'text/html',
      'content-security-policy':
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:",
    });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

// What @tauri-apps/api's mockIPC installs, inlined because an init script cannot import.
function fakeTauri({ view, fail }) {
  window.__TAURI_INTERNALS__ = {
    transformCallback: () => 0,
    invoke: async (cmd) => {
      if (fail) throw { code: 'newer_database', message: fail };
      if (cmd === 'list_workshops') return [{ id: view.id, name: view.name, updated_at: '', units: 0, links: 0 }];
      if (cmd === 'open_workshop') return view;
      throw { code: 'internal', message: `unknown command ${cmd}` };
    },
  };
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
await mkdir(out, { recursive: true });

async function shot(name, size, { fail, act } = {}) {
  const page = await browser.newPage({ viewport: size });
  page.on('pageerror', (e) => console.error(`${name}: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.error(`${name}: ${m.text()}`));
  await page.addInitScript(fakeTauri, { view, fail });
  await page.goto(url);
  await page.waitForSelector(fail ? '#error' : '#org-map .unit');
  await page.evaluate(() => document.fonts.ready);
  if (act) await act(page);
  await page.screenshot({ path: join(out, `${name}.png`) });
  console.log(`${name}.png`);
  await page.close();
}

const small = { width: 1280, height: 720 };
const large = { width: 1920, height: 1080 };
const pick = (id) => (page) => page.click(`[data-unit-id="${id}"]`);
await shot('1280-map', small);
await shot('1280-it', small, { act: pick('it') });
await shot('1280-field-engineers', small, { act: pick('field-engineers') });
await shot('1280-keyboard', small, {
  act: async (page) => {
    // Tab to the first unit, select it, then move focus on without selecting.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
  },
});
await shot('1920-map', large);
await shot('1920-finance', large, { act: pick('finance') });
await shot('960-sales', { width: 960, height: 600 }, { act: pick('sales') });
await shot('1280-error', small, { fail: 'This database was written by a newer Ripple (schema 9); this build knows up to 1.' });

await browser.close();
server.close();
