export { ControllerManagerModule } from './controller-manager.module';
export type { ControllerManagerAppOptions } from './controller-manager.module';
