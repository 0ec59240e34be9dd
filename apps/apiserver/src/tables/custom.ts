// Printers that are not hand-written: custom resources (CRD
// additionalPrinterColumns, apiextensions-apiserver's tableconvertor) and
// built-in types without a printer (apiserver's default table convertor).

import { parseTimestamp, since } from './duration';
import { findResults, JSONPath, parseJSONPath } from './jsonpath';
import { Cell, ObjectMetaJSON, Printer, PrinterColumn } from './types';
import { AGE_DESCRIPTION, column, nameColumn } from './util';

/** What apiextensions-apiserver serves when a CRD version declares no
 * additionalPrinterColumns. */
export const DEFAULT_PRINTER_COLUMNS: PrinterColumn[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: AGE_DESCRIPTION },
];

/** Go's fmt %v for a float64 (strconv 'g', shortest representation). */
export function goFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  const digits = mantissa.replace(/[-.]/g, '').length;
  let eprec = 6;
  if (eprec > digits && digits >= exp + 1) eprec = digits;
  if (exp < -4 || exp >= eprec) {
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${mantissa}e${exp < 0 ? '-' : '+'}${e}`;
  }
  return String(n);
}

/** encoding/json output: sorted map keys, compact, HTML-safe escapes. */
function goJSON(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sortKeys(value))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}

/** A `string` column prints the value as `kubectl -o jsonpath` would. */
function printValue(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goFloat(value);
  if (typeof value === 'boolean') return String(value);
  return goJSON(value);
}

/** cellForJSONValue: the typed cell for integer/number/boolean/date columns. */
export function typedCell(type: string, value: unknown, now: Date): Cell {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'string':
      return typeof value === 'string' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const text = value === 'null' ? '' : value; // metav1.Time.UnmarshalQueryParameter
      const t = parseTimestamp(text);
      return t !== null && Number.isNaN(t) ? '<invalid>' : since(text, now);
    }
  }
  return null;
}

/** Evaluates one column against an object: the first match, or null. */
export function columnCell(column: PrinterColumn, path: JSONPath, obj: unknown, now: Date): Cell {
  let results: unknown[];
  try {
    results = findResults(path, obj);
  } catch {
    return null;
  }
  if (results.length === 0) return null;
  return column.type === 'string' ? printValue(results[0]) : typedCell(column.type, results[0], now);
}

/** The printer for a custom resource with the given additionalPrinterColumns
 * (empty: NAME, AGE). Columns after the first unparseable JSONPath are
 * dropped, as apiextensions-apiserver does. */
export function customResourcePrinter(printerColumns: PrinterColumn[]): Printer {
  const columns = printerColumns.length > 0 ? printerColumns : DEFAULT_PRINTER_COLUMNS;
  const parsed: Array<{ column: PrinterColumn; path: JSONPath }> = [];
  for (const c of columns) {
    try {
      parsed.push({ column: c, path: parseJSONPath(c.jsonPath) });
    } catch {
      break;
    }
  }
  return {
    columns: [
      nameColumn(),
      ...parsed.map(({ column: c }) =>
        column(c.name, c.type, c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`, {
          priority: c.priority ?? 0,
          format: c.format ?? '',
        }),
      ),
    ],
    cells: (obj: { metadata?: ObjectMetaJSON }, ctx) => [
      obj.metadata?.name ?? '',
      ...parsed.map(({ column: c, path }) => columnCell(c, path, obj, ctx.now)),
    ],
  };
}

/** Groups served by kube-apiserver itself. Their resources without a
 * dedicated printer (roles, clusterroles, limitranges, CRDs, ...) print with
 * the apiserver's default convertor: NAME, CREATED AT. */
export const BUILT_IN_GROUPS = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
]);

/** rest.DefaultTableConvertor: NAME and CREATED AT (an RFC 3339 date). */
export const builtInDefaultPrinter: Printer = {
  columns: [nameColumn(), column('Created At', 'date', AGE_DESCRIPTION)],
  cells(obj: { metadata?: ObjectMetaJSON }) {
    const t = parseTimestamp(obj.metadata?.creationTimestamp);
    const created = t === null || Number.isNaN(t) ? '0001-01-01T00:00:00Z' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return [obj.metadata?.name ?? '', created];
  },
};
