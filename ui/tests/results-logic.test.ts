import { describe, expect, it } from 'vitest';
import type { MapLayout } from '../src/lib/bindings/MapLayout';
import type { RoomEdge } from '../src/lib/bindings/RoomEdge';
import type { Unit } from '../src/lib/bindings/Unit';
import { lanChoices, newerParticipation, parsePort } from '../src/lib/participation';
import {
  MAX_PROPOSED,
  averageOffset,
  placeLabels,
  pointOnPath,
  rating,
  ratingBars,
  ratingColour,
  resultsView,
  roomDrawing,
  svgDataUrl,
  twoWayParts,
  wordClouds,
  type RoomLink,
} from '../src/lib/results';
import { emptyResults, participation } from './fixtures/room';

const lum = (hex: string) => {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

describe('which results an activity reveals', () => {
  const results = participation().results;
  it('the self-assessment’s charts in the self-assessment, the thanks wall in the thanks activity', () => {
    expect(resultsView('self_assessment', results)).toBe('self_assessment');
    expect(resultsView('thanks', results)).toBe('thanks');
    expect(resultsView('thanks', { ...results, thanks: [] })).toBe('thanks');
  });
  it('the thanks wall in any other activity once there are notes, else nothing', () => {
    for (const kind of ['welcome', 'ripple_round', 'engagement_cycle', 'debrief', 'custom', null] as const) {
      expect(resultsView(kind, results)).toBe('thanks');
      expect(resultsView(kind, { ...results, thanks: [] })).toBeNull();
    }
  });
});

describe('the rating colour scale', () => {
  it('runs from magenta through grey to green, clamped at the ends', () => {
    expect(ratingColour(1)).toBe('#c51b7d');
    expect(ratingColour(5.5)).toBe('#6e6e6e');
    expect(ratingColour(10)).toBe('#3d7a1c');
    expect(ratingColour(-3)).toBe('#c51b7d');
    expect(ratingColour(42)).toBe('#3d7a1c');
    expect(ratingColour(NaN)).toBe('#6e6e6e');
  });
  it('keeps white label text readable (at least 4.5:1) everywhere on the scale', () => {
    for (let r = 1; r <= 10; r += 0.25) {
      const contrast = 1.05 / (lum(ratingColour(r)) + 0.05);
      expect(contrast, `rating ${r}`).toBeGreaterThanOrEqual(4.5);
    }
  });
  it('words ratings with one decimal at most', () => {
    expect(rating(6.2058)).toBe('6.2');
    expect(rating(7)).toBe('7');
    expect(rating(6.96)).toBe('7');
  });
});

describe('the charts', () => {
  it('scale the bars to the tallest, and leave them flat with no ratings', () => {
    const bars = ratingBars({ counts: [0, 2, 0, 0, 0, 0, 0, 4, 0, 1], total: 7, average: 5.857 });
    expect(bars.map((b) => b.height)).toEqual([0, 0.5, 0, 0, 0, 0, 0, 1, 0, 0.25]);
    expect(bars.map((b) => b.rating)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ratingBars(emptyResults().ratings).every((b) => b.height === 0)).toBe(true);
    expect(averageOffset(1)).toBe(0.05);
    expect(averageOffset(10)).toBe(0.95);
  });
  it('split the two-way links into shares that add up', () => {
    const parts = twoWayParts({ yes: 1, sometimes: 1, no: 2, links: 4, share_yes: 0.25 });
    expect(parts.map((p) => [p.key, p.share, p.text])).toEqual([
      ['yes', 0.25, '25%'],
      ['sometimes', 0.25, '25%'],
      ['no', 0.5, '50%'],
    ]);
    expect(twoWayParts(emptyResults().two_way).map((p) => p.text)).toEqual(['0%', '0%', '0%']);
  });
  it('size the words of all three clouds on one scale, at most `limit` words each', () => {
    const clouds = wordClouds(
      [
        { category: 'quality', needs: 9, words: [{ word: 'a', count: 9 }, { word: 'b', count: 1 }] },
        { category: 'time', needs: 5, words: [{ word: 'c', count: 5 }, { word: 'd', count: 3 }, { word: 'e', count: 2 }] },
        { category: 'delivery', needs: 0, words: [] },
      ],
      2,
    );
    expect(clouds.map((c) => c.label)).toEqual(['Quality', 'Time', 'Delivery method']);
    expect(clouds[0].words.map((w) => w.scale)).toEqual([3, 1]);
    expect(clouds[1].words.map((w) => w.word)).toEqual(['c', 'd']);
    expect(clouds[1].words[0].scale).toBeCloseTo(1 + 2 * Math.sqrt(4 / 8));
  });
  it('makes an SVG document a data URL an image can show', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1"/></svg>';
    const url = svgDataUrl(svg);
    expect(url).not.toContain('<');
    expect(url).not.toContain('"');
    expect(decodeURIComponent(url.replace('data:image/svg+xml;charset=utf-8,', ''))).toBe(svg);
  });
});

