// The unit scorecard and the exports as the presenter lists them (pure; tested).
import type { UnitScorecard } from './bindings/UnitScorecard';

/** Every export, in the order a trainer reaches for them. */
export const EXPORTS: { format: string; label: string; what: string }[] = [
  { format: 'report', label: 'Report (HTML)', what: 'One page with the scorecard, charts, the map, the rounds, the cycle and the answers' },
  { format: 'pdf', label: 'Report (PDF)', what: 'The same report, to print or mail' },
  { format: 'xlsx', label: 'Spreadsheet (XLSX)', what: 'One sheet per table, with filters' },
  { format: 'csv', label: 'Tables (CSV, zip)', what: 'One CSV file per table' },
  { format: 'json', label: 'Archive (JSON)', what: 'The whole workshop, to open again in Ripple' },
  { format: 'graphml', label: 'Map (GraphML)', what: 'The organisation map for graph tools' },
  { format: 'kumu', label: 'Map (Kumu, zip)', what: 'The map as Kumu elements and connections' },
];

/** 7.5, or a dash for no answer. */
export function oneDecimal(x: number | null): string {
  return x === null ? '–' : x.toFixed(1);
}

/** +1.5 / −0.5 / 0.0, or a dash. */
export function gapText(x: number | null): string {
  if (x === null) return '–';
  const r = Math.round(x * 10) / 10;
  if (r === 0) return '0.0';
  return r > 0 ? `+${r.toFixed(1)}` : `−${Math.abs(r).toFixed(1)}`;
}

/** 40 %, or a dash. */
export function percentText(x: number | null): string {
  return x === null ? '–' : `${Math.round(x * 100)} %`;
}

/** Needs captured for a unit, self-assessment and Engagement Cycle together: "2 / 1 / 0". */
export function needsText(u: Pick<UnitScorecard, 'needs' | 'cycle_needs'>): string {
  const n = (k: 'quality' | 'time' | 'delivery') => u.needs[k] + u.cycle_needs[k];
  return `${n('quality')} / ${n('time')} / ${n('delivery')}`;
}

/** A change of a share, in percentage points: +12 pts, or a dash. */
export function pointsText(x: number | null): string {
  if (x === null) return '–';
  const r = Math.round(x * 100);
  return r === 0 ? '0 pts' : r > 0 ? `+${r} pts` : `−${-r} pts`;
}
