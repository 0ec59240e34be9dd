// Small formatting helpers shared by the printers; each mirrors a helper that
// pkg/printers/internalversion (or apimachinery) uses, named in its comment.

import { TableColumnDefinition, ObjectMetaJSON } from './types';

export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow ' +
  'a client to request the generation of an appropriate name automatically. Name is primarily intended for creation ' +
  'idempotence and configuration definition. Cannot be updated.';
export const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. ' +
  'It is represented in RFC3339 form and is in UTC.';
export const CONTAINERS_DESCRIPTION = 'Names of each container in the template.';
export const IMAGES_DESCRIPTION = 'Images referenced by each container in the template.';

export function column(
  name: string,
  type: string,
  description: string,
  extra: { priority?: number; format?: string } = {},
): TableColumnDefinition {
  return { name, type, format: extra.format ?? '', description, priority: extra.priority ?? 0 };
}

export const nameColumn = (): TableColumnDefinition => column('Name', 'string', NAME_DESCRIPTION, { format: 'name' });
export const ageColumn = (): TableColumnDefinition => column('Age', 'string', AGE_DESCRIPTION);
export const wide = (name: string, description: string): TableColumnDefinition =>
  column(name, 'string', description, { priority: 1 });

export interface Metadata {
  metadata?: ObjectMetaJSON;
}

export const nameOf = (obj: Metadata): string => obj.metadata?.name ?? '';

/** labels.FormatLabels: `k1=v1,k2=v2` sorted by key, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] | null }> | null;
}

/** metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key,
 * `""` for a nil or empty selector, null when the selector is invalid. */
export function selectorString(selector: LabelSelector | null | undefined): string | null {
  if (!selector) return '';
  const reqs: Array<{ key: string; text: string }> = [];
  for (const key of Object.keys(selector.matchLabels ?? {})) {
    reqs.push({ key, text: `${key}=${selector.matchLabels![key]}` });
  }
  for (const expr of selector.matchExpressions ?? []) {
    const values = [...(expr.values ?? [])].sort();
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return null;
        reqs.push({ key: expr.key, text: `${expr.key} ${expr.operator === 'In' ? 'in' : 'notin'} (${values.join(',')})` });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) return null;
        reqs.push({ key: expr.key, text: expr.operator === 'Exists' ? expr.key : `!${expr.key}` });
        break;
      default:
        return null;
    }
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(selector: LabelSelector | null | undefined): string {
  const s = selectorString(selector);
  if (s === null) return '<error>';
  return s === '' ? '<none>' : s;
}

export interface Container {
  name?: string;
  image?: string;
}

/** layoutContainerCells: comma-joined container names and images. */
export function containerCells(containers: Container[] | null | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** listWithMoreString: first `max` items, then ` + N more...`; `<unset>` if empty. */
export function listWithMore(items: string[], max = 3): string {
  const shown = items.slice(0, max).join(',');
  if (items.length > max) return `${shown} + ${items.length - max} more...`;
  return shown === '' ? '<unset>' : shown;
}

/** net.JoinHostPort: brackets around IPv6 hosts. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** helper.GetAccessModesAsString: RWO,ROX,RWX,RWOP in that fixed order. */
export function accessModes(modes: string[] | null | undefined): string {
  const set = new Set(modes ?? []);
  const out: string[] = [];
  if (set.has('ReadWriteOnce')) out.push('RWO');
  if (set.has('ReadOnlyMany')) out.push('ROX');
  if (set.has('ReadWriteMany')) out.push('RWX');
  if (set.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** printBoolPtr: True / False / `<unset>`. */
export function boolPtr(value: boolean | null | undefined): string {
  if (value === undefined || value === null) return '<unset>';
  return value ? 'True' : 'False';
}

/** Sorted, de-duplicated list (sets.NewString(...).List()). */
export function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/** Condition lookup with the semantics of the printers' hasXCondition helpers:
 * the first condition of that type decides. */
export function conditionTrue(conditions: Array<{ type?: string; status?: string }> | null | undefined, type: string): boolean {
  const c = (conditions ?? []).find((x) => x.type === type);
  return c?.status === 'True';
}
