import { Module } from '@nestjs/common';
import { EndpointSliceReconciler } from './endpointslice.reconciler';

/** The EndpointSlice controller, mirroring included (needs `LogbookSdkModule.forRoot` in the application). */
@Module({ providers: [EndpointSliceReconciler] })
export class EndpointSliceModule {}
