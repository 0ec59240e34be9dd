export { SharedInformer } from './shared-informer';
export type { InformerOptions, InformerStatus } from './shared-informer';
export { InformerFactory } from './informer-factory';
export type { InformerScope } from './informer-factory';
export type { InformerEvent } from './informer-event';
export { Store, defaultIndexers, NAMESPACE_INDEX, OWNER_UID_INDEX, CONTROLLER_UID_INDEX, LABEL_INDEX } from './store';
export type { IndexFunc, Lister } from './store';
export { objectKey, splitObjectKey, compareResourceVersions } from './object-key';
export type { BackoffOptions } from './backoff';
