import type { Lease, Node } from '@logbook/api';
import { isAlreadyExists, isConflict, isNotFound } from '@logbook/machinery';
import { kinds, KubeClient, SdkLogger } from '@logbook/sdk';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** metav1.MicroTime: RFC 3339 with microseconds. */
const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export interface NodeLeaseOptions {
  /** Default 40 s (kubelet's nodeLeaseDurationSeconds). */
  leaseDurationSeconds?: number;
  /** Default 10 s (a quarter of the duration, as the kubelet renews). */
  renewIntervalMs?: number;
}

/**
 * The node's heartbeat: a Lease `kube-node-lease/<node>` held by the node,
 * owned by its Node (so it goes with it), renewed every `renewIntervalMs`.
 * The node lifecycle controller reads `renewTime` to tell a live node from
 * a dead one.
 */
export class NodeLease {
  private timer?: NodeJS.Timeout;
  private renewing?: Promise<void>;
  private lease?: Lease;
  /** Successful renewals (the first creation included). */
  renewals = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly node: Node,
    private readonly log: SdkLogger,
    private readonly opts: NodeLeaseOptions = {},
  ) {}

  get renewIntervalMs(): number {
    return this.opts.renewIntervalMs ?? 10_000;
  }

  /** Renews at once, then every interval until `stop`. */
  async start(): Promise<void> {
    await this.renew();
    this.schedule();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.renewing;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.renewing = this.renew().finally(() => {
        this.renewing = undefined;
        if (this.timer) this.schedule();
      });
    }, this.renewIntervalMs);
  }

  /** One renewal (creating the Lease if missing); failures are logged and retried next interval. */
  async renew(): Promise<void> {
    const name = this.node.metadata!.name!;
    const now = microTime(Date.now());
    try {
      if (!this.lease) this.lease = await this.client.get(kinds.Lease, { namespace: NODE_LEASE_NAMESPACE, name }).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
      if (!this.lease) {
        this.lease = await this.client.create(kinds.Lease, {
          metadata: {
            name,
            namespace: NODE_LEASE_NAMESPACE,
            ownerReferences: this.node.metadata?.uid ? [{ apiVersion: 'v1', kind: 'Node', name, uid: this.node.metadata.uid }] : undefined,
          },
          spec: { holderIdentity: name, leaseDurationSeconds: this.opts.leaseDurationSeconds ?? 40, renewTime: now },
        });
      } else {
        const next = structuredClone(this.lease);
        next.spec = { ...next.spec, holderIdentity: name, leaseDurationSeconds: this.opts.leaseDurationSeconds ?? 40, renewTime: now };
        this.lease = await this.client.update(kinds.Lease, next);
      }
      this.renewals++;
    } catch (err) {
      // Read it again next time (someone else changed it, or it was deleted with the Node).
      if (isConflict(err) || isNotFound(err) || isAlreadyExists(err)) this.lease = undefined;
      this.log.warn(`renewing the node lease ${NODE_LEASE_NAMESPACE}/${name}: ${(err as Error).message}`);
    }
  }
}
