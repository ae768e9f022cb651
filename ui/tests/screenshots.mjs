// Screenshots of the built presenter and audience windows in Debian's headless Chromium,
// with the Tauri backend replaced by the demo fixture and an agenda part-way through. Not part of `npm test`:
//   npm run build && node tests/screenshots.mjs   → ../target/ui-screens/*.png
import { createServer } from 'node:http';
import { mkdir, readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { cycleRoom, noCycles, proposals as cycleProposals, repairCall, templates as cycleTemplates } from './fixtures/cycle.mjs';

const ui = fileURLToPath(new URL('..', import.meta.url));
const dist = join(ui, 'dist');
const out = join(ui, '..', 'target', 'ui-screens');
const view = JSON.parse(await readFile(join(ui, 'tests', 'fixtures', 'demo-view.json'), 'utf8'));
// The room's answers and the join details (a real QR code, made by the qrcode crate as the app makes it).
const room = JSON.parse(await readFile(join(ui, 'tests', 'fixtures', 'room.json'), 'utf8'));
room.participation.cycles = noCycles();
room.online.join.qr_svg = await readFile(join(ui, 'tests', 'fixtures', 'join-qr.svg'), 'utf8');
const offline = { ...room.online, join: null, kiosk_url: null };
// A round of the Ripple Effect game on the demo map (made from tests/fixtures/game.ts), at its debrief.
const gameRound = JSON.parse(await readFile(join(ui, 'tests', 'fixtures', 'game-round.json'), 'utf8'));
const atPhase = (phase) => ({
  ...gameRound,
  phase,
  leaderboard: phase === 'score' || phase === 'debrief' ? gameRound.leaderboard : [],
  room_average: phase === 'score' || phase === 'debrief' ? gameRound.room_average : null,
  debrief: phase === 'debrief' ? gameRound.debrief : null,
});
const withGame = (phase) => ({ ...room.participation, game: atPhase(phase) });

// A morning workshop 22 minutes into its self-assessment, which was planned for 20.
const min = 60_000;
const nine = new Date(2026, 10, 23, 9, 0).getTime();
const plan = [
  ['welcome', 'Welcome and why internal service matters', 10, 'Ask who has waited on another team this week. Keep it to two or three stories.'],
  ['self_assessment', 'Self-assessment: who are your internal customers?', 20,
    'Show the join code first. Give them 8 minutes for the four questions.\nWalk the room; managers also answer the morale questions.'],
  ['ripple_round', 'Ripple Effect, round 1: late payroll', 15, 'Drop "late" on Finance, severity 0.8. Predictions first!'],
  ['ripple_round', 'Ripple Effect, round 2: IT outage', 15, ''],
  ['engagement_cycle', 'Engagement Cycle: a customer calls about a fault', 25, ''],
  ['debrief', 'Debrief: the services that matter most', 15, ''],
  ['thanks', 'Thanks and next steps', 5, ''],
];
const activities = plan.map(([kind, title, planned_minutes, notes], i) => ({
  id: 101 + i, kind, title, planned_minutes, notes, started_at: null, finished_at: null,
}));
activities[0].started_at = nine;
activities[0].finished_at = nine + 12 * min;
activities[1].started_at = nine + 12 * min;
const elapsed = 22 * min + 14_000;
let t = nine;
const schedule = activities.map((a, i) => {
  const start = a.started_at ?? t;
  const end = a.finished_at ?? (i === 1 ? start + Math.max(elapsed, a.planned_minutes * min) : start + a.planned_minutes * min);
  t = end;
  return { id: a.id, state: i === 0 ? 'done' : i === 1 ? 'current' : 'upcoming', start, end };
});
const agenda = { activities, current: 102 };
const clock = {
  current: { index: 1, activity: activities[1], elapsed_ms: elapsed, planned_ms: 20 * min, overrun_ms: elapsed - 20 * min },
  next: activities[2],
  schedule,
  projected_end: t,
  delay_ms: t - (nine + plan.reduce((s, p) => s + p[2], 0) * min),
};
const live = {
  ...view,
  name: 'Customer care academy — spring cohort',
  agenda,
  // The repair call from its shipped template (assets/cycles/repair-call.json).
  cycles: [repairCall(1)],
  seq: 12,
  projector: { blank: false, revealed: false, hide_attendees: false },
};
const workshops = [
  { id: view.id, name: live.name, updated_at: '', units: 18, links: 31 },
  { id: 8, name: 'Finance & HR team day', updated_at: '', units: 18, links: 31 },
  { id: 5, name: 'Pilot run (copy)', updated_at: '', units: 12, links: 19 },
];

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
function fakeTauri({ live, clock, workshops, fail, participation, online, cycleTemplates }) {
  let projector = live.projector;
  window.__TAURI_INTERNALS__ = {
    transformCallback: () => 0,
    metadata: { currentWindow: { label: 'presenter' }, currentWebview: { label: 'presenter' } },
    invoke: async (cmd, args) => {
      if (fail) throw { code: 'newer_database', message: fail };
      switch (cmd) {
        case 'plugin:event|listen':
          return 1;
        case 'list_workshops':
          return workshops;
        case 'list_templates':
          return [
            { id: 'demo', name: 'The demo', units: 18, links: 37 },
            { id: 'hospital', name: 'Hospital', units: 16, links: 30 },
          ];
        case 'current_workshop':
        case 'open_workshop':
          return { ...live, projector };
        case 'presenter_clock':
          return clock;
        case 'set_projector':
          projector = {
            blank: args.change.blank ?? projector.blank,
            revealed: args.change.revealed ?? projector.revealed,
            hide_attendees: args.change.hide_attendees ?? projector.hide_attendees,
          };
          return projector;
        case 'participation':
          return participation;
        case 'online_status':
          return online;
        case 'game_rounds':
          return participation?.game ? [participation.game] : [];
        case 'incident_suggestions':
          return [
            { unit: 'customer-service', name: 'Customer Service', criticality: 2.11 },
            { unit: 'field-engineers', name: 'Field Engineers', criticality: 2.05 },
            { unit: 'it', name: 'IT', criticality: 1.62 },
          ];
        case 'cycle_templates':
          return cycleTemplates;
        case 'apply':
          if (args.command.type === 'save_cycle') {
            const order = ['pre_service', 'during_service', 'after_service'];
            const at = args.command.cycle.stages.findIndex((s, i, all) => i > 0 && order.indexOf(s.phase) < order.indexOf(all[i - 1].phase));
            const s = args.command.cycle.stages[at];
            if (s) throw { code: 'invalid_cycle', message: `stage ${at + 1} ('${s.title}'): a pre-service stage cannot follow a during service stage; stages run pre-service, during service, after service` };
          }
          break;
        case 'map_from_files':
          // The picked files read as the demo map (the editor's import summary).
          return live.map;
        case 'list_displays':
          return [
            { index: 0, name: 'Built-in Retina Display', width: 1440, height: 900, primary: true },
            { index: 1, name: 'EPSON Projector', width: 1920, height: 1080, primary: false },
          ];
      }
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

async function shot(name, size, { fail, act, path = '', projector = live.projector, wait, online = offline, current = 102, participation = room.participation, workshop = live } = {}) {
  // SHOTS=cycle takes only the screenshots whose names contain "cycle".
  if (process.env.SHOTS && !name.includes(process.env.SHOTS)) return;
  const page = await browser.newPage({ viewport: size });
  page.on('pageerror', (e) => console.error(`${name}: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.error(`${name}: ${m.text()}`));
  const shown = { ...workshop, projector, agenda: { ...agenda, current } };
  await page.addInitScript(fakeTauri, { live: shown, clock, workshops, fail, participation, online, cycleTemplates: cycleTemplates() });
  await page.goto(url + path);
  await page.waitForSelector(wait ?? (fail ? '#error' : '#org-map .unit'));
  await page.evaluate(() => document.fonts.ready);
  if (act) await act(page);
  if (process.env.AXE) await accessible(page, name);
  await page.screenshot({ path: join(out, `${name}.png`) });
  console.log(`${name}.png`);
  await page.close();
}

// AXE=1 also runs axe-core on every screen taken and prints what it finds.
const axeSource = process.env.AXE ? await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8') : '';
async function accessible(page, name) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  for (const v of violations) console.error(`${name}: axe ${v}`);
}

const small = { width: 1280, height: 720 };
const large = { width: 1920, height: 1080 };
const pick = (id) => (page) => page.click(`[data-unit-id="${id}"]`);
await shot('1280-agenda', small);
await shot('1280-help', small, { act: (page) => page.keyboard.press('?') });
await shot('1280-workshops', small, { act: (page) => page.click('#workshops-button') });
await shot('1280-delete', small, {
  act: async (page) => {
    await page.click('#workshops-button');
    await page.click('[data-workshop-id="8"] .delete');
  },
});
await shot('1280-displays', small, { act: (page) => page.click('#open-audience') });
await shot('1280-blanked', small, { projector: { blank: true, revealed: false } });
await shot('1920-audience', large, { path: 'audience.html' });
await shot('1920-audience-blank', large, { path: 'audience.html', projector: { blank: true, revealed: false }, wait: '#blank-screen' });
await shot('1280-audience', small, { path: 'audience.html' });
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
// Live participation: the presenter's Participants tab, the join card and the revealed results.
const participants = (page) => page.click('#tab-participants');
const revealed = { blank: false, revealed: true, hide_attendees: false };
await shot('1280-participants-offline', small, { act: participants });
await shot('1280-participants-online', small, { online: room.online, act: participants });
await shot('1280-participants-reset', small, {
  online: room.online,
  act: async (page) => {
    await participants(page);
    await page.click('[data-round="self_assessment"] .reset-round');
  },
});
await shot('1280-audience-join', small, { path: 'audience.html', online: room.online, wait: '#join-qr' });
await shot('1920-audience-join', large, { path: 'audience.html', online: room.online, wait: '#join-qr' });
await shot('1280-audience-results', small, { path: 'audience.html', online: room.online, projector: revealed, wait: '#room-map .room-edge' });
await shot('1920-audience-results', large, { path: 'audience.html', online: room.online, projector: revealed, wait: '#room-map .room-edge' });
await shot('1280-audience-results-hidden-count', small, {
  path: 'audience.html',
  projector: { ...revealed, hide_attendees: true },
  wait: '#room-map .room-edge',
});
await shot('1280-audience-thanks', small, { path: 'audience.html', projector: revealed, current: 107, wait: '#thanks-wall' });
const notes = room.participation.results.thanks;
const manyNotes = Array.from({ length: 45 }, (_, i) => ({ ...notes[i % notes.length], message: `${i + 1}. ${notes[i % notes.length].message}` }));
await shot('1280-audience-thanks-many', small, {
  path: 'audience.html',
  projector: revealed,
  current: 107,
  wait: '#thanks-wall',
  participation: { ...room.participation, results: { ...room.participation.results, thanks: manyNotes } },
});
// The map editor (E): a unit with its services, a link open for editing, a refused value,
// deleting a unit, importing a map; the projector meanwhile shows only the map.
const edit = (id) => async (page) => {
  await page.keyboard.press('e');
  if (id) await page.click(`[data-unit-id="${id}"]`);
};
await shot('1280-edit', small, { act: edit(null) });
await shot('1280-edit-unit', small, { act: edit('finance') });
await shot('1280-edit-link', small, {
  act: async (page) => {
    await edit('finance')(page);
    await page.click('#links-out li:first-child .edit-link');
    await page.fill('#links-out .link-form [name="strength"]', '1.4');
    await page.click('#links-out .link-form .save-link');
  },
});
await shot('1280-edit-add-link', small, {
  act: async (page) => {
    await edit('it')(page);
    await page.click('#add-link');
    await page.selectOption('#map-editor .link-form [name="other"]', 'warehouse');
    await page.fill('#map-editor .link-form [name="service"]', 'Scanner repairs');
  },
});
await shot('1280-edit-delete', small, {
  act: async (page) => {
    await edit('finance')(page);
    await page.click('#delete-unit');
  },
});
await shot('1280-edit-import', small, {
  act: async (page) => {
    await edit(null)(page);
    await page.setInputFiles('#import-file', [
      { name: 'units.csv', mimeType: 'text/csv', buffer: Buffer.from('id,name,kind,weight\n') },
      { name: 'links.csv', mimeType: 'text/csv', buffer: Buffer.from('provider,customer,service,strength,lag\n') },
    ]);
    await page.waitForSelector('#confirm-import');
  },
});
// The Ripple Effect game: the presenter's Game tab, and each phase on the projector.
const gameTab = (page) => page.click('#tab-game');
await shot('1280-game-new', small, { act: gameTab, participation: { ...room.participation, game: null } });
await shot('1280-game-predict', small, { act: gameTab, participation: withGame('predict') });
await shot('1280-game-ripple', small, { act: gameTab, participation: withGame('ripple') });
for (const [name, size] of [['1280', small], ['1920', large]]) {
  await shot(`${name}-audience-game-predict`, size, { path: 'audience.html', current: 103, online: room.online, participation: withGame('predict'), wait: '#game-predict' });
  await shot(`${name}-audience-game-ripple`, size, {
    path: 'audience.html',
    current: 103,
    participation: withGame('ripple'),
    wait: '#game-ripple',
    // Two waves in: wave 1 reached, its links drawn.
    act: (page) => page.waitForSelector('#waves li[data-hops="1"]').then(() => page.waitForTimeout(900)),
  });
  await shot(`${name}-audience-game-score`, size, { path: 'audience.html', current: 103, participation: withGame('score'), wait: '#game-score' });
  await shot(`${name}-audience-game-debrief`, size, { path: 'audience.html', current: 103, participation: withGame('debrief'), wait: '#game-debrief' });
}
// The Engagement Cycle: the presenter's Cycle tab (walking, editing, templates), and the
// repair call on the projector at a stage's moment of truth, with its needs and the
// room's proposals, and the findings.
const repair = repairCall(1);
const walkAt = (stage, needs_shown, findings_shown = false) => ({
  ...room.participation,
  cycles: cycleRoom(repair, { cycle: 1, stage, needs_shown, findings_shown }, cycleProposals(1, 3)),
});
const cycleTab = (page) => page.click('#tab-cycle');
await shot('1280-cycle-walk', small, { act: cycleTab, current: 105, participation: walkAt(3, true) });
await shot('1920-cycle-walk', large, { act: cycleTab, current: 105, participation: walkAt(3, true) });
await shot('1280-cycle-merge', small, {
  current: 105,
  participation: walkAt(3, true),
  act: async (page) => {
    await cycleTab(page);
    await page.click('[data-proposal="3"] .merge');
    await page.locator('[data-proposal="3"] .merge-into').scrollIntoViewIfNeeded();
  },
});
// The core refuses a save (here: phases out of order) and the editor shows its words.
await shot('1280-cycle-edit-refused', small, {
  current: 105,
  act: async (page) => {
    await cycleTab(page);
    await page.click('[data-cycle="1"] .edit-cycle');
    await page.click('[data-stage-index="3"] summary');
    await page.selectOption('[data-stage-index="3"] [name="phase"]', 'pre_service');
    await page.click('#save-cycle');
    await page.locator('#cycle-save-error').scrollIntoViewIfNeeded();
  },
});
await shot('1280-cycle-edit', small, {
  current: 105,
  act: async (page) => {
    await cycleTab(page);
    await page.click('[data-cycle="1"] .edit-cycle');
    await page.click('[data-stage-index="2"] summary');
  },
});
await shot('1280-cycle-templates', small, {
  current: 105,
  act: async (page) => {
    await cycleTab(page);
    await page.click('#show-templates');
  },
});
for (const [name, size] of [['1280', small], ['1920', large]]) {
  const audience = (stage, needs, findings = false) => ({
    path: 'audience.html',
    current: 105,
    online: room.online,
    participation: walkAt(stage, needs, findings),
    wait: findings ? '#cycle-findings' : '.cycle .blueprint',
  });
  await shot(`${name}-audience-cycle-stage1-moment`, size, audience(1, false));
  await shot(`${name}-audience-cycle-stage3-needs`, size, audience(3, true));
  await shot(`${name}-audience-cycle-stage5-needs`, size, { ...audience(5, true), participation: { ...walkAt(5, true), cycles: { ...walkAt(5, true).cycles, proposals: [] } } });
  await shot(`${name}-audience-cycle-findings`, size, audience(5, true, true));
  // Six stages: the hospital visit, its units added to the map as the template adds them.
  const hospital = cycleTemplates().find((t) => t.id === 'hospital-visit');
  const known = new Set(live.map.units.map((u) => u.id));
  const withHospital = {
    ...live,
    map: { ...live.map, units: [...live.map.units, ...hospital.units.filter((u) => !known.has(u.id))] },
    // Places for the new units below their kind's column (the map itself is not on screen).
    layout: {
      ...live.layout,
      nodes: [
        ...live.layout.nodes,
        ...hospital.units
          .filter((u) => !known.has(u.id))
          .map((u, i) => ({ id: u.id, column: ['support', 'frontline', 'external'].indexOf(u.kind), x: 100, y: live.layout.height + 100 * i })),
      ],
    },
    cycles: [{ ...hospital.cycle, id: 1 }],
  };
  await shot(`${name}-audience-cycle-six-stages-stage5-needs`, size, {
    ...audience(5, true),
    workshop: withHospital,
    participation: { ...room.participation, cycles: cycleRoom(withHospital.cycles[0], { cycle: 1, stage: 5, needs_shown: true, findings_shown: false }, cycleProposals(1, 5)) },
  });
}
await shot('1280-error', small, { fail: 'This database was written by a newer Ripple (schema 9); this build knows up to 1.' });

await browser.close();
server.close();
