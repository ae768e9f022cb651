// The room's live results as the projector draws them: which view fits the current
// activity, the rating colour scale, the bars, the word cloud and the room's map.
// Free of the DOM so it can be unit-tested.
import type { ActivityKind } from './bindings/ActivityKind';
import type { CustomerRef } from './bindings/CustomerRef';
import type { LiveResults } from './bindings/LiveResults';
import type { MapLayout } from './bindings/MapLayout';
import type { NeedCategory } from './bindings/NeedCategory';
import type { NeedGroup } from './bindings/NeedGroup';
import type { RatingDistribution } from './bindings/RatingDistribution';
import type { RoomEdge } from './bindings/RoomEdge';
import type { ServiceLink } from './bindings/ServiceLink';
import type { TwoWayShare } from './bindings/TwoWayShare';
import type { Unit } from './bindings/Unit';
import { fitLayout, routeLinks, type NodeSize, type Point } from './geometry';

/** What the projector shows once the trainer reveals results. */
export type ResultsView = 'self_assessment' | 'thanks';

/**
 * The results that belong to an activity: the self-assessment's charts and room map
 * during the self-assessment; the thanks wall in the thanks activity, and in any
 * other once there are notes. Null: nothing to reveal (the map stays).
 */
export function resultsView(kind: ActivityKind | null, results: LiveResults): ResultsView | null {
  if (kind === 'self_assessment') return 'self_assessment';
  if (kind === 'thanks' || results.thanks.length > 0) return 'thanks';
  return null;
}

// Ratings are coloured on a diverging magenta–grey–green scale (ColorBrewer's PiYG
// family, safe for the common colour-vision deficiencies; never red against green).
// Every stop keeps at least 5:1 contrast with white text, and every link is labelled
// with its number, so the colour is never the only cue.
export const RATING_STOPS: { at: number; colour: string }[] = [
  { at: 1, colour: '#c51b7d' },
  { at: 5.5, colour: '#6e6e6e' },
  { at: 10, colour: '#3d7a1c' },
];

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const hex = (c: number[]) => '#' + c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');

/** The colour of an average rating (1–10; values outside are clamped). */
export function ratingColour(rating: number): string {
  const r = Math.min(10, Math.max(1, Number.isFinite(rating) ? rating : 5.5));
  for (let i = 1; i < RATING_STOPS.length; i++) {
    const a = RATING_STOPS[i - 1];
    const b = RATING_STOPS[i];
    if (r <= b.at) {
      const t = (r - a.at) / (b.at - a.at);
      const [ca, cb] = [rgb(a.colour), rgb(b.colour)];
      return hex(ca.map((v, k) => v + (cb[k] - v) * t));
    }
  }
  return RATING_STOPS[RATING_STOPS.length - 1].colour;
}

