import { Inject, OnModuleDestroy, Optional } from '@nestjs/common';
import type { DaemonSet, Node } from '@logbook/api';
import { labelSelectorFromSpec } from '@logbook/machinery';
import { controllerReferenceOf, InformerEvent, InformerFactory, kinds, KubeObject, Reconciler, ReconcileContext, Request, Result, WatchMapContext } from '@logbook/sdk';
import { controllerRevisions } from './daemonset-history';
import { DAEMONSET_CONTROLLER_OPTIONS, DaemonSetControllerOptions, DaemonSetSync } from './daemonset-sync';
import { nodeShouldRunDaemonPod } from './node-fit';

/**
 * A node change that can change where DaemonSets run: a node added or
 * removed, or its labels, taints, schedulability or readiness changed —
 * not the heartbeats in between (kube's shouldIgnoreNodeUpdate).
 */
export function nodeChangeMatters(e: InformerEvent<KubeObject>): boolean {
  if (e.type !== 'UPDATED') return true;
  const a = e.oldObject as Node;
  const b = e.object as Node;
  const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return (
    JSON.stringify(a.metadata?.labels ?? {}) !== JSON.stringify(b.metadata?.labels ?? {}) ||
    JSON.stringify(a.spec?.taints ?? []) !== JSON.stringify(b.spec?.taints ?? []) ||
    !!a.spec?.unschedulable !== !!b.spec?.unschedulable ||
    ready(a) !== ready(b)
  );
}

/** The DaemonSets a node (as it is, or as it was) should run: those to look at when it changes. */
export function daemonSetsForNode(node: KubeObject, ctx: WatchMapContext): Request[] {
  return ctx
    .lister(kinds.DaemonSet)
    .list()
    .filter((ds) => nodeShouldRunDaemonPod(node as Node, ds).shouldContinueRunning)
    .map((ds) => ({ namespace: ds.metadata!.namespace!, name: ds.metadata!.name! }));
}

/** The DaemonSets selecting an orphan pod, which may adopt it (pods with a controller reach it through `owns`). */
export function daemonSetsForOrphanPod(pod: KubeObject, ctx: WatchMapContext): Request[] {
  if (controllerReferenceOf(pod) || pod.metadata?.deletionTimestamp) return [];
  const namespace = pod.metadata?.namespace ?? '';
  return ctx
    .lister(kinds.DaemonSet)
    .list(namespace)
    .filter((ds: DaemonSet) => {
      try {
        const selector = labelSelectorFromSpec(ds.spec?.selector);
        return !selector.isEmpty() && selector.matches(pod.metadata?.labels ?? {});
      } catch {
        return false;
      }
    })
    .map((ds) => ({ namespace, name: ds.metadata!.name! }));
}

/**
 * The DaemonSet controller: a pod on every node that should run one (see
 * DaemonSetSync). Node changes map to the DaemonSets concerned; pods and
 * ControllerRevisions reach their DaemonSet through `owns`.
 */
@Reconciler({
  name: 'daemonset-controller',
  for: kinds.DaemonSet,
  owns: [kinds.Pod, controllerRevisions],
  watches: [
    { kind: kinds.Node, map: daemonSetsForNode, predicates: [nodeChangeMatters] },
    { kind: kinds.Pod, map: daemonSetsForOrphanPod },
  ],
  maxConcurrentReconciles: 2,
})
export class DaemonSetReconciler implements Reconciler, OnModuleDestroy {
  readonly sync: DaemonSetSync;

  constructor(informers: InformerFactory, @Optional() @Inject(DAEMONSET_CONTROLLER_OPTIONS) options?: DaemonSetControllerOptions) {
    this.sync = new DaemonSetSync(informers, options ?? {});
  }

  reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    return this.sync.reconcile(req, ctx);
  }

  onModuleDestroy(): void {
    this.sync.close();
  }
}
