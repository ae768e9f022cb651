// Questions the side panel asks of a map, and how it words the answers.
import type { OrgMap } from './bindings/OrgMap';
import type { ServiceLink } from './bindings/ServiceLink';
import type { Unit } from './bindings/Unit';
import type { UnitKind } from './bindings/UnitKind';

export const KIND_LABEL: Record<UnitKind, string> = {
  support: 'Support unit',
  frontline: 'Frontline unit',
  external: 'External customer',
};

/** The services a unit delivers, in map order. */
export function provides(map: OrgMap, id: string): ServiceLink[] {
  return map.links.filter((l) => l.provider === id);
}

/** The services a unit receives, in map order. */
export function receives(map: OrgMap, id: string): ServiceLink[] {
  return map.links.filter((l) => l.customer === id);
}

/** The units that depend on this one, each once, in map order. */
export function customersOf(map: OrgMap, id: string): Unit[] {
  const ids = new Set(provides(map, id).map((l) => l.customer));
  return map.units.filter((u) => ids.has(u.id));
}

/** When a failure of a service is felt, in words a room takes in at a glance. */
export function whenFelt(lagHours: number): string {
  if (lagHours <= 0) return 'felt at once';
  if (lagHours < 48) return `felt after ${trim(lagHours)} ${lagHours === 1 ? 'hour' : 'hours'}`;
  if (lagHours % 168 === 0) return `felt after ${lagHours / 168} ${lagHours === 168 ? 'week' : 'weeks'}`;
  return `felt after ${trim(lagHours / 24)} days`;
}

function trim(n: number): string {
  return String(Math.round(n * 10) / 10);
}
