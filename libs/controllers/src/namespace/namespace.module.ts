import { Module } from '@nestjs/common';
import { NamespaceReconciler } from './namespace.reconciler';

/** The namespace controller (needs `LogbookSdkModule.forRoot` in the application). */
@Module({ providers: [NamespaceReconciler] })
export class NamespaceModule {}
