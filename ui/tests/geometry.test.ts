import { describe, expect, it } from 'vitest';
import type { MapLayout } from '../src/lib/bindings/MapLayout';
import type { ServiceLink } from '../src/lib/bindings/ServiceLink';
import type { Unit } from '../src/lib/bindings/Unit';
import type { UnitKind } from '../src/lib/bindings/UnitKind';
import type { WorkshopView } from '../src/lib/bindings/WorkshopView';
import {
  MIN_FONT,
  columnHeadings,
  edgeInset,
  fitLayout,
  headingText,
  labelFont,
  labelLines,
  routeLinks,
} from '../src/lib/geometry';
import demo from './fixtures/demo-view.json';

const demoView = demo as WorkshopView;

const unit = (id: string, kind: UnitKind): Unit => ({ id, name: id, kind, weight: 1 });
const link = (provider: string, customer: string, strength = 0.5): ServiceLink => ({
  provider,
  customer,
  service: 's',
  strength,
  lag: 1,
  quality: '',
  time: '',
  delivery: '',
});

//   col 0        col 1          col 2
//   hr  ───────▶ sales ───────▶ households
//   it  ───────▶   │ ▲
//                 ops┘   (sales → ops → sales: a loop within the front line)
const units = [
  unit('hr', 'support'),
  unit('it', 'support'),
  unit('sales', 'frontline'),
  unit('ops', 'frontline'),
  unit('households', 'external'),
];
const layout: MapLayout = {
  width: 1600,
  height: 900,
  columns: 3,
  nodes: [
    { id: 'hr', column: 0, x: 110, y: 300 },
    { id: 'it', column: 0, x: 110, y: 600 },
    { id: 'sales', column: 1, x: 800, y: 300 },
    { id: 'ops', column: 1, x: 800, y: 600 },
    { id: 'households', column: 2, x: 1490, y: 450 },
  ],
};

describe('fitLayout', () => {
  it('keeps every box inside the drawing area and apart from its neighbours', () => {
    const { layout: fitted, size } = fitLayout(demoView.layout, 973, 665);
    for (const n of fitted.nodes) {
      expect(n.x - size.w / 2).toBeGreaterThanOrEqual(0);
      expect(n.x + size.w / 2).toBeLessThanOrEqual(973);
      expect(n.y - size.h / 2).toBeGreaterThanOrEqual(0);
      expect(n.y + size.h / 2).toBeLessThanOrEqual(665);
    }
    for (const a of fitted.nodes) {
      for (const b of fitted.nodes) {
        if (a === b) continue;
        const apart = Math.abs(a.x - b.x) >= size.w || Math.abs(a.y - b.y) >= size.h;
        expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
      }
    }
  });

  it('keeps columns and the order within a column', () => {
    const { layout: fitted } = fitLayout(layout, 1000, 600);
    expect(fitted.nodes.map((n) => n.column)).toEqual([0, 0, 1, 1, 2]);
    const [hr, it, sales, , households] = fitted.nodes;
    expect(hr.x).toBe(it.x);
    expect(hr.y).toBeLessThan(it.y);
    expect(hr.x).toBeLessThan(sales.x);
    expect(sales.x).toBeLessThan(households.x);
  });

  it('labels the demo map at a size that reads on a 1280×720 projector', () => {
    // The map's share of a 1280×720 window beside the details panel.
    const { size } = fitLayout(demoView.layout, 973, 665);
    const font = labelFont(demoView.map.units.map((u) => u.name), size);
    expect(font).toBeGreaterThanOrEqual(MIN_FONT);
    for (const u of demoView.map.units) expect(labelLines(u.name, size, font)).toEqual([u.name]);
  });
});

