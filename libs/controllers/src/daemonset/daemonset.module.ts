import { Module } from '@nestjs/common';
import { DaemonSetReconciler } from './daemonset.reconciler';

/**
 * The DaemonSet controller. Options (a clock, the failed-pod back-off) can
 * be provided under `DAEMONSET_CONTROLLER_OPTIONS`; kube's defaults otherwise.
 */
@Module({ providers: [DaemonSetReconciler] })
export class DaemonSetModule {}
