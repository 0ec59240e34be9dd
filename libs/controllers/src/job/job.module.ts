import { Module } from '@nestjs/common';
import { JobReconciler } from './job.reconciler';

/**
 * The Job controller. Options (a clock, the failure back-off) can be
 * provided under `JOB_CONTROLLER_OPTIONS`; kube's defaults otherwise.
 */
@Module({ providers: [JobReconciler] })
export class JobModule {}