// finance (column 0) serves sales (column 1) serves households (column 2).
const units: Unit[] = [
  { id: 'finance', name: 'Finance', kind: 'support', weight: 1 },
  { id: 'sales', name: 'Sales', kind: 'frontline', weight: 1 },
  { id: 'households', name: 'Households', kind: 'external', weight: 1 },
];
const layout: MapLayout = {
  width: 1600,
  height: 900,
  columns: 3,
  nodes: [
    { id: 'finance', column: 0, x: 110, y: 450 },
    { id: 'sales', column: 1, x: 800, y: 450 },
    { id: 'households', column: 2, x: 1490, y: 450 },
  ],
};
const edge = (provider: string, customer: RoomEdge['customer'], average = 5, count = 1): RoomEdge => ({ provider, customer, average, count });

describe('the room map', () => {
  it('draws unit edges left to right and leaves out unknown providers and self-edges', () => {
    const d = roomDrawing(
      units,
      layout,
      [edge('finance', { unit: 'sales' }, 3, 4), edge('ghost', { unit: 'sales' }), edge('sales', { unit: 'sales' }), edge('sales', { unit: 'households' }, 9, 1)],
      1000,
      600,
      { w: 40, h: 24 },
    );
    expect(d.links.map((l) => `${l.provider}→${l.customer}`)).toEqual(['finance→sales', 'sales→households']);
    expect(d.links[0].colour).toBe(ratingColour(3));
    // The most named is the thickest.
    expect(d.links[0].width).toBeGreaterThan(d.links[1].width);
    expect(d.strip).toBeNull();
    expect(d.proposed).toEqual([]);
  });

  it('puts typed customers in a strip along the bottom, the most named first, the rest in one box', () => {
    const names = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
    const edges = names.map((n, i) => edge('finance', { proposed: n }, 5, i + 1));
    const d = roomDrawing(units, layout, edges, 1000, 600, { w: 40, h: 24 });
    expect(d.strip).not.toBeNull();
    expect(d.proposed.map((p) => p.name)).toEqual(['H', 'G', 'F', 'E', 'D', `${names.length - (MAX_PROPOSED - 1)} more`]);
    expect(d.proposed.every((p) => p.y > d.strip! && p.y + p.h / 2 <= 600)).toBe(true);
    // Every edge is drawn, the less named ones into the shared box.
    expect(d.links).toHaveLength(names.length);
    const rest = d.proposed.at(-1)!;
    const a = d.links.find((l) => l.customer === 'proposed:A')!;
    expect(a.head.startsWith(`${Math.round(rest.x * 10) / 10},`)).toBe(true);
    // The map above leaves the strip free.
    expect(Math.max(...d.layout.nodes.map((n) => n.y)) + d.size.h / 2).toBeLessThanOrEqual(d.strip!);
  });

  it('places labels where they do not cover each other when it can', () => {
    const line = (y: number): RoomLink => ({
      provider: 'p',
      customer: `c${y}`,
      average: 5,
      count: 1,
      colour: '#000',
      width: 3,
      d: `M0,${y}C100,${y} 200,${y} 300,${y}`,
      head: '',
      label: { x: 0, y: 0 },
    });
    // Three horizontal lines 10 apart: labels 24 high must move apart along x.
    const links = [line(0), line(10), line(20)];
    placeLabels(links, { w: 40, h: 24 });
    expect(links[0].label).toEqual(pointOnPath(links[0].d, 0.5));
    for (let i = 0; i < links.length; i++)
      for (let j = i + 1; j < links.length; j++) {
        const [p, q] = [links[i].label, links[j].label];
        expect(Math.abs(p.x - q.x) >= 40 || Math.abs(p.y - q.y) >= 24).toBe(true);
      }
  });
});

describe('the participants panel’s rules', () => {
  it('reads the port: empty is the default, else 1–65535', () => {
    expect(parsePort('')).toBeNull();
    expect(parsePort('  ')).toBeNull();
    expect(parsePort('8765')).toBe(8765);
    expect(parsePort(' 80 ')).toBe(80);
    for (const bad of ['0', '65536', '-1', '8.5', 'http', '1e3']) expect(typeof parsePort(bad)).toBe('string');
  });
  it('offers only addresses other machines can reach', () => {
    expect(
      lanChoices([
        { ip: '192.168.1.2', interface: 'wlan0', loopback: false },
        { ip: '127.0.0.1', interface: 'lo', loopback: true },
      ]).map((a) => a.ip),
    ).toEqual(['192.168.1.2']);
  });
  it('keeps the newer of two snapshots of the same room, and any of another room', () => {
    const p = participation();
    expect(newerParticipation(p, { ...p, seq: p.seq + 1 })).toBe(true);
    expect(newerParticipation(p, { ...p, seq: p.seq - 1 })).toBe(false);
    expect(newerParticipation(p, { ...p, code: 'XYZ999', seq: 1 })).toBe(true);
    expect(newerParticipation(null, p)).toBe(true);
    expect(newerParticipation(p, null)).toBe(true);
  });
});
