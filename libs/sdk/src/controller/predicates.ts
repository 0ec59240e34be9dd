import type { KubeObject } from '../client';
import type { InformerEvent } from '../cache';

/** Decides whether an event should queue a request. */
export type Predicate = (event: InformerEvent<KubeObject>) => boolean;

const onUpdate =
  (changed: (oldObj: KubeObject, newObj: KubeObject) => boolean): Predicate =>
  (e) =>
    e.type !== 'UPDATED' || changed(e.oldObject, e.object);

const sameMap = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) => {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => b?.[k] === a?.[k]);
};

/**
 * Passes updates that change `metadata.generation`, i.e. the spec (and
 * every create and delete). It does NOT pass status, label, annotation or
 * finalizer changes, nor deletionTimestamp being set; and for kinds without
 * a generation (ConfigMap, Secret, ...) it passes no update at all. Combine
 * with `or(...)` when those matter.
 */
export const generationChanged: Predicate = onUpdate((o, n) => o.metadata?.generation !== n.metadata?.generation);

/** Passes updates whose labels changed (and every create and delete). */
export const labelsChanged: Predicate = onUpdate((o, n) => !sameMap(o.metadata?.labels, n.metadata?.labels));

/** Passes updates whose annotations changed (and every create and delete). */
export const annotationsChanged: Predicate = onUpdate((o, n) => !sameMap(o.metadata?.annotations, n.metadata?.annotations));

/** Drops resyncs (updates where nothing changed); passes everything else. */
export const resourceVersionChanged: Predicate = onUpdate((o, n) => o.metadata?.resourceVersion !== n.metadata?.resourceVersion);

export const and =
  (...ps: Predicate[]): Predicate =>
  (e) =>
    ps.every((p) => p(e));

export const or =
  (...ps: Predicate[]): Predicate =>
  (e) =>
    ps.some((p) => p(e));

export const not =
  (p: Predicate): Predicate =>
  (e) =>
    !p(e);
