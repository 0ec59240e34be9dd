// Helpers for the *.unit.spec.ts files in this folder (no jest dependency).

import { toTable } from './table';
import { Cell, PrinterColumn, ResourceRef, Table } from './types';

export const NOW = new Date('2025-06-01T12:00:00Z');

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, y: 365 * 86_400_000 };

/** RFC 3339 timestamp `spec` before NOW, e.g. ago('2d3h'), ago('45s'). */
export function ago(spec: string): string {
  let ms = 0;
  for (const [, n, unit] of spec.matchAll(/(\d+)([smhdy])/g)) ms += Number(n) * UNITS[unit];
  return new Date(NOW.getTime() - ms).toISOString().replace(/\.000Z$/, 'Z');
}

export const ref = (group: string, resource: string, kind: string): ResourceRef => ({ group, resource, kind });

export function table(resource: ResourceRef, objects: object[], printerColumns?: PrinterColumn[]): Table {
  return toTable(resource, objects, { includeObject: 'Metadata', now: NOW, printerColumns });
}

/** Column headers as kubectl prints them: [default columns, -o wide columns]. */
export function headers(t: Table): { normal: string[]; wide: string[] } {
  const up = (names: string[]) => names.map((n) => n.toUpperCase());
  return {
    normal: up(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)),
    wide: up(t.columnDefinitions.map((c) => c.name)),
  };
}

/** Row cells keyed by upper-cased column name, e.g. row(...)['READY']. */
export function row(resource: ResourceRef, obj: object, printerColumns?: PrinterColumn[]): Record<string, Cell> {
  const t = table(resource, [obj], printerColumns);
  const cells = t.rows[0].cells;
  if (cells.length !== t.columnDefinitions.length) throw new Error('cells and columns differ in length');
  return Object.fromEntries(t.columnDefinitions.map((c, i) => [c.name.toUpperCase(), cells[i]]));
}
