import type { Backend } from './proxy-rules';

const keyOf = (b: Backend) => `${b.ip}:${b.port}`;

/**
 * Chooses a backend for each new connection or datagram flow: round robin,
 * or, with ClientIP affinity, the backend this client had last, for as long
 * as it was used within the timeout and is still ready (Kubernetes'
 * userspace proxy load balancer).
 */
export class BackendPicker {
  private backends: Backend[] = [];
  private next = 0;
  private readonly affinity = new Map<string, { backend: Backend; lastUsed: number }>();

  constructor(
    private affinityTimeoutMs: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  update(backends: readonly Backend[], affinityTimeoutMs: number | undefined): void {
    this.backends = [...backends];
    this.affinityTimeoutMs = affinityTimeoutMs;
    const live = new Set(this.backends.map(keyOf));
    for (const [client, a] of this.affinity) if (!live.has(keyOf(a.backend)) || affinityTimeoutMs === undefined) this.affinity.delete(client);
  }

  get size(): number {
    return this.backends.length;
  }

  /** A backend for `clientIP`, skipping those in `exclude` (failed for this connection already). */
  pick(clientIP: string, exclude: ReadonlySet<string> = new Set()): Backend | undefined {
    const candidates = this.backends.filter((b) => !exclude.has(keyOf(b)));
    if (!candidates.length) return undefined;
    const t = this.now();
    if (this.affinityTimeoutMs !== undefined) {
      const sticky = this.affinity.get(clientIP);
      if (sticky && t - sticky.lastUsed <= this.affinityTimeoutMs && !exclude.has(keyOf(sticky.backend)) && candidates.some((b) => keyOf(b) === keyOf(sticky.backend))) {
        sticky.lastUsed = t;
        return sticky.backend;
      }
    }
    const backend = candidates[this.next++ % candidates.length];
    if (this.affinityTimeoutMs !== undefined) this.affinity.set(clientIP, { backend, lastUsed: t });
    return backend;
  }
}

export const backendKey = keyOf;