/** A rating as the room reads it: one decimal ("6.5"), whole numbers without ("7"). */
export function rating(value: number): string {
  const r = Math.round(value * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

/** A share as a whole percentage. */
export function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)}%` : '0%';
}

export interface Bar {
  rating: number;
  count: number;
  /** Height as a share of the tallest bar, 0–1. */
  height: number;
  colour: string;
}

/** The ten bars of the rating distribution, scaled to the tallest. */
export function ratingBars(dist: RatingDistribution): Bar[] {
  const counts = Array.from({ length: 10 }, (_, i) => dist.counts[i] ?? 0);
  const max = Math.max(0, ...counts);
  return counts.map((count, i) => ({
    rating: i + 1,
    count,
    height: max > 0 ? count / max : 0,
    colour: ratingColour(i + 1),
  }));
}

/** Where an average falls along the ten bars, as a share of the chart's width (0–1). */
export function averageOffset(average: number): number {
  return (Math.min(10, Math.max(1, average)) - 0.5) / 10;
}

export const TWO_WAY: { key: 'yes' | 'sometimes' | 'no'; label: string }[] = [
  { key: 'yes', label: 'Yes' },
  { key: 'sometimes', label: 'Sometimes' },
  { key: 'no', label: 'No' },
];

/** The three parts of the two-way bar, each as a share of the links (0–1). */
export function twoWayParts(share: TwoWayShare) {
  const total = share.yes + share.sometimes + share.no;
  return TWO_WAY.map(({ key, label }) => ({
    key,
    label,
    count: share[key],
    share: total > 0 ? share[key] / total : 0,
    text: percent(share[key], total),
  }));
}

export const CATEGORY_LABEL: Record<NeedCategory, string> = {
  quality: 'Quality',
  time: 'Time',
  delivery: 'Delivery method',
};

export interface CloudWord {
  word: string;
  count: number;
  /** Font size as a multiple of the smallest word's, 1–`maxScale`. */
  scale: number;
}

/**
 * The word clouds of the three categories, each at most `limit` words. Sizes are
 * comparable across the clouds: the most named word of any category is the largest,
 * and area rather than height follows the count (the square root).
 */
export function wordClouds(groups: NeedGroup[], limit = 14, maxScale = 3): { category: NeedCategory; label: string; needs: number; words: CloudWord[] }[] {
  const max = Math.max(1, ...groups.flatMap((g) => g.words.slice(0, limit).map((w) => w.count)));
  return groups.map((g) => ({
    category: g.category,
    label: CATEGORY_LABEL[g.category] ?? g.category,
    needs: g.needs,
    words: g.words.slice(0, limit).map((w) => ({
      word: w.word,
      count: w.count,
      scale: 1 + (maxScale - 1) * Math.sqrt(Math.max(0, w.count - 1) / Math.max(1, max - 1)),
    })),
  }));
}

/** A customer as a key and a name for the room map: a unit's id, or a typed name. */
export function customerKey(c: CustomerRef): string {
  return 'unit' in c ? c.unit : `proposed:${c.proposed}`;
}

export interface RoomNode {
  id: string;
  name: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface RoomLink {
  provider: string;
  /** `customerKey` of the customer. */
  customer: string;
  average: number;
  count: number;
  colour: string;
  width: number;
  d: string;
  head: string;
  label: Point;
}

export interface RoomDrawing {
  layout: MapLayout;
  size: NodeSize;
  /** Typed customers that are not units, in a strip along the bottom. */
  proposed: RoomNode[];
  /** Top of the proposed strip (its heading sits just above), or null without one. */
  strip: number | null;
  links: RoomLink[];
}

/** Height of the strip of proposed customers. */
const STRIP = 74;
/** At most this many proposed customers get their own box; the rest share one. */
export const MAX_PROPOSED = 6;
const r1 = (v: number) => Math.round(v * 10) / 10;

/** Stroke width for an edge named `count` times, the most named being `max`. */
function edgeWidth(count: number, max: number): number {
  return 2.5 + 5.5 * Math.sqrt(count / Math.max(1, max));
}

/** The point at `t` on the cubic Bézier curve of a path `M x,y C x1,y1 x2,y2 x3,y3`. */
export function pointOnPath(d: string, t: number): Point {
  const n = (d.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);
  if (n.length < 8) return { x: n[0] ?? 0, y: n[1] ?? 0 };
  const [x0, y0, x1, y1, x2, y2, x3, y3] = n;
  const u = 1 - t;
  const b = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
  return { x: b[0] * x0 + b[1] * x1 + b[2] * x2 + b[3] * x3, y: b[0] * y0 + b[1] * y1 + b[2] * y2 + b[3] * y3 };
}

/**
 * The room's own who-serves-whom map over the organisation's layout, in a drawing
 * of `width` × `height`: one link per room edge from the provider to the customer
 * (a unit of the map, or a box in the strip of proposed customers), coloured by its
 * average rating, as thick as it was named often, with a label placed where it does
 * not cover another label. Edges whose provider is not on the map, or that point at
 * their own unit, are left out.
 */
export function roomDrawing(units: Unit[], layout: MapLayout, edges: RoomEdge[], width: number, height: number, label: { w: number; h: number }): RoomDrawing {
  const typed = [...new Set(edges.flatMap((e) => ('proposed' in e.customer ? [e.customer.proposed] : [])))];
  const strip = typed.length ? Math.min(STRIP, height * 0.2) : 0;
  const fitted = fitLayout(layout, width, height - strip);
  const size = fitted.size;
  const index = new Map(fitted.layout.nodes.map((n) => [n.id, n]));
  const max = Math.max(1, ...edges.map((e) => e.count));

  // The proposed customers: the most named first (as the results list them), the
  // last box taking the rest when there are too many to draw.
  const mentions = new Map<string, number>();
  for (const e of edges) if ('proposed' in e.customer) mentions.set(e.customer.proposed, (mentions.get(e.customer.proposed) ?? 0) + e.count);
  typed.sort((a, b) => (mentions.get(b) ?? 0) - (mentions.get(a) ?? 0) || a.localeCompare(b));
  const shown = typed.length > MAX_PROPOSED ? typed.slice(0, MAX_PROPOSED - 1) : typed;
  const rest = typed.length - shown.length;
  const boxes = shown.map((name) => ({ id: `proposed:${name}`, name }));
  if (rest > 0) boxes.push({ id: 'proposed:', name: `${rest} more` });
  const slot = (width - 32) / Math.max(1, boxes.length);
  const boxW = Math.min(size.w, slot - 16);
  const boxH = Math.min(size.h, strip - 22);
  const proposed: RoomNode[] = boxes.map((b, i) => ({
    ...b,
    x: 16 + slot * (i + 0.5),
    y: height - strip / 2 + 6,
    w: boxW,
    h: boxH,
  }));
  const boxOf = new Map(proposed.map((p) => [p.id, p]));
  const proposedBox = (name: string) => boxOf.get(`proposed:${name}`) ?? boxOf.get('proposed:')!;

  // Links between units: routed as the organisation map routes its links.
  const unitEdges = edges.filter((e) => 'unit' in e.customer && index.has(e.provider) && index.has(e.customer.unit) && e.provider !== e.customer.unit);
  const asLinks: ServiceLink[] = unitEdges.map((e) => ({
    provider: e.provider,
    customer: (e.customer as { unit: string }).unit,
    service: '',
    strength: 0,
    lag: 0,
    quality: '',
    time: '',
    delivery: '',
  }));
  const routed = routeLinks(units, fitted.layout, asLinks, size);

  const links: RoomLink[] = [];
  const byPair = new Map(routed.map((g) => [`${g.provider}→${g.customer}`, g]));
  for (const e of edges) {
    const p = index.get(e.provider);
    if (!p) continue;
    const width = edgeWidth(e.count, max);
    const common = { provider: e.provider, customer: customerKey(e.customer), average: e.average, count: e.count, colour: ratingColour(e.average), width };
    if ('unit' in e.customer) {
      const g = byPair.get(`${e.provider}→${e.customer.unit}`);
      if (!g) continue;
      // Heads sized for the edge's own width (routeLinks sized them for a thin line).
      const arrive = Math.sign(g.tip.x - headBaseX(g.head)) || 1;
      links.push({ ...common, d: g.d, head: arrowHead(g.tip, { x: arrive, y: 0 }, width), label: { x: 0, y: 0 } });
    } else {
      // From the provider's right edge (as its other links leave) down into the
      // proposed customer's box in the strip.
      const q = proposedBox(e.customer.proposed);
      const start = { x: p.x + size.w / 2, y: p.y };
      const tip = { x: q.x, y: q.y - q.h / 2 };
      const headLength = 9 + 1.4 * width;
      const base = { x: tip.x, y: tip.y - headLength + 1 };
      const out = Math.max(40, Math.abs(base.x - start.x) * 0.5);
      const down = Math.max(30, (base.y - start.y) * 0.6);
      const d = `M${r1(start.x)},${r1(start.y)}C${r1(start.x + out)},${r1(start.y)} ${r1(base.x)},${r1(base.y - down)} ${r1(base.x)},${r1(base.y)}`;
      links.push({ ...common, d, head: arrowHead(tip, { x: 0, y: 1 }, width), label: { x: 0, y: 0 } });
    }
  }
  const obstacles = [
    ...fitted.layout.nodes.map((n) => ({ x: n.x, y: n.y, w: size.w, h: size.h })),
    ...proposed.map((q) => ({ x: q.x, y: q.y, w: q.w, h: q.h })),
  ];
  placeLabels(links, label, obstacles);
  return { layout: fitted.layout, size, proposed, strip: strip ? height - strip : null, links };
}

function headBaseX(head: string): number {
  const n = head.split(/[ ,]/).map(Number);
  return n[2] ?? 0;
}

/** An arrowhead with its tip at `tip`, pointing along `dir` (a unit axis vector). */
function arrowHead(tip: Point, dir: Point, width: number): string {
  const length = 9 + 1.4 * width;
  const half = 3.5 + 0.8 * width;
  const bx = tip.x - dir.x * length;
  const by = tip.y - dir.y * length;
  // Perpendicular to the direction.
  const px = -dir.y * half;
  const py = dir.x * half;
  return `${r1(tip.x)},${r1(tip.y)} ${r1(bx + px)},${r1(by + py)} ${r1(bx - px)},${r1(by - py)}`;
}

/** Where along a curve a label may go, the middle first. */
const LABEL_AT = [0.5, 0.44, 0.56, 0.38, 0.62, 0.32, 0.68, 0.26, 0.74, 0.2, 0.8, 0.14, 0.86, 0.08, 0.92];

/**
 * Puts each link's label on its curve where it covers no label placed before it
 * and no box (`obstacles`, centred rectangles); where that cannot be, where it
 * covers the fewest (another label counting more than a box).
 */
export function placeLabels(
  links: RoomLink[],
  box: { w: number; h: number },
  obstacles: { x: number; y: number; w: number; h: number }[] = [],
): void {
  const placed: Point[] = [];
  const cost = (p: Point) =>
    2 * placed.filter((q) => Math.abs(p.x - q.x) < box.w && Math.abs(p.y - q.y) < box.h).length +
    obstacles.filter((o) => Math.abs(p.x - o.x) < (box.w + o.w) / 2 && Math.abs(p.y - o.y) < (box.h + o.h) / 2).length;
  for (const l of links) {
    let best = pointOnPath(l.d, LABEL_AT[0]);
    let bestCost = cost(best);
    for (const t of LABEL_AT.slice(1)) {
      if (bestCost === 0) break;
      const p = pointOnPath(l.d, t);
      const c = cost(p);
      if (c < bestCost) [best, bestCost] = [p, c];
    }
    l.label = { x: r1(best.x), y: r1(best.y) };
    placed.push(best);
  }
}

/** An SVG document as a `data:` URL for an `<img>` (the CSP allows `img-src data:`). */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
