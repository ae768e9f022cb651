// The Engagement Cycle as the trainer's windows show it, free of the DOM: the words for
// phases and categories, what the walkthrough has revealed, the blueprint's columns,
// the room's proposals for a stage, the findings' wording, and the editor's blanks.
// The core validates cycles and steps the walk; nothing here decides either.
import type { Activity } from './bindings/Activity';
import type { Cycle } from './bindings/Cycle';
import type { CycleNeed } from './bindings/CycleNeed';
import type { CyclePhase } from './bindings/CyclePhase';
import type { CycleWalk } from './bindings/CycleWalk';
import type { NeedCategory } from './bindings/NeedCategory';
import type { NeedProposal } from './bindings/NeedProposal';
import type { NeedRef } from './bindings/NeedRef';
import type { OrgMap } from './bindings/OrgMap';
import type { PhaseLoad } from './bindings/PhaseLoad';
import type { Stage } from './bindings/Stage';

export const PHASES: { phase: CyclePhase; label: string }[] = [
  { phase: 'pre_service', label: 'Pre-service' },
  { phase: 'during_service', label: 'During service' },
  { phase: 'after_service', label: 'After service' },
];
export const phaseLabel = (p: CyclePhase) => PHASES.find((x) => x.phase === p)?.label ?? p;

/** Each category has a word and a mark of its own, so no tag relies on its colour. */
export const CATEGORIES: { category: NeedCategory; label: string; mark: string }[] = [
  { category: 'quality', label: 'Quality', mark: '◆' },
  { category: 'time', label: 'Time', mark: '◷' },
  { category: 'delivery', label: 'Delivery', mark: '➜' },
];
export const categoryOf = (c: NeedCategory) => CATEGORIES.find((x) => x.category === c) ?? CATEGORIES[0];

/** What a need without a provider says wherever it is shown. */
export const NOBODY = 'Nobody delivers this';

/** A unit's name by its id (the id itself for a unit the map no longer has). */
export function unitNamer(map: OrgMap): (id: string | null) => string {
  const names = new Map(map.units.map((u) => [u.id, u.name]));
  return (id) => (id === null ? NOBODY : (names.get(id) ?? id));
}

/**
 * Who delivers a need to whom, as a card says it: "from Warehouse" when the customer is
 * the stage's frontline unit (the blueprint's reading), else "Warehouse → Accounts".
 */
export function needRoute(need: CycleNeed, nameOf: (id: string | null) => string, frontline?: string): string {
  if (need.provider === null) return `${NOBODY} (for ${nameOf(need.customer)})`;
  if (need.customer === frontline) return `from ${nameOf(need.provider)}`;
  return `${nameOf(need.provider)} → ${nameOf(need.customer)}`;
}

/** How much of a stage the room has seen: nothing yet, the moment of truth, or the needs too. */
export type Reveal = 'hidden' | 'moment' | 'needs';

/** Each stage's reveal during `walk`: earlier stages whole, the current one as far as it got, later ones hidden. */
export function reveals(cycle: Cycle, walk: CycleWalk | null): Reveal[] {
  if (!walk || walk.cycle !== cycle.id) return cycle.stages.map(() => 'hidden');
  if (walk.findings_shown) return cycle.stages.map(() => 'needs');
  const at = cycle.stages.findIndex((s) => s.id === walk.stage);
  return cycle.stages.map((_, i) => (i < at ? 'needs' : i === at ? (walk.needs_shown ? 'needs' : 'moment') : 'hidden'));
}

/** Where the walk stands, for the trainer: "Stage 2 of 5 · its needs", or the findings. */
export function walkPosition(cycle: Cycle, walk: CycleWalk): string {
  if (walk.findings_shown) return 'The findings';
  const at = cycle.stages.findIndex((s) => s.id === walk.stage);
  if (at < 0) return 'A stage that is gone';
  return `Stage ${at + 1} of ${cycle.stages.length} · ${walk.needs_shown ? 'its needs' : 'the moment of truth'}`;
}

/** Whether a walk can step on / back (the core refuses past either end). */
export function canStep(cycle: Cycle, walk: CycleWalk, forward: boolean): boolean {
  const at = cycle.stages.findIndex((s) => s.id === walk.stage);
  if (at < 0) return false;
  if (forward) return !walk.findings_shown;
  return at > 0 || walk.needs_shown || walk.findings_shown;
}

/** A blueprint column: a stage with its place in the cycle and how much is revealed. */
export type Column = { stage: Stage; index: number; reveal: Reveal; current: boolean };

