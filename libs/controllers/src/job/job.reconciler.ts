import { Inject, OnModuleDestroy, Optional } from '@nestjs/common';
import { InformerFactory, kinds, Reconciler, ReconcileContext, Request, Result } from '@logbook/sdk';
import { JOB_CONTROLLER_OPTIONS, JobControllerOptions, JobSync } from './job-sync';

/**
 * The Job controller: runs pods to completion (see JobSync). Pod changes
 * reach their Job through `owns`; time-based work (active deadline,
 * failure back-off) through `requeueAfter`.
 */
@Reconciler({ name: 'job-controller', for: kinds.Job, owns: [kinds.Pod], maxConcurrentReconciles: 5 })
export class JobReconciler implements Reconciler, OnModuleDestroy {
  readonly sync: JobSync;

  constructor(informers: InformerFactory, @Optional() @Inject(JOB_CONTROLLER_OPTIONS) options?: JobControllerOptions) {
    this.sync = new JobSync(informers, options ?? {});
  }

  reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    return this.sync.reconcile(req, ctx);
  }

  onModuleDestroy(): void {
    this.sync.close();
  }
}
