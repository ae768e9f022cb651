import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import App from '../src/App.svelte';
import type { Backend } from '../src/lib/backend';
import type { OrgMap } from '../src/lib/bindings/OrgMap';
import type { WorkshopView } from '../src/lib/bindings/WorkshopView';
import { DRAG_THRESHOLD, dropPosition, moveDrag, startDrag } from '../src/lib/drag';
import { fitLayout, toLayout } from '../src/lib/geometry';
import demo from './fixtures/demo-view.json';
import { fakeMap, settle, simpleLayout } from './fixtures/session';

const demoView = demo as WorkshopView;

describe('dragging a unit, free of the DOM', () => {
  it('takes the drawing’s pixels back to the layout’s canvas, wherever the window stretched it', () => {
    for (const [w, h] of [[973, 665], [1280, 720], [1920, 1080]]) {
      const { layout: fitted, place } = fitLayout(demoView.layout, w, h);
      fitted.nodes.forEach((n, i) => {
        const back = toLayout(n, place);
        expect(back.x).toBeCloseTo(demoView.layout.nodes[i].x, 6);
        expect(back.y).toBeCloseTo(demoView.layout.nodes[i].y, 6);
      });
    }
  });

  it('is a click until the pointer travels past the threshold, then follows it inside the drawing', () => {
    const place = fitLayout(demoView.layout, 1000, 600).place;
    let d = startDrag('it', { x: 100, y: 100 }, { x: 90, y: 95 });
    d = moveDrag(d, { x: 102, y: 101 }, 1000, 600);
    expect(d.moved).toBe(false);
    expect(dropPosition(d, place)).toBeNull();
    d = moveDrag(d, { x: 100 + DRAG_THRESHOLD, y: 100 }, 1000, 600);
    expect(d.moved).toBe(true);
    // The unit keeps its grip: the pointer was 10 px right of and 5 px below its centre.
    d = moveDrag(d, { x: 400, y: 300 }, 1000, 600);
    expect(d.at).toEqual({ x: 390, y: 295 });
    // Back within the threshold of the start it is still a drag.
    expect(moveDrag(d, { x: 101, y: 100 }, 1000, 600).moved).toBe(true);
    expect(moveDrag(d, { x: -500, y: 5000 }, 1000, 600).at).toEqual({ x: 0, y: 600 });
    const p = dropPosition(d, place)!;
    const exact = toLayout({ x: 390, y: 295 }, place);
    expect(p.x).toBeCloseTo(exact.x, 1);
    expect(p.y).toBeCloseTo(exact.y, 1);
  });
});

// finance ──▶ sales ──▶ households
const map: OrgMap = {
  version: 1,
  name: 'tiny',
  units: [
    { id: 'households', name: 'Households', kind: 'external', weight: 1 },
    { id: 'sales', name: 'Sales', kind: 'frontline', weight: 1 },
    { id: 'finance', name: 'Finance', kind: 'support', weight: 1 },
  ],
  links: [
    { provider: 'finance', customer: 'sales', service: 'Commission paid', strength: 0.3, lag: 120, quality: '', time: '', delivery: '' },
    { provider: 'sales', customer: 'households', service: 'Quotes', strength: 0.9, lag: 0, quality: '', time: '', delivery: '' },
  ],
};
const view: WorkshopView = { id: 3, name: 'Arranging', map, layout: simpleLayout(map) };

let app: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (app) unmount(app);
  app = undefined;
  document.body.innerHTML = '';
});

const unitAt = (id: string) => document.querySelector(`#org-map [data-unit-id="${id}"]`)!;
/** Where a unit is drawn, in the drawing's pixels (its translate). */
const centre = (id: string) => {
  const [, x, y] = /translate\(([-\d.]+) ([-\d.]+)\)/.exec(unitAt(id).getAttribute('transform')!)!;
  return { x: Number(x), y: Number(y) };
};
const pointer = (type: string, id: string, x: number, y: number) => {
  unitAt(id).dispatchEvent(new PointerEvent(type, { bubbles: true, button: 0, clientX: x, clientY: y, pointerId: 1 }));
  flushSync();
};
const moves = (backend: Backend) => vi.mocked(backend.apply).mock.calls.map(([c]) => c).filter((c) => c.type === 'move_unit');

