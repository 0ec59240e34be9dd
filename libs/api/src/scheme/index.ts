export * from './types';
export { Scheme, compareVersionPriority } from './scheme';
export { BUILTIN_RESOURCES, scaleSubresource } from './builtin-resources';
export { resourcesFromCRD } from './crd-resources';
export { defaultScheme, createDefaultScheme, BUILTIN_CONVERSIONS } from './default-scheme';
