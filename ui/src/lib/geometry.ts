// Drawing geometry for the organisation map, kept free of the DOM so it can be
// unit-tested. Coordinates are the layout's canvas units; the SVG scales them.
import type { MapLayout } from './bindings/MapLayout';
import type { ServiceLink } from './bindings/ServiceLink';
import type { Unit } from './bindings/Unit';
import type { UnitKind } from './bindings/UnitKind';

export interface NodeSize {
  w: number;
  h: number;
  /** Label font size, in canvas units. */
  font: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface LinkGeometry {
  provider: string;
  customer: string;
  /** SVG path of the curve, ending at the arrowhead's base. */
  d: string;
  /** SVG polygon points of the arrowhead, its tip on the customer's edge. */
  head: string;
  width: number;
  start: Point;
  tip: Point;
  /** A rectangle holding the whole arrow (curve, head and stroke). */
  bounds: Rect;
}

export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface ColumnHeading {
  label: string;
  x: number;
}

/** Largest box and label, in pixels: big enough for the back of the room. */
const MAX = { w: 300, h: 64, font: 28 };
/** Room above the top row of nodes for the column headings, in pixels. */
export const HEADING_SPACE = 44;
/** Margin around the drawing: room for the selection ring of an edge unit. */
const PAD = 16;
/** Share of the space between two columns that a box takes; arrows get the rest. */
const BOX_SHARE = 0.67;

/** Closest distance between two numbers of a list, or Infinity. */
function minGap(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] - sorted[i - 1] > 1e-9) gap = Math.min(gap, sorted[i] - sorted[i - 1]);
  }
  return gap;
}

/**
 * The layout stretched to a drawing area of `width` × `height` pixels, and one box
 * size for every node: as large as fits without neighbours touching. Drawing in
 * pixels rather than scaling the canvas keeps labels at a size we choose whatever
 * the window's shape; the layout's columns and order are kept, only spacing changes.
 */
export function fitLayout(layout: MapLayout, width: number, height: number): { layout: MapLayout; size: NodeSize; place: Placement } {
  if (layout.nodes.length === 0) {
    return { layout: { ...layout, width, height }, size: { ...MAX }, place: { from: [0, 0, 0, 0], to: [0, width, 0, height] } };
  }
  const xs = layout.nodes.map((n) => n.x);
  const minX = Math.min(...xs);
  const spanX = Math.max(...xs) - minX;
  const columns = new Set(layout.nodes.map((n) => n.column)).size;
  // Solve for the column pitch p with boxes of BOX_SHARE·p, plus room for loops on the right.
  const usable = width - 2 * PAD;
  const loop = 0.2;
  let w = Math.min(MAX.w, columns > 1 ? (BOX_SHARE * usable) / (columns - 1 + BOX_SHARE * (1 + loop)) : usable);
  w = Math.max(w, 40);
  const left = PAD + w / 2;
  const right = width - PAD - w * (0.5 + loop);
  const top = HEADING_SPACE;
  const room = height - PAD - top;
  const ys = layout.nodes.map((n) => n.y);
  const minY = Math.min(...ys);
  const spanY = Math.max(...ys) - minY;
  // Box height from the closest pair in a column, solving h = 0.68·gap where the gap
  // itself shrinks as h grows (the top and bottom boxes must fit inside the area).
  const byColumn = new Map<number, number[]>();
  for (const n of layout.nodes) byColumn.set(n.column, [...(byColumn.get(n.column) ?? []), n.y]);
  const gap = Math.min(...[...byColumn.values()].map(minGap));
  const ratio = Number.isFinite(gap) && spanY > 0 ? gap / spanY : 1;
  const h = Math.max(20, Math.min(MAX.h, (0.68 * ratio * room) / (1 + 0.68 * ratio), 0.7 * room));
  const nodes = layout.nodes.map((n) => ({
    ...n,
    x: spanX > 0 ? left + ((n.x - minX) / spanX) * (right - left) : width / 2,
    y: spanY > 0 ? top + h / 2 + ((n.y - minY) / spanY) * (room - h) : top + room / 2,
  }));
  return {
    layout: { ...layout, width, height, nodes },
    size: { w, h, font: Math.min(MAX.font, 0.44 * h) },
    place: { from: [minX, spanX, minY, spanY], to: [left, right - left, top + h / 2, room - h] },
  };
}

