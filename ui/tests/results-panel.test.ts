// The presenter's Results tab: the scorecard as the core works it out, exports to
// where the trainer picks, and an archive opened as a new workshop.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import ResultsPanel from '../src/components/ResultsPanel.svelte';
import type { Scorecard } from '../src/lib/bindings/Scorecard';
import type { UnitScorecard } from '../src/lib/bindings/UnitScorecard';
import type { UnitMovement } from '../src/lib/bindings/UnitMovement';
import type { WorkshopSummary } from '../src/lib/bindings/WorkshopSummary';
import { EXPORTS, gapText, needsText, percentText, pointsText } from '../src/lib/scorecard';
import { settle } from './fixtures/session';

const unit = (over: Partial<UnitScorecard>): UnitScorecard => ({
  unit: 'finance',
  name: 'Finance',
  kind: 'support',
  participants: 2,
  self_rating: 8,
  self_count: 2,
  received_rating: 5.25,
  received_count: 4,
  gap: 2.75,
  customer_links: 4,
  two_way_yes: 1,
  two_way_coverage: 0.25,
  needs: { quality: 1, time: 2, delivery: 0 },
  cycle_needs: { quality: 0, time: 1, delivery: 3 },
  criticality: 0.8123,
  segments_reached: 2,
  ...over,
});

let panel: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (panel) unmount(panel);
  panel = undefined;
  document.body.innerHTML = '';
});

const $ = (s: string) => document.querySelector(s) as HTMLElement | null;

type PanelBackend = {
  scorecard: () => Promise<Scorecard>;
  exportWorkshop: (f: string, a: boolean) => Promise<string | null>;
  importArchive: () => Promise<number | null>;
  scorecardMovement?: (before: number) => Promise<UnitMovement[]>;
  listWorkshops?: () => Promise<WorkshopSummary[]>;
};
async function show(backend: PanelBackend) {
  const full = { scorecardMovement: vi.fn(async () => []), listWorkshops: vi.fn(async () => []), ...backend };
  panel = mount(ResultsPanel, { target: document.body, props: { backend: full, seq: 1, live: 1 } });
  await settle(flushSync);
}

describe('the Results tab', () => {
  it('shows each unit’s scorecard row, names as text', async () => {
    const card: Scorecard = { units: [unit({}), unit({ unit: 'it', name: '<b>IT</b>', self_rating: null, gap: null, two_way_coverage: null })] };
    await show({ scorecard: vi.fn(async () => card), exportWorkshop: vi.fn(), importArchive: vi.fn() });
    const rows = [...document.querySelectorAll('#scorecard tbody tr')].map((r) => [...r.children].map((c) => c.textContent));
    expect(rows[0]).toEqual(['Finance', '2', '8.0', '5.3', '+2.8', '25 %', '1 / 3 / 3', '0.81']);
    expect(rows[1].slice(0, 5)).toEqual(['<b>IT</b>', '2', '–', '5.3', '–']);
    expect(document.querySelector('#scorecard b')).toBeNull();
  });

  it('exports in the format asked, with names left out when asked, and says where it went', async () => {
    const exportWorkshop = vi.fn(async (): Promise<string | null> => '/home/trainer/Spring report.html');
    await show({ scorecard: vi.fn(async () => ({ units: [] })), exportWorkshop, importArchive: vi.fn() });
    ($('#export-anonymous') as HTMLInputElement).click();
    $('#export-report')!.click();
    await settle(flushSync);
    expect(exportWorkshop).toHaveBeenCalledWith('report', true);
    expect($('#export-said')!.textContent).toBe('Report (HTML) saved to /home/trainer/Spring report.html');
    // A cancelled dialog says nothing; a refusal says the core's words.
    exportWorkshop.mockResolvedValueOnce(null);
    $('#export-pdf')!.click();
    await settle(flushSync);
    expect($('#export-said')).toBeNull();
    exportWorkshop.mockRejectedValueOnce({ code: 'output', message: 'cannot write /root/x.pdf: permission denied' });
    $('#export-pdf')!.click();
    await settle(flushSync);
    expect($('#export-error')!.textContent).toBe('cannot write /root/x.pdf: permission denied');
  });

  it('opens an archive as a new workshop', async () => {
    const importArchive = vi.fn(async () => 7);
    await show({ scorecard: vi.fn(async () => ({ units: [] })), exportWorkshop: vi.fn(), importArchive });
    $('#import-archive')!.click();
    await settle(flushSync);
    expect(importArchive).toHaveBeenCalled();
    expect($('#export-said')!.textContent).toContain('a workshop of its own');
  });
});

describe('the movement since an earlier workshop', () => {
  it('offers the other workshops and shows each unit’s change', async () => {
    const workshops: WorkshopSummary[] = [
      { id: 1, name: 'Spring (live)', updated_at: '', units: 18, links: 37 },
      { id: 4, name: 'Autumn, before the training', updated_at: '', units: 18, links: 37 },
    ];
    const moved: UnitMovement[] = [
      { unit: 'finance', name: 'Finance', in_before: true, in_after: true, self_rating: 0.5, received_rating: 2, gap: -1.5, two_way_coverage: 0.25, needs: -2, criticality: 0 },
      { unit: 'night', name: 'Night shift', in_before: false, in_after: true, self_rating: null, received_rating: null, gap: null, two_way_coverage: null, needs: null, criticality: null },
    ];
    const scorecardMovement = vi.fn(async () => moved);
    await show({ scorecard: vi.fn(async () => ({ units: [] })), exportWorkshop: vi.fn(), importArchive: vi.fn(), scorecardMovement, listWorkshops: vi.fn(async () => workshops) });
    const select = document.querySelector('#compare-with') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['(choose a workshop of the same organisation)', 'Autumn, before the training']);
    expect(document.querySelector('#movement')).toBeNull();
    select.value = '4';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await settle(flushSync);
    expect(scorecardMovement).toHaveBeenCalledWith(4);
    const rows = [...document.querySelectorAll('#movement tbody tr')].map((r) => [...r.children].map((c) => c.textContent));
    expect(rows).toEqual([
      ['Finance', '+0.5', '+2.0', '−1.5', '+25 pts', '−2'],
      ['Night shift (new)', '–', '–', '–', '–', '–'],
    ]);
  });
});

describe('scorecard wording', () => {
  it('offers every format the core exports', () => {
    expect(EXPORTS.map((e) => e.format).sort()).toEqual(['csv', 'graphml', 'json', 'kumu', 'pdf', 'report', 'xlsx']);
  });
  it('writes gaps with their sign, shares as percentages and needs from both activities', () => {
    expect([gapText(1.26), gapText(-0.5), gapText(0.04), gapText(null)]).toEqual(['+1.3', '−0.5', '0.0', '–']);
    expect([percentText(0.333), percentText(null)]).toEqual(['33 %', '–']);
    expect([pointsText(0.125), pointsText(-0.05), pointsText(0.001), pointsText(null)]).toEqual(['+13 pts', '−5 pts', '0 pts', '–']);
    expect(needsText(unit({}))).toBe('1 / 3 / 3');
  });
});
