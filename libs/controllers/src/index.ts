export { ControllersModule } from './controllers.module';
export * from './replicaset';
export * from './deployment';
export * from './shared';
