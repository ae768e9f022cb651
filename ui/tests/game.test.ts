import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import App from '../src/App.svelte';
import Audience from '../src/Audience.svelte';
import type { Backend } from '../src/lib/backend';
import type { GameRoundView } from '../src/lib/bindings/GameRoundView';
import type { WorkshopView } from '../src/lib/bindings/WorkshopView';
import { after, checkIncidents, impactColour, showsGame, waveLabel, waveReveals, type GameControl } from '../src/lib/game';
import tiny from './fixtures/demo-view.json';
import { gameRound, result } from './fixtures/game';
import { agenda, fakeBackend, live, settle } from './fixtures/session';
import { fakeRoom, participation } from './fixtures/room';

const view = tiny as WorkshopView;
let app: ReturnType<typeof mount> | undefined;

afterEach(() => {
  if (app) unmount(app);
  app = undefined;
  vi.useRealTimers();
});

const $ = (selector: string) => document.querySelector(selector);
const $$ = (selector: string) => [...document.querySelectorAll(selector)];
const text = (selector: string) => $(selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const click = async (selector: string) => {
  const el = $(selector) as HTMLElement | null;
  if (!el) throw new Error(`nothing matches ${selector}`);
  el.click();
  await settle(flushSync);
};
const type = (selector: string, value: string) => {
  const el = $(selector) as HTMLInputElement | HTMLSelectElement;
  el.value = value;
  el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  flushSync();
};

describe('the game’s rules', () => {
  const map = view.map;
  it('checks the incidents before they are sent', () => {
    expect(checkIncidents([{ unit: 'finance', kind: 'late', severity: '0.8' }], map)).toEqual([{ unit: 'finance', kind: 'late', severity: 0.8 }]);
    expect(checkIncidents([{ unit: 'finance', kind: 'late', severity: '1.5' }], map)).toMatch(/0\.1 to 1/);
    expect(checkIncidents([{ unit: 'finance', kind: 'late', severity: '0' }], map)).toMatch(/0\.1 to 1/);
    expect(checkIncidents([{ unit: 'finance', kind: 'late', severity: '' }], map)).toMatch(/0\.1 to 1/);
    expect(checkIncidents([{ unit: '', kind: 'late', severity: '1' }], map)).toMatch(/pick the unit/);
    expect(checkIncidents([{ unit: 'households', kind: 'late', severity: '1' }], map)).toMatch(/customer segment/);
    const twice = [1, 2].map(() => ({ unit: 'it', kind: 'quality' as const, severity: '1' }));
    expect(checkIncidents(twice, map)).toMatch(/^Incident 2: IT already/);
    const six = ['finance', 'hr', 'it', 'legal', 'sales', 'dispatch'].map((unit) => ({ unit, kind: 'late' as const, severity: '1' }));
    expect(checkIncidents(six, map)).toMatch(/At most 5/);
  });

  it('colours impact light to dark with legible ink, and says times in words', () => {
    const fills = [0.05, 0.3, 0.5, 0.7, 1].map((x) => impactColour(x).fill);
    expect(new Set(fills).size).toBe(5);
    expect(impactColour(0.1).ink).toBe('#111');
    expect(impactColour(0.95).ink).toBe('#fff');
    expect([0, 4, 1, 72, 36, 336].map(after)).toEqual(['at once', 'after 4 hours', 'after 1 hour', 'after 3 days', 'after 1.5 days', 'after 2 weeks']);
    const hits = new Map(result.hits.map((h) => [h.unit, h]));
    expect(result.waves.map((w) => waveLabel(w, hits))).toEqual(['The incident', 'Wave 1 · after 2 days', 'Wave 2 · after 3 days']);
  });

  it('reveals each wave’s units once, with the last step of their chains', () => {
    const hits = new Map(result.hits.map((h) => [h.unit, h]));
    const reveals = waveReveals(result.waves, hits);
    expect(reveals.map((w) => w.hops)).toEqual([0, 1, 2]);
    expect(reveals[0]).toEqual({ hops: 0, hits: [hits.get('finance')], links: [] });
    expect(reveals[1].links).toContain('finance→purchasing');
    expect(reveals[2].links).toContain('purchasing→warehouse');
    const units = reveals.flatMap((w) => w.hits.map((h) => h.unit));
    expect(new Set(units).size).toBe(units.length);
    expect(units.length).toBe(result.hits.length);
  });

  it('shows the live round during a ripple activity or when it started during the current one', () => {
    const round = gameRound('predict');
    const [, selfAssessment, ripple] = agenda.activities;
    expect(showsGame(selfAssessment, null)).toBe(false);
    expect(showsGame(selfAssessment, round)).toBe(true);
    expect(showsGame({ ...selfAssessment, started_at: round.started_at + 1 }, round)).toBe(false);
    expect(showsGame(ripple, round)).toBe(true);
    expect(showsGame(undefined, round, round.started_at + 60_000)).toBe(true);
    const nextDay = round.started_at + 24 * 60 * 60 * 1000;
    expect(showsGame(undefined, round, nextDay), 'a round from an earlier session does not hide the join card').toBe(false);
    expect(showsGame(ripple, round, nextDay)).toBe(true);
  });
});

/** The presenter's Game tab over a room whose live round is `game`. */
async function presenter(game: GameRoundView | null, over: Partial<Backend> = {}) {
  const room = fakeRoom({ participation: { ...participation(), game } });
  const backend = fakeBackend(live(view), {
    ...room.backend,
    apply: vi.fn(async () => ({ type: 'game_changed', round: 1, phase: 'predict' }) as never),
    incidentSuggestions: vi.fn(async () => [
      { unit: 'customer-service', name: 'Customer Service', criticality: 2.11 },
      { unit: 'field-engineers', name: 'Field Engineers', criticality: 2.05 },
    ]),
    ...over,
  });
  document.body.innerHTML = '<div id="app"></div>';
  app = mount(App, { target: document.getElementById('app')!, props: { backend } });
  await settle(flushSync);
  await click('#tab-game');
  return backend;
}

describe('the Game tab', () => {
  it('offers the most critical units first, then the others, and starts a round of several incidents', async () => {
    const backend = await presenter(null);
    expect($('#game-panel')!.hasAttribute('hidden')).toBe(false);
    const options = $$('#game-unit option').map((o) => (o as HTMLOptionElement).value);
    expect(options.slice(0, 3)).toEqual(['', 'customer-service', 'field-engineers']);
    expect(options).toContain('finance');
    expect(options).not.toContain('households');
    expect(text('#game-unit optgroup[label="Most critical"]')).toContain('Customer Service · criticality 2.11');
    expect(($('#game-unit') as HTMLSelectElement).value).toBe('customer-service');
    expect(($('#game-severity') as HTMLInputElement).value).toBe('1');
    type('#game-unit', 'finance');
    type('#game-kind', 'late');
    await click('#add-incident');
    type('#game-unit-2', 'it');
    type('#game-kind-2', 'quality');
    type('#game-severity-2', '0.5');
    await click('#start-round');
    expect(text('#game-error')).toBe('');
    expect(backend.apply).toHaveBeenCalledWith({
      type: 'start_game_round',
      incidents: [
        { unit: 'finance', kind: 'late', severity: 1 },
        { unit: 'it', kind: 'quality', severity: 0.5 },
      ],
    });
  });

  it('refuses a severity out of bounds before calling the core, and allows five incidents', async () => {
    const backend = await presenter(null);
    type('#game-severity', '1.2');
    await click('#start-round');
    expect(text('#game-error')).toMatch(/0\.1 to 1/);
    type('#game-severity', '0.05');
    await click('#start-round');
    expect(backend.apply).not.toHaveBeenCalled();
    for (let i = 0; i < 4; i++) await click('#add-incident');
    expect($$('.incident').length).toBe(5);
    expect($('#add-incident')).toBeNull();
  });

  it('counts predictions, moves the phases of the live round and starts the countdown', async () => {
    const backend = await presenter(gameRound('predict'));
    expect(text('#prediction-count')).toBe('3');
    expect(text('#game-round')).toContain('Finance is late');
    type('#countdown-seconds', '45');
    await click('#start-countdown');
    expect(backend.sendGameControl).toHaveBeenCalledWith({ type: 'countdown', seconds: 45 });
    expect(text('#countdown-left')).toMatch(/^0:4\d$/);
    await click('#phase-ripple');
    expect(backend.apply).toHaveBeenCalledWith({ type: 'set_game_phase', round: 1, phase: 'ripple' });
    await click('#phase-score');
    expect(backend.apply).toHaveBeenCalledWith({ type: 'set_game_phase', round: 1, phase: 'score' });
    await click('#phase-debrief');
    expect(backend.apply).toHaveBeenCalledWith({ type: 'set_game_phase', round: 1, phase: 'debrief' });
  });

  it('drives the animation, the leaderboard and replays on the projector', async () => {
    const saved = gameRound('debrief', { id: 1 });
    const backend = await presenter(gameRound('ripple', { id: 2 }), { gameRounds: vi.fn(async () => [saved, gameRound('ripple', { id: 2 })]) });
    expect(($('#phase-ripple') as HTMLButtonElement).disabled).toBe(true);
    await click('#ripple-pause');
    expect($('#ripple-pause')!.getAttribute('aria-pressed')).toBe('true');
    await click('#ripple-pause');
    await click('#ripple-step');
    await click('#ripple-replay');
    ($('#leaderboard-anonymous') as HTMLInputElement).click();
    await settle(flushSync);
    ($('#leaderboard-hidden') as HTMLInputElement).click();
    await settle(flushSync);
    expect($$('#past-rounds li').map((li) => li.getAttribute('data-round'))).toEqual(['1']);
    await click('#past-rounds .replay-round');
    expect(text('#replaying')).toContain('Replay of round 1');
    await click('.replay-phase[data-phase="debrief"]');
    await click('#end-replay');
    const sent = (backend.sendGameControl as ReturnType<typeof vi.fn>).mock.calls.map((c) => c[0]);
    expect(sent).toEqual([
      { type: 'pause' },
      { type: 'play' },
      { type: 'step' },
      { type: 'replay' },
      { type: 'leaderboard', mode: 'anonymous' },
      { type: 'leaderboard', mode: 'hidden' },
      { type: 'show', round: 1, phase: 'ripple' },
      { type: 'show', round: 1, phase: 'debrief' },
      { type: 'show', round: null, phase: 'ripple' },
    ]);
  });
});

/** The audience window over a room whose live round is `game`; `control` plays the presenter. */
async function audience(game: GameRoundView, over: Partial<Backend> = {}) {
  const room = fakeRoom({ participation: { ...participation(), game } });
  let handler: (c: GameControl) => void = () => {};
  const backend = fakeBackend(live(view), {
    ...room.backend,
    onGameControl: vi.fn(async (h: (c: GameControl) => void) => {
      handler = h;
      return () => {};
    }),
    ...over,
  });
  document.body.innerHTML = '<div id="app"></div>';
  app = mount(Audience, { target: document.getElementById('app')!, props: { backend } });
  await settle(flushSync);
  const control = (c: GameControl) => {
    handler(c);
    flushSync();
  };
  const phase = (g: GameRoundView) => {
    room.fireParticipation({ ...room.state.participation!, seq: room.state.participation!.seq + 1, game: g });
    flushSync();
  };
  return { backend, control, phase };
}
/** The units drawn as reached: those of the waves shown (the others wait, hidden, on their layers). */
const reached = () => $$('#ripple-map .wave.shown .unit.hit').map((g) => g.getAttribute('data-unit-id'));

describe('the game on the projector', () => {
  it('shows the incident, the countdown and the number of predictions while the room predicts', async () => {
    const { control } = await audience(gameRound('predict'));
    expect($('#audience')!.getAttribute('data-showing')).toBe('game');
    expect(text('#game-predict .incidents')).toBe('Finance is late severity 100%');
    expect($('#ripple-map .unit.source')!.getAttribute('data-unit-id')).toBe('finance');
    expect(reached()).toEqual([]);
    expect(text('#game-predictions')).toBe('3 predictions');
    expect($('#countdown')).toBeNull();
    vi.useFakeTimers();
    control({ type: 'countdown', seconds: 60 });
    expect(text('#countdown')).toBe('1:00');
    vi.advanceTimersByTime(15_100);
    flushSync();
    expect(text('#countdown')).toBe('0:45');
    vi.advanceTimersByTime(50_000);
    flushSync();
    expect(text('#countdown')).toBe('Time’s up');
  });

  it('reveals the ripple wave by wave, and pauses, steps and replays at the presenter’s word', async () => {
    const { control, phase } = await audience(gameRound('predict'));
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'requestAnimationFrame', 'cancelAnimationFrame', 'performance', 'Date'] });
    (window as { __rippleFrameTimes?: number[] }).__rippleFrameTimes = [];
    // Every wave is drawn while the room predicts, hidden; the ripple only shows them.
    expect($$('#ripple-map .wave').length).toBe(2 * result.waves.length);
    expect($$('#ripple-map .wave.shown')).toEqual([]);
    const map = $('#ripple-map');
    phase(gameRound('ripple'));
    expect($('#game-ripple')).not.toBeNull();
    expect($('#ripple-map'), 'the map is not drawn again').toBe(map);
    expect(reached()).toEqual(['finance']);
    expect(text('#waves')).toBe('The incident Finance');
    vi.advanceTimersByTime(1300);
    flushSync();
    expect(reached().sort()).toEqual(['customer-service', 'field-engineers', 'finance', 'purchasing', 'sales']);
    expect(text('#waves li.latest .wave-label')).toBe('Wave 1 · after 2 days');
    expect(text('[data-unit-id="purchasing"] .badge')).toBe('60%');
    expect($('.shown .link.carried[data-provider="finance"][data-customer="purchasing"]')).not.toBeNull();
    expect($('#external-reached')).toBeNull();
    expect($('.shown .unit.customer-hit')).toBeNull();

    control({ type: 'pause' });
    vi.advanceTimersByTime(5000);
    flushSync();
    expect(text('#waves li.latest .wave-label')).toBe('Wave 1 · after 2 days');
    expect(text('#ripple-paused')).toBe('Paused');
    control({ type: 'step' });
    expect(text('#waves li.latest .wave-label')).toBe('Wave 2 · after 3 days');
    expect(reached().length).toBe(result.hits.length);
    expect($$('.shown .unit.customer-hit').map((g) => g.getAttribute('data-unit-id')).sort()).toEqual(['business-clients', 'course-students', 'households']);
    expect(text('#external-reached')).toContain('Households 35%');
    expect($('#ripple-paused')).toBeNull();

    control({ type: 'replay' });
    expect(reached()).toEqual(['finance']);
    vi.advanceTimersByTime(2500);
    flushSync();
    expect(reached().length).toBe(result.hits.length);
    const frames = (window as { __rippleFrameTimes?: number[] }).__rippleFrameTimes!;
    expect(frames.length).toBeGreaterThan(100);
    expect(frames.every((t) => t > 0 && t < 50)).toBe(true);
  });

  it('shows the leaderboard named, anonymous or hidden, names as text, with the room’s average and what was hit', async () => {
    const { control } = await audience(gameRound('score'));
    expect($$('#leaderboard li .who').map((e) => e.textContent)).toEqual(['Dana', '<b>Bo</b>', 'Anonymous']);
    expect($('#leaderboard b')).toBeNull();
    expect(text('#leaderboard li')).toContain('3 right · 8 missed · 1 false alarms');
    expect(text('#room-average')).toBe('Room average: 25 points');
    expect(text('#ripple-hit')).toContain('Purchasing 60%');
    expect(text('#ripple-hit')).not.toContain('Households');
    expect(text('#score-external')).toContain('Households 35%');
    control({ type: 'leaderboard', mode: 'anonymous' });
    expect($$('#leaderboard li .who').map((e) => e.textContent)).toEqual(['Anonymous', 'Anonymous', 'Anonymous']);
    control({ type: 'leaderboard', mode: 'hidden' });
    expect($('#leaderboard')).toBeNull();
    expect($('#leaderboard-hidden')).not.toBeNull();
    expect(text('#room-average')).toContain('25');
  });

  it('tells the debrief: chains in words, external impact, critical units, gatekeepers and loops', async () => {
    await audience(gameRound('debrief'));
    expect($$('#debrief-chains li').map((l) => l.textContent)).toEqual([gameRound('debrief').debrief!.chains[0].sentence]);
    expect($('#debrief-chains i')).toBeNull();
    expect(text('#debrief-external')).toBe(`External impact: ${result.external_impact.toFixed(2)}`);
    expect($$('#debrief-critical li').map((l) => l.textContent!.trim())).toEqual(['Customer Service 2.11', 'Field Engineers 2.05']);
    expect(text('#debrief-gatekeepers')).toBe('Households: no single unit');
    expect(text('#debrief-loops')).toBe('Finance ⇄ Purchasing ⇄ Warehouse ⇄ Field Engineers ⇄ Accounts');
  });

  it('replays a saved round when the presenter asks, and returns to the live one', async () => {
    const saved = gameRound('debrief', { id: 7 });
    const { control, backend } = await audience(gameRound('predict', { id: 8 }), { gameRounds: vi.fn(async () => [saved]) });
    control({ type: 'show', round: 7, phase: 'debrief' });
    await settle(flushSync);
    expect(backend.gameRounds).toHaveBeenCalled();
    expect(text('#game-replay-banner')).toBe('Replay of round 7');
    expect($('#game-debrief')).not.toBeNull();
    control({ type: 'show', round: null });
    expect($('#game-replay-banner')).toBeNull();
    expect($('#game-predict')).not.toBeNull();
  });
});
