import type { Endpoints, Service } from '@logbook/api';

/**
 * What the service proxy forwards, computed from Services and their
 * Endpoints: a pure function, so the listeners can be reconciled against
 * it on every change.
 */

export type ProxyProtocol = 'TCP' | 'UDP';
export type ListenerKind = 'clusterIP' | 'nodePort' | 'loadBalancer';

export interface Backend {
  ip: string;
  port: number;
}

export interface ProxyListener {
  kind: ListenerKind;
  /** The address to bind; `0.0.0.0` (or the configured node address) for NodePorts. */
  address: string;
  port: number;
}

/** One Service port: where it is listened for and where it goes. */
export interface ProxyRule {
  /** `namespace/name:port-name` (Kubernetes' ServicePortName). */
  name: string;
  protocol: ProxyProtocol;
  listeners: ProxyListener[];
  /** Ready endpoints only: not-ready addresses get no traffic. */
  backends: Backend[];
  /** `sessionAffinity: ClientIP`: how long a client sticks to its backend. */
  affinityTimeoutMs?: number;
}

/** Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

/** The ready backends of one service port, from its Endpoints (subset ports matched by name and protocol). */
export function backendsOf(endpoints: Endpoints | undefined, portName: string, protocol: ProxyProtocol): Backend[] {
  const out: Backend[] = [];
  for (const subset of endpoints?.subsets ?? []) {
    const port = (subset.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!port) continue;
    for (const a of subset.addresses ?? []) out.push({ ip: a.ip, port: port.port });
  }
  return out;
}

export interface RuleOptions {
  /** Where NodePorts are bound. */
  nodePortAddress: string;
  /** Whether ClusterIPs get listeners (they need the addresses on a local interface). */
  clusterIPs: boolean;
}

/** Every rule for these Services; `endpointsOf` finds a Service's Endpoints. */
export function proxyRules(services: readonly Service[], endpointsOf: (namespace: string, name: string) => Endpoints | undefined, opts: RuleOptions): ProxyRule[] {
  const rules: ProxyRule[] = [];
  for (const svc of services) {
    const spec = svc.spec;
    if (!spec || spec.type === 'ExternalName') continue;
    const clusterIP = spec.clusterIP && spec.clusterIP !== 'None' ? spec.clusterIP : undefined;
    const ns = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const endpoints = endpointsOf(ns, name);
    const affinityTimeoutMs =
      spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS) * 1000 : undefined;
    for (const p of spec.ports ?? []) {
      const protocol = (p.protocol ?? 'TCP') as ProxyProtocol;
      if (protocol !== 'TCP' && protocol !== 'UDP') continue;
      const listeners: ProxyListener[] = [];
      if (clusterIP && opts.clusterIPs) listeners.push({ kind: 'clusterIP', address: clusterIP, port: p.port });
      if (p.nodePort && (spec.type === 'NodePort' || spec.type === 'LoadBalancer')) listeners.push({ kind: 'nodePort', address: opts.nodePortAddress, port: p.nodePort });
      if (spec.type === 'LoadBalancer')
        for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip) listeners.push({ kind: 'loadBalancer', address: ing.ip, port: p.port });
      if (!listeners.length) continue;
      rules.push({ name: `${ns}/${name}:${p.name ?? ''}`, protocol, listeners, backends: backendsOf(endpoints, p.name ?? '', protocol), affinityTimeoutMs });
    }
  }
  return rules;
}
