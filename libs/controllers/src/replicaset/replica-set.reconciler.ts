import type { ReplicaSet } from '@logbook/api';
import { InformerFactory, kinds, Reconciler, ReconcileContext, Request, Result } from '@logbook/sdk';
import { OnModuleDestroy } from '@nestjs/common';
import { replicaSetKind } from './replica-set-kind';
import { ReplicaSetSync } from './replica-set-sync';

/** Keeps `spec.replicas` pods matching each ReplicaSet's selector (see ReplicaSetSync). */
@Reconciler({
  name: replicaSetKind.controllerName,
  for: kinds.ReplicaSet,
  owns: [kinds.Pod],
  watches: [ReplicaSetSync.orphanPods(replicaSetKind)],
  maxConcurrentReconciles: 5,
})
export class ReplicaSetReconciler implements Reconciler, OnModuleDestroy {
  readonly sync: ReplicaSetSync<ReplicaSet>;

  constructor(informers: InformerFactory) {
    this.sync = new ReplicaSetSync(replicaSetKind, informers);
  }

  reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    return this.sync.reconcile(req, ctx);
  }

  onModuleDestroy(): void {
    this.sync.close();
  }
}
