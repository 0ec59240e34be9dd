/**
 * The Downward API's values, as kubelet renders them into files (and env):
 * pod fields by `fieldPath`, container resources by `resourceFieldRef`.
 */
import type { Container, Pod } from '@logbook/api';
import { parseQuantity } from '@logbook/api';

/** Go's %q for the strings a label or annotation holds: a double-quoted string with \", \\ and control characters escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Kube's FormatMap: `key="value"` lines sorted by key, no newline after the last. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(m![k])}`)
    .join('\n');
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.+)'\]$/;

/**
 * A pod field's value (kube's ExtractFieldPathAsString plus the fields only
 * env may use). Throws for an unsupported path.
 */
export function podFieldValue(pod: Pod, fieldPath: string, extra: { podIP?: string; hostIP?: string } = {}): string {
  const m = SUBSCRIPT.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata?.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata?.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return extra.hostIP ?? pod.status?.hostIP ?? '';
    case 'status.hostIPs':
      return (pod.status?.hostIPs ?? []).map((i) => i.ip).join(',') || (extra.hostIP ?? '');
    case 'status.podIP':
      return extra.podIP ?? pod.status?.podIP ?? '';
    case 'status.podIPs':
      return (pod.status?.podIPs ?? []).map((i) => i.ip).join(',') || (extra.podIP ?? '');
    default:
      throw new Error(`unsupported fieldPath: ${fieldPath}`);
  }
}

/**
 * A container resource's value (kube's ExtractContainerResourceValue):
 * `limits.*` fall back to the node's allocatable when the container sets no
 * limit; the value is divided by `divisor` (default 1) and rounded up.
 */
export function containerResourceValue(container: Container | undefined, resource: string, divisor: string | undefined, allocatable: Record<string, string> = {}): string {
  if (!container) throw new Error('the container named by resourceFieldRef does not exist');
  const [kind, name] = resource.split(/\.(.+)/);
  if ((kind !== 'limits' && kind !== 'requests') || !name) throw new Error(`unsupported container resource: ${resource}`);
  const set = kind === 'limits' ? container.resources?.limits : container.resources?.requests;
  const raw = set?.[name] ?? (kind === 'limits' ? allocatable[name] : undefined) ?? '0';
  const value = parseQuantity(raw) ?? 0;
  const div = parseQuantity(divisor ?? '1') || 1;
  if (name === 'cpu') {
    // In millicores, as kube compares MilliValue()s.
    return String(Math.ceil(Math.round(value * 1000) / Math.round(div * 1000)));
  }
  if (name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-')) return String(Math.ceil(value / div));
  throw new Error(`unsupported container resource: ${resource}`);
}
