import type { ReplicationController } from '@logbook/api';
import { InformerFactory, kinds, Reconciler, ReconcileContext, Request, Result } from '@logbook/sdk';
import { OnModuleDestroy } from '@nestjs/common';
import { replicationControllerKind } from './replica-set-kind';
import { ReplicaSetSync } from './replica-set-sync';

/**
 * Keeps `spec.replicas` pods matching each ReplicationController's
 * selector: the ReplicaSet logic with a map selector.
 */
@Reconciler({
  name: replicationControllerKind.controllerName,
  for: kinds.ReplicationController,
  owns: [kinds.Pod],
  watches: [ReplicaSetSync.orphanPods(replicationControllerKind)],
  maxConcurrentReconciles: 5,
})
export class ReplicationControllerReconciler implements Reconciler, OnModuleDestroy {
  readonly sync: ReplicaSetSync<ReplicationController>;

  constructor(informers: InformerFactory) {
    this.sync = new ReplicaSetSync(replicationControllerKind, informers);
  }

  reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    return this.sync.reconcile(req, ctx);
  }

  onModuleDestroy(): void {
    this.sync.close();
  }
}