describe('routeLinks', () => {
  const { layout: fitted, size } = fitLayout(layout, 1000, 600);
  const at = (id: string) => fitted.nodes.find((n) => n.id === id)!;

  it('runs a link from the right edge of the provider to the left edge of a customer further right', () => {
    const [g] = routeLinks(units, fitted, [link('hr', 'sales')], size);
    expect(g.start).toEqual({ x: at('hr').x + size.w / 2, y: at('hr').y });
    expect(g.tip).toEqual({ x: at('sales').x - size.w / 2, y: at('sales').y });
    const [x, y] = g.d.slice(1).split('C')[0].split(',').map(Number);
    expect(x).toBeCloseTo(g.start.x, 1);
    expect(y).toBeCloseTo(g.start.y, 1);
  });

  it('points the arrowhead into the customer', () => {
    const [g] = routeLinks(units, fitted, [link('hr', 'sales')], size);
    const xs = g.head.split(' ').map((p) => Number(p.split(',')[0]));
    expect(xs[0]).toBeCloseTo(g.tip.x, 1);
    expect(xs[1]).toBeLessThan(g.tip.x);
    expect(xs[2]).toBeLessThan(g.tip.x);
  });

  it('makes stronger links thicker', () => {
    const [weak, strong] = routeLinks(units, fitted, [link('hr', 'sales', 0.2), link('it', 'sales', 1)], size);
    expect(strong.width).toBeGreaterThan(weak.width);
  });

  it('sends a link against the flow out of the left edge and into the right edge', () => {
    const [g] = routeLinks(units, fitted, [link('sales', 'hr')], size);
    expect(g.start.x).toBeCloseTo(at('sales').x - size.w / 2);
    expect(g.tip.x).toBeCloseTo(at('hr').x + size.w / 2);
  });

  it('loops a link within a column out on the right', () => {
    const [g] = routeLinks(units, fitted, [link('sales', 'ops')], size);
    expect(g.start.x).toBeCloseTo(at('sales').x + size.w / 2);
    expect(g.tip.x).toBeCloseTo(at('ops').x + size.w / 2);
  });

  it('spreads the arrowheads arriving on one edge, in the order of their sources', () => {
    const [fromHr, fromIt] = routeLinks(units, fitted, [link('hr', 'households'), link('it', 'households')], size);
    expect(fromHr.tip.y).toBeLessThan(fromIt.tip.y);
    expect(fromIt.tip.y - fromHr.tip.y).toBeGreaterThan(10);
  });

  it('ends on the curved outline of a pill, not its bounding box', () => {
    const [fromHr] = routeLinks(units, fitted, [link('hr', 'households'), link('it', 'households')], size);
    const dy = fromHr.tip.y - at('households').y;
    expect(fromHr.tip.x).toBeCloseTo(at('households').x - size.w / 2 + edgeInset('external', size, dy));
    expect(fromHr.tip.x).toBeGreaterThan(at('households').x - size.w / 2);
  });

  it('leaves out links to unknown units and to the unit itself', () => {
    expect(routeLinks(units, fitted, [link('hr', 'nobody'), link('hr', 'hr')], size)).toEqual([]);
  });

  it('never starts or ends a link inside a box on the demo map', () => {
    const { layout: demoFitted, size: demoSize } = fitLayout(demoView.layout, 973, 665);
    const geometry = routeLinks(demoView.map.units, demoFitted, demoView.map.links, demoSize);
    expect(geometry).toHaveLength(demoView.map.links.length);
    // Strictly inside a unit's outline (pills and cut corners included).
    const inside = (p: { x: number; y: number }) =>
      demoFitted.nodes.some((n, i) => {
        const dy = p.y - n.y;
        const halfWidth = demoSize.w / 2 - edgeInset(demoView.map.units[i].kind, demoSize, dy);
        return Math.abs(dy) < demoSize.h / 2 - 0.5 && Math.abs(p.x - n.x) < halfWidth - 0.5;
      });
    for (const g of geometry) {
      expect(inside(g.start), `${g.provider} → ${g.customer} start`).toBe(false);
      expect(inside(g.tip), `${g.provider} → ${g.customer} tip`).toBe(false);
    }
  });
});

describe('edgeInset', () => {
  const size = { w: 200, h: 60, font: 20 };

  it('is nothing on the straight sides and grows towards the corners of round and cut shapes', () => {
    expect(edgeInset('support', size, 25)).toBe(0);
    expect(edgeInset('external', size, 0)).toBe(0);
    expect(edgeInset('external', size, 30)).toBeCloseTo(30);
    expect(edgeInset('frontline', size, 0)).toBe(0);
    expect(edgeInset('frontline', size, 30)).toBeGreaterThan(0);
  });
});

describe('columnHeadings', () => {
  it('names the runs of columns, with one heading centred over all support tiers', () => {
    const headings = columnHeadings(demoView.map.units, demoView.layout);
    expect(headings.map((h) => h.label)).toEqual(['Support', 'Frontline', 'External customers']);
    const xs = [...new Set(demoView.layout.nodes.map((n) => n.x))].sort((a, b) => a - b);
    expect(headings[0].x).toBeCloseTo((xs[0] + xs[1]) / 2);
  });
});

describe('labelLines', () => {
  const size = { w: 160, h: 50, font: 22 };

  it('keeps a name that fits on one line', () => {
    expect(labelLines('Finance', size, 16)).toEqual(['Finance']);
  });

  it('wraps a long name onto two lines and cuts what still does not fit', () => {
    const lines = labelLines('Regional after-sales coordination and quality office', size, 16);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('Regional');
    expect(lines[1].endsWith('…')).toBe(true);
    for (const line of lines) expect(line.length * 16 * 0.54).toBeLessThanOrEqual(size.w);
  });
});

describe('column headings', () => {
  it('stay inside the drawing: a long one on the edge column takes two lines', () => {
    expect(headingText({ label: 'Frontline', x: 600 }, 16, 1280)).toEqual({ x: 600, lines: ['Frontline'] });
    const edge = headingText({ label: 'External customers', x: 870 }, 16, 935);
    expect(edge.lines).toEqual(['External', 'customers']);
    expect(edge.x + (0.58 * 16 * 9) / 2).toBeLessThanOrEqual(935);
    expect(headingText({ label: 'Support', x: 5 }, 16, 1280).x).toBeGreaterThan(5);
  });
});
