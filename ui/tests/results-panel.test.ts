// The presenter's Results tab: the scorecard as the core works it out, exports to
// where the trainer picks, and an archive opened as a new workshop.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import ResultsPanel from '../src/components/ResultsPanel.svelte';
import type { Scorecard } from '../src/lib/bindings/Scorecard';
import type { UnitScorecard } from '../src/lib/bindings/UnitScorecard';
import { EXPORTS, gapText, needsText, percentText } from '../src/lib/scorecard';
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

async function show(backend: Parameters<typeof mountPanel>[0]) {
  mountPanel(backend);
  await settle(flushSync);
}
function mountPanel(backend: { scorecard: () => Promise<Scorecard>; exportWorkshop: (f: string, a: boolean) => Promise<string | null>; importArchive: () => Promise<number | null> }) {
  panel = mount(ResultsPanel, { target: document.body, props: { backend, seq: 1 } });
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

describe('scorecard wording', () => {
  it('offers every format the core exports', () => {
    expect(EXPORTS.map((e) => e.format).sort()).toEqual(['csv', 'graphml', 'json', 'kumu', 'pdf', 'report', 'xlsx']);
  });
  it('writes gaps with their sign, shares as percentages and needs from both activities', () => {
    expect([gapText(1.26), gapText(-0.5), gapText(0.04), gapText(null)]).toEqual(['+1.3', '−0.5', '0.0', '–']);
    expect([percentText(0.333), percentText(null)]).toEqual(['33 %', '–']);
    expect(needsText(unit({}))).toBe('1 / 3 / 3');
  });
});
