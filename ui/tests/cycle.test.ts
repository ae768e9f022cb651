import { describe, expect, it } from 'vitest';
import type { Activity } from '../src/lib/bindings/Activity';
import type { CycleWalk } from '../src/lib/bindings/CycleWalk';
import type { OrgMap } from '../src/lib/bindings/OrgMap';
import {
  blankCycle,
  byPhase,
  canStep,
  columnWeight,
  compactLines,
  mergeTargets,
  moveStage,
  needRoute,
  phaseBars,
  reveals,
  showsCycle,
  stageOfError,
  stageProposals,
  twoWayReason,
  unitNamer,
  walkPosition,
} from '../src/lib/cycle';
import demo from './fixtures/demo-view.json';
import { findings, proposals, repairCall, templates, TWO_WAY } from './fixtures/cycle.mjs';

const map = demo.map as OrgMap;
const cycle = repairCall(1);
const walk = (stage: number, needs_shown = false, findings_shown = false): CycleWalk => ({ cycle: 1, stage, needs_shown, findings_shown });

describe('the repair call fixture', () => {
  it('is the shipped template: five stages in three phases, every unit on the demo map', () => {
    expect(cycle.stages.map((s) => s.id)).toEqual([1, 2, 3, 4, 5]);
    expect(cycle.stages.map((s) => s.phase)).toEqual(['pre_service', 'pre_service', 'during_service', 'after_service', 'after_service']);
    const ids = new Set(map.units.map((u) => u.id));
    for (const s of cycle.stages) {
      expect(ids.has(s.moment.unit)).toBe(true);
      for (const n of s.needs) expect(n.provider === null || ids.has(n.provider)).toBe(true);
    }
    expect(templates().map((t) => t.id)).toEqual(['first-month', 'hospital-visit', 'insurance-claim', 'repair-call', 'training-course']);
  });
});

describe('the walkthrough’s reveal', () => {
  it('hides every stage before the walk and in another cycle’s walk', () => {
    expect(reveals(cycle, null)).toEqual(Array(5).fill('hidden'));
    expect(reveals(cycle, { ...walk(1), cycle: 2 })).toEqual(Array(5).fill('hidden'));
  });

  it('shows earlier stages whole, the current one as far as it got, later ones not at all', () => {
    expect(reveals(cycle, walk(1))).toEqual(['moment', 'hidden', 'hidden', 'hidden', 'hidden']);
    expect(reveals(cycle, walk(3, true))).toEqual(['needs', 'needs', 'needs', 'hidden', 'hidden']);
    expect(reveals(cycle, walk(5, true, true))).toEqual(Array(5).fill('needs'));
  });

  it('groups the columns by phase, the current stage marked and wide, hidden ones narrow', () => {
    const groups = byPhase(cycle, walk(3));
    expect(groups.map((g) => [g.label, g.columns.map((c) => c.index)])).toEqual([
      ['Pre-service', [0, 1]],
      ['During service', [2]],
      ['After service', [3, 4]],
    ]);
    const columns = groups.flatMap((g) => g.columns);
    expect(columns.filter((c) => c.current).map((c) => c.stage.title)).toEqual(['The repair']);
    expect(columnWeight(columns[2])).toBeGreaterThan(columnWeight(columns[0]));
    expect(columnWeight(columns[4])).toBeLessThan(columnWeight(columns[0]));
    // The findings: no stage is current.
    expect(byPhase(cycle, walk(5, true, true)).flatMap((g) => g.columns).some((c) => c.current)).toBe(false);
  });

  it('gives needs of stages walked past fewer lines the more of them share a column', () => {
    expect([1, 2, 3, 4, 5, 9].map(compactLines)).toEqual([4, 4, 2, 2, 1, 1]);
  });

  it('leaves out a phase without stages', () => {
    const short = { ...cycle, stages: cycle.stages.filter((s) => s.phase !== 'during_service') };
    expect(byPhase(short, null).map((g) => g.phase)).toEqual(['pre_service', 'after_service']);
  });

  it('words the position and knows the ends', () => {
    expect(walkPosition(cycle, walk(2))).toBe('Stage 2 of 5 · the moment of truth');
    expect(walkPosition(cycle, walk(2, true))).toBe('Stage 2 of 5 · its needs');
    expect(walkPosition(cycle, walk(5, true, true))).toBe('The findings');
    expect(canStep(cycle, walk(1), false)).toBe(false);
    expect(canStep(cycle, walk(1, true), false)).toBe(true);
    expect(canStep(cycle, walk(5, true), true)).toBe(true);
    expect(canStep(cycle, walk(5, true, true), true)).toBe(false);
    expect(canStep(cycle, walk(5, true, true), false)).toBe(true);
  });
});

