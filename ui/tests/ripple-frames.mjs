// Frame times of the projector's ripple on a generated 100-unit map, in Debian's headless
// Chromium with the Tauri backend replaced by a fixture (as tests/screenshots.mjs does).
// Not part of `npm test`:
//   npm run build && node tests/ripple-frames.mjs [LABEL]
// (RIPPLE_UI_DIST=path measures another build, e.g. an older commit's, in the same conditions.)
// The round comes from the library (src/game.rs, an ignored test that writes it), so the
// layout is the one the app draws. Each run is saved as ../target/ripple-frames/LABEL.json
// and every saved run is printed side by side (run once per version of the code).
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const label = process.argv[2] ?? 'latest';
const ui = fileURLToPath(new URL('..', import.meta.url));
const root = join(ui, '..');
const dist = process.env.RIPPLE_UI_DIST ?? join(ui, 'dist');
const out = join(root, 'target', 'ripple-frames');
await mkdir(out, { recursive: true });

// The round: generated 100-unit map (seed 3, as the e2e test), the incident that travels furthest.
// RIPPLE_ROUND=path draws another round file of the same shape (e.g. one laid out by older code).
const fixture = process.env.RIPPLE_ROUND ?? join(out, 'round-100.json');
if (!process.env.RIPPLE_ROUND && (!existsSync(fixture) || process.env.RIPPLE_REGENERATE)) {
  execFileSync('cargo', ['test', '--lib', '--', '--ignored', '--exact', 'game::tests::writes_a_100_unit_round_for_the_frame_script'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, RIPPLE_ROUND_OUT: fixture },
  });
}
const { map, layout, round } = JSON.parse(await readFile(fixture, 'utf8'));
const room = JSON.parse(await readFile(join(ui, 'tests', 'fixtures', 'room.json'), 'utf8'));

