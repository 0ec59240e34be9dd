export { ControllersModule } from './controllers.module';
export * from './replicaset';
export * from './garbage-collector';
export * from './namespace';
export * from './deployment';
export * from './cronjob';
export * from './shared';