/**
 * How `fitLayout` stretched the layout: the layout's span `from` [minX, spanX, minY,
 * spanY] onto the pixels `to` [left, width, top, height].
 */
export interface Placement {
  from: [number, number, number, number];
  to: [number, number, number, number];
}

/** A point of the drawing in pixels back on the layout's canvas (where a dragged unit is stored). */
export function toLayout(p: Point, place: Placement): Point {
  const [minX, spanX, minY, spanY] = place.from;
  const [left, w, top, h] = place.to;
  return {
    x: spanX > 0 && w > 0 ? minX + ((p.x - left) / w) * spanX : minX,
    y: spanY > 0 && h > 0 ? minY + ((p.y - top) / h) * spanY : minY,
  };
}

/**
 * How far inside the box's bounding rectangle its outline is, at a height `dy`
 * from the centre: external customers are pills, frontline units have cut corners.
 */
export function edgeInset(kind: UnitKind, size: NodeSize, dy: number): number {
  const half = size.h / 2;
  const a = Math.min(Math.abs(dy), half);
  if (kind === 'external') return half - Math.sqrt(half * half - a * a);
  if (kind === 'frontline') return Math.max(0, a - (half - chamfer(size)));
  return 0;
}

export function chamfer(size: NodeSize): number {
  return size.h * 0.28;
}

/** The outline of a unit's box centred on 0,0, as an SVG path. */
export function shapePath(kind: UnitKind, w: number, h: number): string {
  const x = w / 2;
  const y = h / 2;
  if (kind === 'frontline') {
    const c = chamfer({ w, h, font: 0 });
    return `M${-x + c},${-y}H${x - c}L${x},${-y + c}V${y - c}L${x - c},${y}H${-x + c}L${-x},${y - c}V${-y + c}Z`;
  }
  const r = kind === 'external' ? y : Math.min(10, y / 3);
  return (
    `M${-x + r},${-y}H${x - r}A${r},${r} 0 0 1 ${x},${-y + r}V${y - r}A${r},${r} 0 0 1 ${x - r},${y}` +
    `H${-x + r}A${r},${r} 0 0 1 ${-x},${y - r}V${-y + r}A${r},${r} 0 0 1 ${-x + r},${-y}Z`
  );
}

/** Stroke width of a link: thicker for a stronger dependency. */
export function linkWidth(strength: number): number {
  return 1.5 + 4 * Math.min(1, Math.max(0, strength));
}

