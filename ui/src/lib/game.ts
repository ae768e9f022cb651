// The Ripple Effect game as the trainer's windows show it, free of the DOM: the
// controls the presenter sends the projector, the incident form's rules, the colour
// scale, the words for times and waves, and the wave-by-wave animation's clock.
import type { Activity } from './bindings/Activity';
import type { GamePhase } from './bindings/GamePhase';
import type { GameRoundView } from './bindings/GameRoundView';
import type { Hit } from './bindings/Hit';
import type { Incident } from './bindings/Incident';
import type { IncidentKind } from './bindings/IncidentKind';
import type { MapLayout } from './bindings/MapLayout';
import type { OrgMap } from './bindings/OrgMap';
import type { ScoredPrediction } from './bindings/ScoredPrediction';
import type { UnitKind } from './bindings/UnitKind';
import type { Wave } from './bindings/Wave';

export type LeaderboardMode = 'named' | 'anonymous' | 'hidden';

/**
 * What the presenter tells the audience window about the game (a Tauri event, not a
 * change to the workshop: nothing of it is saved). A window opened later starts from
 * the defaults: the animation playing, no countdown, names shown, the live round.
 */
export type GameControl =
  | { type: 'pause' }
  | { type: 'play' }
  | { type: 'step' }
  | { type: 'replay' }
  /** A countdown of `seconds` from now (0 stops it). */
  | { type: 'countdown'; seconds: number }
  | { type: 'leaderboard'; mode: LeaderboardMode }
  /** Show a saved round (at `phase`) instead of the live one; null: back to the live round. */
  | { type: 'show'; round: number | null; phase?: GamePhase };

export const PHASES: { phase: GamePhase; label: string }[] = [
  { phase: 'predict', label: 'Predict' },
  { phase: 'ripple', label: 'Start the ripple' },
  { phase: 'score', label: 'Show scores' },
  { phase: 'debrief', label: 'Debrief' },
];
export const phaseIndex = (p: GamePhase) => PHASES.findIndex((x) => x.phase === p);

export const KINDS: { kind: IncidentKind; label: string; verb: string }[] = [
  { kind: 'late', label: 'Late', verb: 'is late' },
  { kind: 'quality', label: 'Poor quality', verb: 'delivers poor quality' },
  { kind: 'delivery', label: 'Wrong delivery method', verb: 'delivers the wrong way' },
];
export const kindVerb = (k: IncidentKind) => KINDS.find((x) => x.kind === k)?.verb ?? k;

export const MAX_INCIDENTS = 5;
export const DEFAULT_WAVE_MS = 1200;

/** An incident as typed in the presenter's form. */
export interface IncidentDraft {
  unit: string;
  kind: IncidentKind;
  /** As typed (a number input's binding may give a number). */
  severity: string | number | null;
}

/**
 * The incidents to send, or what is wrong with the form: each names an internal unit
 * of the map once, with a severity from 0.1 to 1.
 */
export function checkIncidents(drafts: IncidentDraft[], map: OrgMap): Incident[] | string {
  if (drafts.length === 0) return 'Add an incident first.';
  if (drafts.length > MAX_INCIDENTS) return `At most ${MAX_INCIDENTS} incidents at once.`;
  const seen = new Set<string>();
  const out: Incident[] = [];
  for (const [i, d] of drafts.entries()) {
    const which = drafts.length > 1 ? `Incident ${i + 1}: ` : '';
    const unit = map.units.find((u) => u.id === d.unit);
    if (!unit) return `${which}pick the unit where it goes wrong.`;
    if (unit.kind === 'external') return `${which}${unit.name} is a customer segment; pick an internal unit.`;
    if (seen.has(d.unit)) return `${which}${unit.name} already has an incident.`;
    seen.add(d.unit);
    const text = String(d.severity ?? '').trim().replace(',', '.');
    const severity = Number(text);
    if (text === '' || !Number.isFinite(severity) || severity < 0.1 || severity > 1) {
      return `${which}the severity is a number from 0.1 to 1 (1: a complete failure).`;
    }
    out.push({ unit: d.unit, kind: d.kind, severity });
  }
  return out;
}

/**
 * Impact as a colour: a light-to-dark purple ramp (one hue, so it reads by lightness
 * for every kind of colour vision and in greyscale), with the ink that reads on it.
 */
const RAMP = ['#dadaeb', '#bcbddc', '#9e9ac8', '#6a51a3', '#3f007d'];
export function impactColour(impact: number): { fill: string; ink: string } {
  const t = Math.min(1, Math.max(0, impact));
  const i = Math.min(RAMP.length - 1, Math.floor(t * RAMP.length));
  return { fill: RAMP[i], ink: i >= 3 ? '#fff' : '#111' };
}
export const IMPACT_LEGEND = RAMP.map((fill, i) => ({ fill, from: Math.round((i / RAMP.length) * 100) }));

export const pct = (x: number) => `${Math.round(x * 100)}%`;

const plural = (n: number, one: string) => `${n} ${n === 1 ? one : one + 's'}`;
const r1 = (x: number) => Math.round(x * 10) / 10;

/** "at once", "after 4 hours", "after 3 days", "after 2 weeks". */
export function after(hours: number): string {
  if (hours <= 0) return 'at once';
  if (hours < 24) return `after ${plural(r1(hours), 'hour')}`;
  if (hours >= 168 && hours % 168 === 0) return `after ${plural(hours / 168, 'week')}`;
  return `after ${plural(r1(hours / 24), 'day')}`;
}

/** "The incident" for the units it starts on, else "Wave 2 · after 3 days" (the wave's first arrival). */
export function waveLabel(wave: Wave, hits: Map<string, Hit>): string {
  if (wave.hops === 0) return 'The incident';
  const times = wave.units.map((u) => hits.get(u)?.arrival).filter((t): t is number => t !== undefined);
  const first = times.length ? Math.min(...times) : 0;
  return `Wave ${wave.hops} · ${after(first)}`;
}

