import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import type { ControllerOptions } from './controller-options';
import type { Reconciler as ReconcilerContract } from './reconciler';

const RECONCILER_OPTIONS = Symbol.for('logbook.sdk.reconciler');

/** A level-based reconciler (see the `Reconciler` contract in reconciler.ts). */
export interface Reconciler extends ReconcilerContract {}

/**
 * Declares a class as a reconciler and what it watches, in the manner of
 * controller-runtime's builder:
 *
 * ```ts
 * @Reconciler({ for: websites, owns: [kinds.Deployment, kinds.Service], maxConcurrentReconciles: 4 })
 * export class WebsiteReconciler implements Reconciler {
 *   async reconcile(req: Request, ctx: ReconcileContext) { ... }
 * }
 * ```
 *
 * - `for: K`  — watch K; each change queues a request for that object.
 * - `owns: [O]` — watch O; each change queues the O's controlling owner of kind K.
 * - `watches: [{ kind, map }]` — watch any kind; `map(object)` says which requests to queue.
 * - `predicates` — filter events of every source.
 *
 * The class becomes an injectable Nest provider; register it with
 * `LogbookSdkModule.forFeature([WebsiteReconciler])` (or pass an instance to
 * `ControllerManager.add`). Mistakes (no `for`, a bad kind, no `reconcile`
 * method) are reported when the application starts.
 */
export function Reconciler(options: ControllerOptions): ClassDecorator {
  return (target) => {
    Injectable()(target);
    Reflect.defineMetadata(RECONCILER_OPTIONS, options, target);
  };
}

/** The options given to `@Reconciler` on a class (or on an instance's class). */
export function reconcilerOptionsOf(target: object): ControllerOptions | undefined {
  const ctor = typeof target === 'function' ? target : target.constructor;
  return Reflect.getMetadata(RECONCILER_OPTIONS, ctor) as ControllerOptions | undefined;
}
