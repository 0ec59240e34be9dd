import { Module } from '@nestjs/common';
import { DeploymentReconciler } from './deployment.reconciler';

/** The Deployment controller; needs `LogbookSdkModule.forRoot(...)` in the application. */
@Module({
  providers: [DeploymentReconciler],
  exports: [DeploymentReconciler],
})
export class DeploymentControllerModule {}
