export { VolumeManager } from './volume-manager';
export type { VolumeManagerOptions } from './volume-manager';
export { VolumeSetUpError } from './types';
export type { ContainerMount, PodVolumes } from './types';
export { AtomicWriter, DATA_DIR } from './atomic-writer';
export type { Payload, FileProjection } from './atomic-writer';
export { containerResourceValue, formatMap, podFieldValue } from './downward-api';
export { checkHostPathType } from './host-path';
