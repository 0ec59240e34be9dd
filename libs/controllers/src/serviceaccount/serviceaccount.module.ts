import { Module } from '@nestjs/common';
import { ServiceAccountReconciler } from './serviceaccount.reconciler';

/** The service account controller and root CA publisher (needs `LogbookSdkModule.forRoot` in the application). */
@Module({ providers: [ServiceAccountReconciler] })
export class ServiceAccountModule {}
