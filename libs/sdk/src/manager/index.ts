export { ControllerManager } from './controller-manager';
export type { HealthReport, ManagerOptions } from './controller-manager';
