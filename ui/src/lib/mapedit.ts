// The map editor's pure rules: ids for new units, what a form may send, and how a
// change is worded. The core checks the whole map again; these catch the mistakes a
// trainer makes while typing, next to the field, before anything is sent.
import type { OrgMap } from './bindings/OrgMap';
import type { ServiceLink } from './bindings/ServiceLink';
import type { Unit } from './bindings/Unit';
import type { UnitKind } from './bindings/UnitKind';

/** The longest id the core accepts, in UTF-8 bytes. */
export const MAX_ID_BYTES = 64;

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** Cuts `s` to at most `max` UTF-8 bytes without splitting a character. */
function cut(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (bytes(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/** A unit's name as an id: lower case letters and digits joined by '-' ("Field Engineers" → "field-engineers"). */
export function slugify(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  const slug = cut(words.join('-'), MAX_ID_BYTES).replace(/-+$/, '');
  return slug || 'unit';
}

/** An id for a new unit named `name` that no unit in `taken` has: the slug, else slug-2, slug-3… */
export function uniqueId(name: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = slugify(name);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const id = cut(base, MAX_ID_BYTES - suffix.length).replace(/-+$/, '') + suffix;
    if (!used.has(id)) return id;
  }
}

/** A number as a person types it ("0,5" too); NaN when it is none. */
export function parseNumber(text: string): number {
  const t = text.trim().replace(',', '.');
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return NaN;
  return Number(t);
}

/** What the unit form holds: text as typed. */
export type UnitDraft = { name: string; kind: UnitKind; weight: string };

/** Field → what is wrong with it; empty when the draft can be sent. */
export type Problems = Partial<Record<string, string>>;

export function unitProblems(d: UnitDraft): Problems {
  const p: Problems = {};
  if (!d.name.trim()) p.name = 'Give the unit a name.';
  if (d.kind === 'external') {
    const w = parseNumber(d.weight);
    if (!Number.isFinite(w) || w < 0) p.weight = 'The weight is a number, 0 or more (1 = an ordinary segment).';
  }
  return p;
}

/** The unit a valid draft describes, under `id`. */
export function unitFrom(id: string, d: UnitDraft, previous?: Unit): Unit {
  const weight = d.kind === 'external' ? parseNumber(d.weight) : (previous?.weight ?? 1);
  return { id, name: d.name.trim(), kind: d.kind, weight };
}

/** What a link form holds: text as typed, and the other end (provider or customer). */
export type LinkDraft = {
  provider: string;
  customer: string;
  service: string;
  strength: string;
  lag: string;
  quality: string;
  time: string;
  delivery: string;
};

export function linkDraft(l: ServiceLink): LinkDraft {
  return { ...l, strength: String(l.strength), lag: String(l.lag) };
}

/** A new link's starting values: a strong dependency, felt within the day. */
export function newLinkDraft(provider: string, customer: string): LinkDraft {
  return { provider, customer, service: '', strength: '0.5', lag: '8', quality: '', time: '', delivery: '' };
}

/** What is wrong with a link draft in `map`; `index` is the link it replaces (null: a new one). */
export function linkProblems(map: OrgMap, d: LinkDraft, index: number | null): Problems {
  const p: Problems = {};
  const ids = new Set(map.units.map((u) => u.id));
  if (!ids.has(d.provider)) p.provider = 'Pick the unit that provides the service.';
  if (!ids.has(d.customer)) p.customer = 'Pick the unit that receives the service.';
  if (!p.provider && !p.customer && d.provider === d.customer) p.customer = 'A unit cannot serve itself.';
  if (!d.service.trim()) p.service = 'Say what is delivered.';
  else if (
    !p.provider &&
    !p.customer &&
    map.links.some(
      (l, i) => i !== index && l.provider === d.provider && l.customer === d.customer && l.service === d.service.trim(),
    )
  )
    p.service = 'This service is already on the map between these units.';
  const s = parseNumber(d.strength);
  if (!(s > 0 && s <= 1)) p.strength = 'Strength is a number above 0 and at most 1.';
  const lag = parseNumber(d.lag);
  if (!Number.isFinite(lag) || lag < 0) p.lag = 'Lag is a number of hours, 0 or more.';
  return p;
}

/** The link a valid draft describes. */
export function linkFrom(d: LinkDraft): ServiceLink {
  return {
    provider: d.provider,
    customer: d.customer,
    service: d.service.trim(),
    strength: parseNumber(d.strength),
    lag: parseNumber(d.lag),
    quality: d.quality.trim(),
    time: d.time.trim(),
    delivery: d.delivery.trim(),
  };
}

export const hasProblems = (p: Problems) => Object.keys(p).length > 0;

/** A link with its index in `map.links`, which is how the core names it. */
export type IndexedLink = { index: number; link: ServiceLink };

/** The links of a unit: those it provides and those it receives, in map order. */
export function linksOf(map: OrgMap, id: string): { out: IndexedLink[]; in: IndexedLink[] } {
  const all = map.links.map((link, index) => ({ index, link }));
  return { out: all.filter((l) => l.link.provider === id), in: all.filter((l) => l.link.customer === id) };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "18 units, 37 links". */
export function mapSummary(map: OrgMap): string {
  return `${plural(map.units.length, 'unit', 'units')}, ${plural(map.links.length, 'link', 'links')}`;
}

/** How many links a unit's deletion takes with it, in words ("2 links go with it"). */
export function deletionWords(map: OrgMap, id: string): string {
  const n = map.links.filter((l) => l.provider === id || l.customer === id).length;
  if (n === 0) return 'No links go with it.';
  return `${plural(n, 'link goes', 'links go')} with it.`;
}

/** How strongly a customer depends on a service, in words. */
export function strengthWords(s: number): string {
  if (!(s > 0 && s <= 1)) return '';
  if (s >= 1) return 'blocked without it';
  if (s >= 0.7) return 'badly held up without it';
  if (s >= 0.4) return 'slowed down without it';
  return 'hardly notices without it';
}
