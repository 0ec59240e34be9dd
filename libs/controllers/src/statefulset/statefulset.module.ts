import { Module } from '@nestjs/common';
import { StatefulSetReconciler } from './statefulset.reconciler';

/** The StatefulSet controller (picked up by the SDK's manager as a `@Reconciler` provider). */
@Module({ providers: [StatefulSetReconciler], exports: [StatefulSetReconciler] })
export class StatefulSetModule {}