describe('the room’s proposals', () => {
  const all = proposals(1, 3);

  it('lists a stage’s proposals by votes, without merged ones, discarded ones only for the trainer', () => {
    expect(stageProposals(all, 1, 3).map((p) => p.id)).toEqual([1, 2, 3]);
    expect(stageProposals(all, 1, 3, true).map((p) => p.id)).toEqual([1, 2, 3, 5]);
    expect(stageProposals(all, 1, 2)).toEqual([]);
    expect(stageProposals(all, 2, 3)).toEqual([]);
  });

  it('breaks a tie in votes by age', () => {
    const tied = [{ ...all[2], id: 9 }, all[2]];
    expect(stageProposals(tied, 1, 3).map((p) => p.id)).toEqual([3, 9]);
  });

  it('merges only into another open or accepted proposal of the stage', () => {
    expect(mergeTargets(all, all[2]).map((p) => p.id)).toEqual([1, 2]);
  });
});

describe('the findings', () => {
  const f = findings(cycle, TWO_WAY);

  it('says whether the self-assessment said no or nobody answered', () => {
    const said = f.without_two_way.find((r) => r.two_way === 'no')!;
    const silent = f.without_two_way.find((r) => r.two_way === null)!;
    expect(twoWayReason(said)).toBe('the self-assessment said “no”');
    expect(twoWayReason(silent)).toBe('nobody answered for this pair');
  });

  it('scales the phases’ bars to the largest', () => {
    const bars = phaseBars([
      { phase: 'pre_service', stages: 2, needs: 4 },
      { phase: 'during_service', stages: 1, needs: 2 },
      { phase: 'after_service', stages: 0, needs: 0 },
    ]);
    expect(bars.map((b) => [b.label, b.share])).toEqual([
      ['Pre-service', 1],
      ['During service', 0.5],
      ['After service', 0],
    ]);
    expect(phaseBars([{ phase: 'pre_service', stages: 1, needs: 0 }])[0].share).toBe(0);
  });
});

describe('units, the projector’s choice and the editor', () => {
  it('names units, and a need nobody delivers', () => {
    const nameOf = unitNamer(map);
    expect(nameOf('field-engineers')).toBe('Field Engineers');
    expect(nameOf('gone')).toBe('gone');
    expect(nameOf(null)).toBe('Nobody delivers this');
  });

  it('says where a need comes from, naming its customer when it is not the stage’s frontline', () => {
    const nameOf = unitNamer(map);
    const [parts, , , word] = cycle.stages[2].needs;
    expect(needRoute(parts, nameOf, 'field-engineers')).toBe('from Warehouse');
    expect(needRoute(parts, nameOf, 'customer-service')).toBe('Warehouse → Field Engineers');
    expect(needRoute(word, nameOf, 'field-engineers')).toBe('Nobody delivers this (for Customer Service)');
  });

  it('shows a running walk, except over a game outside the cycle’s own activity', () => {
    const kind = (k: Activity['kind']) => ({ kind: k }) as Activity;
    expect(showsCycle(kind('engagement_cycle'), null, false)).toBe(false);
    expect(showsCycle(kind('engagement_cycle'), walk(1), true)).toBe(true);
    expect(showsCycle(kind('welcome'), walk(1), false)).toBe(true);
    expect(showsCycle(undefined, walk(1), false)).toBe(true);
    expect(showsCycle(kind('ripple_round'), walk(1), true)).toBe(false);
  });

  it('finds the stage a refusal names', () => {
    expect(stageOfError("stage 4 ('The invoice'): a pre-service stage cannot follow a during service stage")).toBe(3);
    expect(stageOfError('stage 12: title: must not be empty')).toBe(11);
    expect(stageOfError('customer: there is no unit')).toBeNull();
    expect(stageOfError(null)).toBeNull();
  });

  it('starts a new cycle for a customer segment at a frontline unit, and moves stages', () => {
    const c = blankCycle(map);
    expect(c.id).toBe(0);
    expect(map.units.find((u) => u.id === c.customer)!.kind).toBe('external');
    expect(map.units.find((u) => u.id === c.stages[0].moment.unit)!.kind).toBe('frontline');
    const moved = moveStage(cycle.stages, 0, 1);
    expect(moved.map((s) => s.id)).toEqual([2, 1, 3, 4, 5]);
    expect(moveStage(cycle.stages, 0, -1)).toBe(cycle.stages);
    expect(moveStage(cycle.stages, 4, 1)).toBe(cycle.stages);
  });
});
