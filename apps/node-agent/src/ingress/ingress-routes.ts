import type { Ingress, IngressBackend } from '@logbook/api';

/**
 * Which backend an HTTP request goes to, by the Ingress rules (Kubernetes'
 * Ingress semantics, as ingress-nginx applies them). Pure.
 *
 * - Host: a rule's `host` matches exactly, or `*.example.com` matches one
 *   label in front of `example.com`; a rule without host matches any.
 *   Rules naming the host win over host-less ones.
 * - Path: `Exact` matches the path only; `Prefix` matches whole path
 *   elements (`/foo` matches `/foo` and `/foo/bar`, not `/foobar`);
 *   `ImplementationSpecific` here is a string prefix. The longest path
 *   wins, `Exact` before `Prefix` at equal length.
 * - Nothing matches: the `defaultBackend` (of the oldest Ingress that has one).
 */

export interface Route {
  ingress: string;
  namespace: string;
  backend: IngressBackend;
}

interface Candidate extends Route {
  hostSpecific: boolean;
  path: string;
  exact: boolean;
}

export function hostMatches(ruleHost: string | undefined, host: string): boolean {
  if (!ruleHost) return true;
  const h = host.toLowerCase();
  const r = ruleHost.toLowerCase();
  if (r.startsWith('*.')) {
    const suffix = r.slice(1);
    return h.endsWith(suffix) && !h.slice(0, h.length - suffix.length).includes('.') && h.length > suffix.length;
  }
  return h === r;
}

export function pathMatches(pathType: string | undefined, rulePath: string, path: string): boolean {
  if (pathType === 'Exact') return path === rulePath;
  if (pathType === 'Prefix') {
    const want = rulePath.split('/').filter(Boolean);
    const got = path.split('/').filter(Boolean);
    return want.every((seg, i) => got[i] === seg);
  }
  return path.startsWith(rulePath);
}

const age = (i: Ingress) => `${i.metadata?.creationTimestamp ?? ''}/${i.metadata?.namespace}/${i.metadata?.name}`;

/** The backend for `host` and `path` among these Ingresses, or undefined (404). */
export function route(ingresses: readonly Ingress[], host: string, path: string): Route | undefined {
  const sorted = [...ingresses].sort((a, b) => age(a).localeCompare(age(b)));
  const candidates: Candidate[] = [];
  for (const ing of sorted) {
    for (const rule of ing.spec?.rules ?? []) {
      if (!hostMatches(rule.host, host)) continue;
      for (const p of rule.http?.paths ?? []) {
        const rulePath = p.path || '/';
        if (!pathMatches(p.pathType, rulePath, path)) continue;
        candidates.push({ ingress: ing.metadata!.name!, namespace: ing.metadata!.namespace!, backend: p.backend, hostSpecific: !!rule.host, path: rulePath, exact: p.pathType === 'Exact' });
      }
    }
  }
  candidates.sort((a, b) => Number(b.hostSpecific) - Number(a.hostSpecific) || b.path.length - a.path.length || Number(b.exact) - Number(a.exact));
  if (candidates.length) return candidates[0];
  const fallback = sorted.find((i) => i.spec?.defaultBackend);
  return fallback ? { ingress: fallback.metadata!.name!, namespace: fallback.metadata!.namespace!, backend: fallback.spec!.defaultBackend! } : undefined;
}

/** The TLS secret (`namespace/name`) for a server name, from the Ingresses' `tls` entries. */
export function tlsSecretFor(ingresses: readonly Ingress[], serverName: string): string | undefined {
  for (const ing of [...ingresses].sort((a, b) => age(a).localeCompare(age(b)))) {
    for (const tls of ing.spec?.tls ?? []) {
      if (tls.secretName && (tls.hosts ?? []).some((h) => hostMatches(h, serverName))) return `${ing.metadata?.namespace}/${tls.secretName}`;
    }
  }
  return undefined;
}