/** What one wave adds to the projector's map: the units it reaches and the links that carried it there. */
export interface WaveReveal {
  hops: number;
  hits: Hit[];
  /** `provider→customer`: the last step of each reached unit's chain. */
  links: string[];
}

/** The ripple's waves as the map draws them, each once (a unit is in the wave of its strongest chain). */
export function waveReveals(waves: Wave[], hits: Map<string, Hit>): WaveReveal[] {
  return waves.map((w) => {
    const reached = w.units.map((u) => hits.get(u)).filter((h): h is Hit => h !== undefined);
    return {
      hops: w.hops,
      hits: reached,
      links: reached.filter((h) => h.chain.length >= 2).map((h) => `${h.chain[h.chain.length - 2]}→${h.chain[h.chain.length - 1]}`),
    };
  });
}

/** A leaderboard entry's name as the projector shows it. */
export function leaderName(entry: ScoredPrediction, mode: LeaderboardMode): string {
  return mode === 'named' && entry.name ? entry.name : 'Anonymous';
}

/** A round dropped before the agenda started shows for this long (not one from an earlier day). */
export const OFF_AGENDA_ROUND_MS = 4 * 60 * 60 * 1000;

/**
 * Whether the projector shows the live round: during a Ripple round activity, or when
 * the round was started during the current activity, so a round dropped off-agenda
 * appears at once and an old one does not linger. Before the agenda starts, a round
 * shows if it is recent: one from an earlier session would hide the join card.
 */
export function showsGame(activity: Activity | undefined, game: GameRoundView | null, now = Date.now()): boolean {
  if (!game) return false;
  if (activity?.kind === 'ripple_round') return true;
  if (!activity || activity.started_at === null) return now - game.started_at < OFF_AGENDA_ROUND_MS;
  return game.started_at >= activity.started_at;
}

/**
 * A layout for a round's own map: the live layout's place for every unit it still has,
 * and the others stacked below their kind's column (a replay of an older map).
 */
export function gameLayout(map: OrgMap, layout: MapLayout): MapLayout {
  const known = new Map(layout.nodes.map((n) => [n.id, n]));
  const columnOf: Record<UnitKind, number> = { support: 0, frontline: 1, external: 2 };
  const xs = new Map<number, number>();
  const bottom = new Map<number, number>();
  for (const n of layout.nodes) {
    xs.set(n.column, n.x);
    bottom.set(n.column, Math.max(bottom.get(n.column) ?? 0, n.y));
  }
  const step = 110;
  const nodes = map.units.map((u) => {
    const n = known.get(u.id);
    if (n) return n;
    const column = Math.min(columnOf[u.kind], Math.max(0, layout.columns - 1));
    const y = (bottom.get(column) ?? 0) + step;
    bottom.set(column, y);
    return { id: u.id, column, x: xs.get(column) ?? 150 + column * 650, y };
  });
  const height = Math.max(layout.height, ...nodes.map((n) => n.y + step));
  return { ...layout, height, columns: Math.max(layout.columns, 1), nodes };
}

type Frames = { __rippleFrameTimes?: number[] };

/**
 * The ripple's clock: reveals one wave every `interval` ms on animation frames, the
 * first (the incident itself) at once. Pause, step (one wave, paused) and replay (from
 * the start, playing). The milliseconds between frames go to `window.__rippleFrameTimes`
 * (the last 5000) for the end-to-end test to read.
 */
export class RippleClock {
  shown = 0;
  playing = false;
  private elapsed = 0;
  private last: number | null = null;
  private handle: number | null = null;

  constructor(
    private readonly total: number,
    private readonly onchange: (shown: number, playing: boolean) => void,
    private readonly interval = DEFAULT_WAVE_MS,
  ) {}

  private tell() {
    this.onchange(this.shown, this.playing);
  }

  private frame = (t: number) => {
    this.handle = null;
    if (!this.playing) return;
    if (this.last !== null) {
      const dt = t - this.last;
      const w = window as unknown as Frames;
      const times = (w.__rippleFrameTimes ??= []);
      times.push(dt);
      if (times.length > 5000) times.splice(0, times.length - 5000);
      this.elapsed += dt;
    }
    this.last = t;
    if (this.elapsed >= this.interval) {
      this.elapsed = 0;
      this.shown = Math.min(this.total, this.shown + 1);
      if (this.shown >= this.total) this.playing = false;
      this.tell();
    }
    if (this.playing) this.handle = requestAnimationFrame(this.frame);
  };

  private run() {
    this.last = null;
    if (this.handle === null) this.handle = requestAnimationFrame(this.frame);
  }

  private halt() {
    if (this.handle !== null) cancelAnimationFrame(this.handle);
    this.handle = null;
  }

  /** From the start: the incident shown, the next wave an interval later. */
  replay() {
    this.halt();
    this.shown = Math.min(1, this.total);
    this.elapsed = 0;
    this.playing = this.shown < this.total;
    this.tell();
    if (this.playing) this.run();
  }

  pause() {
    this.halt();
    this.playing = false;
    this.tell();
  }

  play() {
    if (this.shown >= this.total) return this.replay();
    this.playing = true;
    this.tell();
    this.run();
  }

  step() {
    this.halt();
    this.playing = false;
    this.elapsed = 0;
    this.shown = Math.min(this.total, this.shown + 1);
    this.tell();
  }

  /** Everything at once (the score and debrief phases). */
  finish() {
    this.halt();
    this.playing = false;
    this.shown = this.total;
    this.tell();
  }

  destroy() {
    this.halt();
    this.playing = false;
  }
}
