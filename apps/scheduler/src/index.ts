/**
 * The scheduler: binds pending pods to nodes that fit them (kube-scheduler's
 * default profile: NodeUnschedulable, TaintToleration, NodeAffinity,
 * NodePorts and NodeResourcesFit filters; least-allocated, balanced,
 * spreading, preferred-affinity and PreferNoSchedule scores). Built on the
 * SDK only.
 */
export { PodScheduler, DEFAULT_SCHEDULER_NAME } from './pod-scheduler';
export type { PodSchedulerOptions } from './pod-scheduler';
export { SchedulerModule, SchedulerService, SCHEDULER_OPTIONS } from './scheduler.module';
export type { SchedulerModuleOptions } from './scheduler.module';
export { PodBinder } from './pod-binder';
export { SchedulerCache } from './scheduler-cache';
export { schedulePod, FitError } from './framework/schedule';
export type { Profile, ScheduleResult } from './framework/schedule';
export * from './framework/filters';
export * from './framework/scores';
export { NodeInfo, controllerUidOf } from './framework/node-info';
export { podRequests, nonZeroRequests, allocatableOf } from './framework/resources';
export type { ResourceList } from './framework/resources';
