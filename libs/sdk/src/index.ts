/**
 * @logbook/sdk — the operator SDK: write controllers as Nest modules.
 *
 * The pipeline, as in controller-runtime: a **client** talks to the API
 * server; **informers** list and watch a kind into an indexed **cache** and
 * emit events; a **controller** filters them (**predicates**), maps them to
 * requests (the object itself, its controlling owner, or a mapping
 * function) and queues them in a de-duplicating, rate-limited **work
 * queue**; workers hand each request to your **reconciler**, which reads
 * the cache and writes through the client. A **manager** runs it all, with
 * **leader election** and **metrics**; **LogbookSdkModule** wires the
 * manager into a Nest application.
 *
 * Test harness: `@logbook/sdk/testing`.
 */
import 'reflect-metadata';

export * from './client';
export * from './cache';
export * from './workqueue';
export * from './controller';
export * from './events';
export * from './owners';
export * from './finalizers';
export * from './conditions';
export * from './leader';
export * from './metrics';
export * from './manager';
export * from './nest';
export * from './replay';
export { realClock, sleep } from './clock';
export type { Clock, TimerHandle } from './clock';
export type { SdkLogger } from './logging';
export { SDK_VERSION } from './version';
