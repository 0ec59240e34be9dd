import { Module } from '@nestjs/common';
import { EndpointsReconciler } from './endpoints.reconciler';

/** The Endpoints controller (needs `LogbookSdkModule.forRoot` in the application). */
@Module({ providers: [EndpointsReconciler] })
export class EndpointsModule {}
