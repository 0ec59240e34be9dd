import { Module } from '@nestjs/common';
import { ReplicaSetModule } from './replicaset/replica-set.module';
import { GarbageCollectorModule } from './garbage-collector/garbage-collector.module';
import { NamespaceModule } from './namespace/namespace.module';
import { DeploymentControllerModule } from './deployment/deployment.module';
import { CronJobModule } from './cronjob/cronjob.module';
import { JobModule } from './job/job.module';
import { DaemonSetModule } from './daemonset/daemonset.module';
import { StatefulSetModule } from './statefulset/statefulset.module';
import { NodeLifecycleModule } from './node-lifecycle/node-lifecycle.module';
import { PersistentVolumeModule } from './persistentvolume/persistentvolume.module';
import { EndpointsModule } from './endpoints/endpoints.module';
import { EndpointSliceModule } from './endpointslice/endpointslice.module';
import { HostPathProvisionerModule } from './hostpath-provisioner/hostpath-provisioner.module';
import { ServiceAccountModule } from './serviceaccount/serviceaccount.module';
import { ClusterRoleAggregationModule } from './clusterrole-aggregation/clusterrole-aggregation.module';

/**
 * Every built-in controller, as one Nest module. Each controller lives in
 * its own folder with a module of its own; add it to `imports` here.
 * Controllers use only `@logbook/sdk` and `@logbook/api` — exactly what a
 * third party has.
 */
@Module({
  imports: [
    ReplicaSetModule,
    GarbageCollectorModule,
    NamespaceModule,
    DeploymentControllerModule,
    CronJobModule,
    JobModule,
    DaemonSetModule,
    StatefulSetModule,
    NodeLifecycleModule,
    PersistentVolumeModule,
    EndpointsModule,
    EndpointSliceModule,
    HostPathProvisionerModule,
    ServiceAccountModule,
    ClusterRoleAggregationModule,
  ],
})
export class ControllersModule {}
