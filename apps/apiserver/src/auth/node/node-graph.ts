import { Logger } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { Scheme } from '@logbook/api';
import type { WatchCache } from '@logbook/event-store';
import type { ResourceStore } from '../../storage/resource-store';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

/** The kinds a node may read (or, for service accounts, request tokens of) only through its pods. */
export type NodeObjectKind = 'secrets' | 'configmaps' | 'persistentvolumeclaims' | 'serviceaccounts';

/** What one pod bound to a node refers to, as `<kind>/<namespace>/<name>`. */
function referencesOf(pod: Obj): string[] {
  const ns = pod.metadata?.namespace ?? '';
  const refs = new Set<string>();
  const add = (kind: NodeObjectKind, name: unknown) => typeof name === 'string' && name && refs.add(`${kind}/${ns}/${name}`);
  const spec = pod.spec ?? {};
  add('serviceaccounts', spec.serviceAccountName || 'default');
  for (const s of spec.imagePullSecrets ?? []) add('secrets', s?.name);
  for (const v of spec.volumes ?? []) {
    add('secrets', v?.secret?.secretName);
    add('configmaps', v?.configMap?.name);
    add('persistentvolumeclaims', v?.persistentVolumeClaim?.claimName);
    for (const p of v?.projected?.sources ?? []) {
      add('secrets', p?.secret?.name);
      add('configmaps', p?.configMap?.name);
    }
    for (const key of ['cephfs', 'cinder', 'flexVolume', 'iscsi', 'rbd', 'scaleIO', 'storageos', 'azureFile']) add('secrets', v?.[key]?.secretRef?.name ?? v?.[key]?.secretName);
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c?.env ?? []) {
      add('secrets', e?.valueFrom?.secretKeyRef?.name);
      add('configmaps', e?.valueFrom?.configMapKeyRef?.name);
    }
    for (const e of c?.envFrom ?? []) {
      add('secrets', e?.secretRef?.name);
      add('configmaps', e?.configMapRef?.name);
    }
  }
  return [...refs];
}

/**
 * kube's Node authorizer graph, reduced to what Logbook's nodes need: for
 * every node, the Secrets, ConfigMaps, PersistentVolumeClaims and
 * ServiceAccounts its pods refer to (counted, so two pods sharing a Secret
 * keep it until both are gone), and the PersistentVolumes bound to those
 * claims. Built from a list of pods and claims, then kept current from the
 * log's events, like the RBAC policy (each replica on its own).
 */
export class NodeGraph {
  private readonly log = new Logger('NodeAuthorizer');
  /** pod uid → its node and references. */
  private readonly pods = new Map<string, { node: string; refs: string[] }>();
  /** node → reference → number of its pods that have it. */
  private readonly byNode = new Map<string, Map<string, number>>();
  /** `<namespace>/<claim>` → the PersistentVolume it is bound to. */
  private readonly claimVolumes = new Map<string, string>();
  private readonly subs: Subscription[] = [];

  constructor(
    private readonly scheme: Scheme,
    private readonly store: ResourceStore,
    private readonly cache: WatchCache,
  ) {}

  async start(): Promise<void> {
    const follow = async (resource: 'pods' | 'persistentvolumeclaims', apply: (o: Obj, deleted: boolean) => void) => {
      const def = this.scheme.byGroupVersionResource('', 'v1', resource)!;
      const { items, resourceVersion } = await this.store.list(def, {});
      for (const o of items) apply(o, false);
      this.subs.push(
        this.cache.watch({ group: '', resource, fromSeq: resourceVersion }).subscribe({
          next: (e) => apply(e.object as Obj, e.type === 'DELETED'),
          error: (err) => this.log.error(`${resource} watch ended: ${err}`),
        }),
      );
    };
    await follow('persistentvolumeclaims', (claim, deleted) => this.applyClaim(claim, deleted));
    await follow('pods', (pod, deleted) => this.applyPod(pod, deleted));
  }

  stop(): void {
    for (const s of this.subs.splice(0)) s.unsubscribe();
  }

  applyPod(pod: Obj, deleted: boolean): void {
    const uid = pod.metadata?.uid as string | undefined;
    if (!uid) return;
    const before = this.pods.get(uid);
    const node = pod.spec?.nodeName as string | undefined;
    if (before) this.count(before.node, before.refs, -1);
    if (deleted || !node) {
      this.pods.delete(uid);
      return;
    }
    const entry = { node, refs: referencesOf(pod) };
    this.pods.set(uid, entry);
    this.count(node, entry.refs, +1);
  }

  applyClaim(claim: Obj, deleted: boolean): void {
    const key = `${claim.metadata?.namespace ?? ''}/${claim.metadata?.name ?? ''}`;
    const volume = claim.spec?.volumeName as string | undefined;
    if (deleted || !volume) this.claimVolumes.delete(key);
    else this.claimVolumes.set(key, volume);
  }

  /** Whether a pod bound to `node` refers to this object. */
  related(node: string, kind: NodeObjectKind, namespace: string, name: string): boolean {
    return (this.byNode.get(node)?.get(`${kind}/${namespace}/${name}`) ?? 0) > 0;
  }

  /** Whether a claim of a pod bound to `node` is bound to this PersistentVolume. */
  relatedVolume(node: string, volume: string): boolean {
    for (const ref of this.byNode.get(node)?.keys() ?? []) {
      if (!ref.startsWith('persistentvolumeclaims/')) continue;
      if (this.claimVolumes.get(ref.slice('persistentvolumeclaims/'.length)) === volume) return true;
    }
    return false;
  }

  private count(node: string, refs: string[], delta: number): void {
    let counts = this.byNode.get(node);
    if (!counts) this.byNode.set(node, (counts = new Map()));
    for (const r of refs) {
      const n = (counts.get(r) ?? 0) + delta;
      if (n > 0) counts.set(r, n);
      else counts.delete(r);
    }
    if (counts.size === 0) this.byNode.delete(node);
  }
}
