import { Module } from '@nestjs/common';
import { LogbookSdkModule } from '@logbook/sdk';
import { WebsiteReconciler } from './website.reconciler';

/**
 * The Website operator as a Nest module: the SDK (client, informers, work
 * queue, leader election on a Lease, /metrics) and one reconciler.
 */
@Module({
  imports: [LogbookSdkModule.forRoot({ leaderElection: { leaseName: 'website-operator' } })],
  providers: [WebsiteReconciler],
})
export class WebsiteOperatorModule {}