type Side = 'left' | 'right';
interface End {
  link: number;
  node: number;
  side: Side;
  /** Where the other end is, to order the ports along the edge. */
  other: Point;
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/**
 * Curved arrows for the service links. Links run from the provider's right edge to
 * the customer's left edge when the customer is in a column further right; against
 * the flow they leave on the left and arrive on the right; within a column they
 * loop out to the right. Several ends on one edge are spread along it, ordered by
 * where the other end is, so arrowheads do not pile up. Links naming an unknown
 * unit or the unit itself are not drawn.
 */
export function routeLinks(
  units: Unit[],
  layout: MapLayout,
  links: ServiceLink[],
  size: NodeSize,
): LinkGeometry[] {
  const index = new Map(layout.nodes.map((n, i) => [n.id, i]));
  const drawn: { link: ServiceLink; p: number; c: number; start: Side; end: Side }[] = [];
  for (const link of links) {
    const p = index.get(link.provider);
    const c = index.get(link.customer);
    if (p === undefined || c === undefined || p === c) continue;
    const pc = layout.nodes[p].column;
    const cc = layout.nodes[c].column;
    const start: Side = pc > cc ? 'left' : 'right';
    const end: Side = pc < cc ? 'left' : 'right';
    drawn.push({ link, p, c, start, end });
  }

  // Assign each end a port: an offset from the centre along its edge.
  const groups = new Map<string, End[]>();
  const add = (e: End) => {
    const key = `${e.node}:${e.side}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  };
  drawn.forEach((l, i) => {
    add({ link: i, node: l.p, side: l.start, other: layout.nodes[l.c] });
    add({ link: i, node: l.c, side: l.end, other: layout.nodes[l.p] });
  });
  const offsets = new Map<string, number>();
  const span = size.h * 0.7;
  for (const ends of groups.values()) {
    ends.sort((a, b) => a.other.y - b.other.y || a.other.x - b.other.x || a.link - b.link);
    ends.forEach((e, k) => {
      const dy = ends.length === 1 ? 0 : -span / 2 + (span * k) / (ends.length - 1);
      offsets.set(`${e.link}:${e.node}`, dy);
    });
  }

  const port = (node: number, side: Side, link: number): Point => {
    const n = layout.nodes[node];
    const dy = offsets.get(`${link}:${node}`) ?? 0;
    const inset = edgeInset(units[node]?.kind ?? 'support', size, dy);
    const dir = side === 'right' ? 1 : -1;
    return { x: n.x + dir * (size.w / 2 - inset), y: n.y + dy };
  };

  return drawn.map((l, i) => {
    const width = linkWidth(l.link.strength);
    const start = port(l.p, l.start, i);
    const tip = port(l.c, l.end, i);
    const out = l.start === 'right' ? 1 : -1;
    // The direction the arrow travels as it reaches the customer.
    const arrive = l.end === 'left' ? 1 : -1;
    const headLength = 9 + 1.4 * width;
    const headHalf = 3.5 + 0.8 * width;
    const base = { x: tip.x - arrive * headLength, y: tip.y };
    const sameColumn = l.start === l.end;
    const pull = sameColumn
      ? Math.min(size.w * 0.45, 30 + 0.3 * Math.abs(tip.y - start.y))
      : Math.max(30, Math.abs(base.x - start.x) * 0.45);
    // The curve stops a hair inside the head so no gap shows between them.
    const join = { x: base.x + arrive * 1, y: base.y };
    const d =
      `M${r1(start.x)},${r1(start.y)}` +
      `C${r1(start.x + out * pull)},${r1(start.y)} ${r1(join.x - arrive * pull)},${r1(join.y)} ${r1(join.x)},${r1(join.y)}`;
    const head =
      `${r1(tip.x)},${r1(tip.y)} ${r1(base.x)},${r1(base.y - headHalf)} ${r1(base.x)},${r1(base.y + headHalf)}`;
    // A Bézier curve stays inside the hull of its four points; the head reaches the tip.
    const xs = [start.x, start.x + out * pull, join.x - arrive * pull, join.x, tip.x];
    const pad = width + headHalf;
    const bounds = {
      x0: Math.min(...xs) - pad,
      y0: Math.min(start.y, tip.y) - pad,
      x1: Math.max(...xs) + pad,
      y1: Math.max(start.y, tip.y) + pad,
    };
    return { provider: l.link.provider, customer: l.link.customer, d, head, width, start, tip, bounds };
  });
}

const HEADINGS: Record<UnitKind, string> = {
  support: 'Support',
  frontline: 'Frontline',
  external: 'External customers',
};

/**
 * One heading per run of neighbouring columns holding the same kind of unit
 * (the support tiers share one), centred over that run.
 */
export function columnHeadings(units: Unit[], layout: MapLayout): ColumnHeading[] {
  const columns = new Map<number, { x: number; kind: UnitKind }>();
  layout.nodes.forEach((n, i) => {
    if (!columns.has(n.column) && units[i]) columns.set(n.column, { x: n.x, kind: units[i].kind });
  });
  const ordered = [...columns.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
  const headings: ColumnHeading[] = [];
  let run: { x: number; kind: UnitKind }[] = [];
  const flush = () => {
    if (run.length === 0) return;
    headings.push({ label: HEADINGS[run[0].kind], x: (run[0].x + run[run.length - 1].x) / 2 });
    run = [];
  };
  for (const c of ordered) {
    if (run.length > 0 && run[0].kind !== c.kind) flush();
    run.push(c);
  }
  flush();
  return headings;
}

/** Average width of a bold glyph, in ems; slightly generous, so labels never overflow. */
const GLYPH = 0.54;
/** Room left and right of a label inside its box, together. */
const LABEL_PAD = 16;
/** The smallest label worth drawing: legible from the back of a room at 1280×720. */
export const MIN_FONT = 16;
/** Names longer than this may wrap rather than shrink every label on the map. */
const WRAP_FROM = 18;

/** One label size for the whole map: the largest at which the names fit on one line. */
export function labelFont(names: string[], size: NodeSize): number {
  const longest = Math.min(WRAP_FROM, Math.max(1, ...names.map((n) => n.length)));
  const fitting = (size.w - LABEL_PAD) / (GLYPH * longest);
  return Math.max(Math.min(MIN_FONT, size.font), Math.min(size.font, fitting));
}

/**
 * A unit's name broken into at most two lines that fit its box at `font`, judged
 * by an average glyph width; anything longer is cut with an ellipsis (the side
 * panel shows the full name).
 */
export function labelLines(name: string, size: NodeSize, font: number): string[] {
  const maxChars = Math.max(1, Math.floor((size.w - LABEL_PAD) / (GLYPH * font)));
  if (name.length <= maxChars) return [name];
  const lines: string[] = [''];
  for (const word of name.split(/\s+/).filter(Boolean)) {
    const last = lines[lines.length - 1];
    const joined = last ? `${last} ${word}` : word;
    if (joined.length <= maxChars || !last) lines[lines.length - 1] = joined;
    else lines.push(word);
  }
  const cut = (s: string) => (s.length > maxChars ? `${s.slice(0, maxChars - 1)}…` : s);
  return [lines[0], lines.slice(1).join(' ')].filter(Boolean).map(cut);
}

/** The smallest rectangle holding all of `rects`, kept inside 0,0–`width`×`height` (null: none). */
export function unionRect(rects: Rect[], width: number, height: number): Rect | null {
  if (rects.length === 0) return null;
  return {
    x0: Math.max(0, Math.floor(Math.min(...rects.map((r) => r.x0)))),
    y0: Math.max(0, Math.floor(Math.min(...rects.map((r) => r.y0)))),
    x1: Math.min(width, Math.ceil(Math.max(...rects.map((r) => r.x1)))),
    y1: Math.min(height, Math.ceil(Math.max(...rects.map((r) => r.y1)))),
  };
}

/**
 * A heading as drawn: on one line if it fits around its column's centre, else on two
 * (a long heading on the edge column), its centre moved in just enough that the text,
 * judged by an average glyph, stays inside the drawing.
 */
export function headingText(h: ColumnHeading, font: number, width: number): { x: number; lines: string[] } {
  const half = (text: string) => ((GLYPH + 0.04) * font * text.length) / 2;
  const room = Math.min(h.x, width - h.x) - PAD;
  let lines = [h.label];
  const space = h.label.indexOf(' ', Math.floor(h.label.length / 2) - 2);
  if (half(h.label) > room && space > 0) lines = [h.label.slice(0, space), h.label.slice(space + 1)];
  const widest = Math.max(...lines.map(half));
  return { x: Math.max(PAD + widest, Math.min(width - PAD - widest, h.x)), lines };
}