/** The stages grouped by phase, in phase order; phases without stages are left out. */
export function byPhase(cycle: Cycle, walk: CycleWalk | null): { phase: CyclePhase; label: string; columns: Column[] }[] {
  const shown = reveals(cycle, walk);
  const current = walk && walk.cycle === cycle.id && !walk.findings_shown ? walk.stage : null;
  return PHASES.map(({ phase, label }) => ({
    phase,
    label,
    columns: cycle.stages
      .map((stage, index) => ({ stage, index, reveal: shown[index], current: stage.id === current }))
      .filter((c) => c.stage.phase === phase),
  })).filter((g) => g.columns.length > 0);
}

/** Relative column widths of the blueprint: the current stage wide, hidden ones narrow. */
export function columnWeight(c: Column): number {
  if (c.current) return 2.5;
  return c.reveal === 'hidden' ? 0.5 : 1;
}

/** Lines of text per need in a stage walked past: fewer the more needs share its column. */
export function compactLines(needs: number): number {
  return needs <= 2 ? 4 : needs <= 4 ? 2 : 1;
}

export const votes = (p: NeedProposal) => p.voters.length;

/**
 * The room's proposals for a stage, most votes first (then oldest first). Merged ones
 * are gone into another; discarded ones only when `withDiscarded` (the trainer's list).
 */
export function stageProposals(proposals: NeedProposal[], cycle: number, stage: number, withDiscarded = false): NeedProposal[] {
  return proposals
    .filter((p) => p.cycle === cycle && p.stage === stage)
    .filter((p) => p.status.status !== 'merged' && (withDiscarded || p.status.status !== 'discarded'))
    .sort((a, b) => votes(b) - votes(a) || a.id - b.id);
}

/** Where a proposal can merge into: another of its stage, open or accepted. */
export function mergeTargets(proposals: NeedProposal[], p: NeedProposal): NeedProposal[] {
  return stageProposals(proposals, p.cycle, p.stage).filter((q) => q.id !== p.id);
}

/** Why a need is among those without two-way communication, from the self-assessment. */
export function twoWayReason(ref: NeedRef): string {
  if (ref.two_way === null) return 'nobody answered for this pair';
  if (ref.two_way === 'no') return 'the self-assessment said “no”';
  return `the self-assessment said “${ref.two_way}”`;
}

/** The phases' bars: each phase's needs as a share of the largest (0 when there are none). */
export function phaseBars(phases: PhaseLoad[]): { phase: CyclePhase; label: string; stages: number; needs: number; share: number }[] {
  const most = Math.max(0, ...phases.map((p) => p.needs));
  return phases.map((p) => ({ ...p, label: phaseLabel(p.phase), share: most === 0 ? 0 : p.needs / most }));
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Whether the projector shows the walkthrough: whenever one runs, except that during a
 * Ripple round the game on screen keeps it (the cycle wins in its own activity).
 */
export function showsCycle(activity: Activity | undefined, walk: CycleWalk | null, gameShown: boolean): boolean {
  if (!walk) return false;
  return activity?.kind === 'engagement_cycle' || !gameShown;
}

/** The stage (index from 0) the core's refusal names: "stage 4 ('The invoice'): …". */
export function stageOfError(message: string | null): number | null {
  const m = message?.match(/^stage (\d+)\b/);
  return m ? Number(m[1]) - 1 : null;
}

// The editor's blanks. The core numbers new stages (id 0) and new cycles (id 0).

export function blankNeed(customer: string): CycleNeed {
  return { provider: null, customer, what: '', category: 'quality', standard: '' };
}

export function blankStage(phase: CyclePhase, unit: string): Stage {
  return { id: 0, phase, title: '', customer_does: '', moment: { unit, expectation: '' }, needs: [] };
}

/** A new cycle for the first external segment of the map (the trainer picks another if need be). */
export function blankCycle(map: OrgMap): Cycle {
  const customer = map.units.find((u) => u.kind === 'external') ?? map.units[0];
  const frontline = map.units.find((u) => u.kind === 'frontline') ?? map.units[0];
  return { id: 0, name: '', customer: customer?.id ?? '', stages: [blankStage('pre_service', frontline?.id ?? '')] };
}

/** The stages with stage `i` moved one place up (-1) or down (+1); unchanged at an end. */
export function moveStage(stages: Stage[], i: number, by: -1 | 1): Stage[] {
  const j = i + by;
  if (j < 0 || j >= stages.length) return stages;
  const out = [...stages];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}