async function presenter(editing: boolean) {
  const fake = fakeMap(view);
  document.body.innerHTML = '<div id="app"></div>';
  app = mount(App, { target: document.getElementById('app')!, props: { backend: fake.backend } });
  await settle(flushSync);
  if (editing) {
    (document.querySelector('#edit-toggle') as HTMLElement).click();
    await settle(flushSync);
  }
  return fake.backend;
}

describe('arranging the map in the editor', () => {
  it('moves a dragged unit with the pointer and stores where it was dropped, in layout coordinates', async () => {
    const backend = await presenter(true);
    const start = centre('finance');
    pointer('pointerdown', 'finance', start.x + 4, start.y + 2);
    pointer('pointermove', 'finance', start.x + 204, start.y + 62);
    expect(centre('finance')).toEqual({ x: start.x + 200, y: start.y + 60 });
    pointer('pointerup', 'finance', start.x + 204, start.y + 62);
    await settle(flushSync);
    // The drawing is the layout's own size here (no measured window), so pixels map back by fitLayout's stretch.
    const { place } = fitLayout(view.layout, view.layout.width, view.layout.height);
    const expected = toLayout({ x: start.x + 200, y: start.y + 60 }, place);
    const [move] = moves(backend);
    expect(move).toMatchObject({ type: 'move_unit', id: 'finance' });
    const position = (move as { position: { x: number; y: number } }).position;
    expect(position.x).toBeCloseTo(expected.x, 1);
    expect(position.y).toBeCloseTo(expected.y, 1);
  });

  it('moves the focused unit with Alt and the arrow keys, further with Shift', async () => {
    const backend = await presenter(true);
    const at = centre('finance');
    const { place } = fitLayout(view.layout, view.layout.width, view.layout.height);
    const press = (key: string, shiftKey = false) => {
      unitAt('finance').dispatchEvent(new KeyboardEvent('keydown', { key, altKey: true, shiftKey, bubbles: true, cancelable: true }));
      flushSync();
    };
    press('ArrowDown');
    press('ArrowRight', true);
    const positions = moves(backend).map((c) => (c as { position: { x: number; y: number } }).position);
    expect(positions).toHaveLength(2);
    expect(positions[0].x).toBeCloseTo(toLayout(at, place).x, 1);
    expect(positions[0].y).toBeCloseTo(toLayout({ x: at.x, y: at.y + 10 }, place).y, 1);
    expect(positions[1].x).toBeCloseTo(toLayout({ x: at.x + 50, y: at.y }, place).x, 1);
    // Without Alt the arrows stay the presenter's (previous and next activity).
    unitAt('finance').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(moves(backend)).toHaveLength(2);
  });

  it('takes a press without travel for a click, and lets nothing be dragged outside the editor', async () => {
    let backend = await presenter(true);
    const start = centre('sales');
    pointer('pointerdown', 'sales', start.x, start.y);
    pointer('pointermove', 'sales', start.x + 2, start.y + 1);
    pointer('pointerup', 'sales', start.x + 2, start.y + 1);
    await settle(flushSync);
    expect(moves(backend)).toEqual([]);
    expect(centre('sales')).toEqual(start);

    unmount(app!);
    backend = await presenter(false);
    pointer('pointerdown', 'sales', start.x, start.y);
    pointer('pointermove', 'sales', start.x + 300, start.y);
    pointer('pointerup', 'sales', start.x + 300, start.y);
    await settle(flushSync);
    expect(moves(backend)).toEqual([]);
    expect(centre('sales')).toEqual(start);
  });
});
