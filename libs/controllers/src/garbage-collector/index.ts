export { GarbageCollector } from './garbage-collector';
export type { GarbageCollectorOptions } from './garbage-collector';
export { GarbageCollectorModule, GarbageCollectorRunner } from './garbage-collector.module';
export { ResourceCatalog, IGNORED_RESOURCES, isCollectable } from './resource-catalog';
export { decide, FOREGROUND_DELETION, ORPHAN, removeReferencesPatch } from './owner-references';
export type { ClassifiedOwners, Verdict } from './owner-references';
