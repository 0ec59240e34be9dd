import type { Pod } from '@logbook/api';
import { ApiError } from '@logbook/machinery';
import type { Status } from '@logbook/machinery';
import { CAUSE_SEQ_HEADER, TransportError } from '@logbook/sdk';

export interface PodBinderOptions {
  /** The API server (the scheduler's client's `server`). */
  server: string;
  /** Bearer token, if the server wants one. */
  token?: string;
  userAgent?: string;
  requestTimeoutMs?: number;
}

/**
 * Assigns a pod to a node with `POST /api/v1/namespaces/{ns}/pods/{name}/binding`,
 * the only way Kubernetes lets `spec.nodeName` be set on an existing pod.
 *
 * The SDK's KubeClient has no call for creating a subresource (it has
 * status and scale only), so this sends the request itself — with the same
 * conventions: `x-logbook-cause-seq` for the history's "why", errors as
 * `ApiError` from the server's Status. When the SDK grows a binding call,
 * this class becomes a one-liner over it.
 */
export class PodBinder {
  constructor(private readonly opts: PodBinderOptions) {}

  async bind(pod: Pod, nodeName: string, causeSeq?: string): Promise<void> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/binding`;
    const body = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace, uid: pod.metadata?.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': this.opts.userAgent ?? 'logbook-scheduler',
    };
    if (causeSeq) headers[CAUSE_SEQ_HEADER] = causeSeq;
    if (this.opts.token) headers.Authorization = `Bearer ${this.opts.token}`;
    let res: Response;
    try {
      res = await fetch(`${this.opts.server.replace(/\/+$/, '')}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      throw new TransportError(`POST ${path}: ${cause?.code ?? (err as Error).message}`, { cause: err });
    }
    const text = await res.text().catch(() => '');
    if (res.ok) return;
    let status: Status | undefined;
    try {
      status = JSON.parse(text) as Status;
    } catch {
      /* not a Status */
    }
    if (status?.kind === 'Status') throw ApiError.fromStatus({ ...status, code: status.code ?? res.status });
    throw new ApiError(res.status, '', text.trim() || `the server responded with ${res.status}`);
  }
}