const activity = { id: 1, kind: 'ripple_round', title: 'Ripple', planned_minutes: 15, notes: '', started_at: 0, finished_at: null };
const live = {
  id: 1,
  name: '100 units',
  map,
  layout,
  agenda: { activities: [activity], current: 1 },
  seq: 1,
  projector: { blank: false, revealed: false, hide_attendees: false },
};
// The round opens at its prediction phase; the ripple starts as the presenter would start it.
const participation = { ...room.participation, game: { ...round, phase: 'predict' } };
const rippling = { ...participation, seq: participation.seq + 1, game: round };

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.woff': 'font/woff' };
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  try {
    const body = await readFile(join(dist, path === '/' ? 'index.html' : path));
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'text/html' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/audience.html`;

// The audience window's backend, and a frame recorder of our own (independent of the
// app's clock, so every version of the code is measured the same way): every
// requestAnimationFrame interval from when the ripple appears until `window.__stopFrames`.
function init({ live, participation }) {
  // Events as @tauri-apps/api listens for them, so the page can be sent one (`__emit`).
  const callbacks = new Map();
  const listeners = [];
  window.__emit = (event, payload) => listeners.filter((l) => l.event === event).forEach((l) => callbacks.get(l.handler)?.({ event, payload }));
  window.__TAURI_INTERNALS__ = {
    transformCallback: (fn) => {
      const id = callbacks.size + 1;
      callbacks.set(id, fn);
      return id;
    },
    metadata: { currentWindow: { label: 'audience' }, currentWebview: { label: 'audience' } },
    invoke: async (cmd, args) => {
      switch (cmd) {
        case 'plugin:event|listen':
          listeners.push(args);
          return listeners.length;
        case 'current_workshop':
          return live;
        case 'participation':
          return participation;
        case 'online_status':
          return { join: null, kiosk_url: null, addresses: [] };
        case 'game_rounds':
          return [participation.game];
      }
      throw { code: 'internal', message: `unknown command ${cmd}` };
    },
  };
  window.__frames = [];
  // Main-thread work over 50 ms (script, style, layout, paint recording), to tell it from
  // the compositor's share of a long frame.
  window.__long = [];
  new PerformanceObserver((list) => {
    if (document.querySelector('#game-ripple')) window.__long.push(...list.getEntries().map((e) => e.duration));
  }).observe({ type: 'longtask' });
  let last = null;
  const tick = (t) => {
    if (window.__stopFrames) return;
    const ripple = document.querySelector('#game-ripple');
    if (ripple) {
      if (last !== null) window.__frames.push(t - last);
      // Which wave was on screen, for reading long frames (RIPPLE_FRAMES_DEBUG=1).
      (window.__waveAt ??= []).push(ripple.getAttribute('data-shown'));
      last = t;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { frames: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] ?? NaN, over50: s.filter((x) => x > 50).length };
};

async function measure(size, throttle) {
  const page = await browser.newPage({ viewport: size });
  page.on('pageerror', (e) => console.error(`page: ${e.message}`));
  if (throttle > 1) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
  }
  await page.addInitScript(init, { live, participation });
  await page.goto(url);
  await page.waitForSelector('#game-predict', { timeout: 60_000 });
  await page.waitForTimeout(2000);
  await page.evaluate((p) => window.__emit('participation-changed', p), rippling);
  const waves = round.result.waves.length;
  // Until the last wave is shown, then 1.5 s for its animation to settle (polled slowly:
  // the harness's own work must not cost frames).
  await page.waitForFunction((n) => document.querySelector(`#game-ripple[data-shown="${n}"]`), waves, { polling: 500, timeout: 120_000 });
  await page.waitForTimeout(1500);
  const [frames, long] = await page.evaluate(() => {
    window.__stopFrames = true;
    return [window.__frames, window.__long];
  });
  if (process.env.RIPPLE_FRAMES_DEBUG) {
    const at = await page.evaluate(() => window.__waveAt);
    console.error(frames.map((f, i) => (f > 50 ? `${f.toFixed(0)}@w${at[i]}${at[i] !== at[i - 1] ? '!' : ''}` : '')).filter(Boolean).join(' '));
  }
  const overlaps = await page.evaluate(() => {
    // Unit boxes whose rectangles intersect (a legibility check, not a timing); a reached
    // unit may be drawn again on top of itself, so only the map's own boxes count.
    const boxes = [...document.querySelectorAll('#ripple-map .unit .box')].filter((b) => !b.closest('.wave')).map((b) => b.getBoundingClientRect());
    let n = 0;
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) n++;
      }
    return n;
  });
  await page.screenshot({ path: join(out, `${label}-${size.width}-x${throttle}.png`) });
  await page.close();
  // The first frame is the change of phase (prediction → ripple); the rest is the ripple.
  return { first: frames[0], ...stats(frames.slice(1)), longTasks: long.length, longTaskMax: Math.max(0, ...long), overlaps };
}

const runs = {};
for (const size of [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }]) {
  for (const throttle of [1, 4]) {
    const key = `${size.width}×${size.height} cpu÷${throttle}`;
    runs[key] = await measure(size, throttle);
    console.error(`${label} ${key}: ${JSON.stringify(runs[key])}`);
  }
}
await browser.close();
server.close();
await writeFile(join(out, `${label}.json`), JSON.stringify({ label, waves: round.result.waves.length, units: map.units.length, links: map.links.length, runs }, null, 2));

// Every saved run, side by side.
const saved = [];
for (const f of (await readdir(out)).filter((f) => f.endsWith('.json') && !f.startsWith('round-')).sort()) {
  saved.push(JSON.parse(await readFile(join(out, f), 'utf8')));
}
const ms = (x) => (Number.isFinite(x) ? x.toFixed(1) : '—').padStart(7);
console.log(`ripple on ${map.units.length} units / ${map.links.length} links, ${round.result.waves.length} waves; frame intervals in ms`);
console.log(`${'run'.padEnd(24)}${'version'.padEnd(12)}  first frames  median     p95     max  >50ms  long tasks (max ms)  overlapping boxes`);
for (const key of Object.keys(runs)) {
  for (const s of saved) {
    const r = s.runs[key];
    if (!r) continue;
    console.log(`${key.padEnd(24)}${s.label.padEnd(12)}${ms(r.first)}${String(r.frames).padStart(7)}${ms(r.median)}${ms(r.p95)}${ms(r.max)}${String(r.over50).padStart(7)}  ${String(r.longTasks ?? '—').padStart(5)} (${ms(r.longTaskMax)})      ${r.overlaps}`);
  }
}
