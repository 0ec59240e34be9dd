/**
 * Defaulting for the smaller groups: storage.k8s.io, discovery.k8s.io,
 * apiextensions.k8s.io. networking.k8s.io/v1 Ingress has no defaults
 * (pathType is required); coordination.k8s.io Lease has none either.
 */
type Obj = Record<string, any>;

/** networking.k8s.io/v1beta1 SetDefaults_HTTPIngressPath: pathType ImplementationSpecific. */
export function defaultIngressV1beta1(ing: Obj): void {
  for (const rule of ing.spec?.rules ?? []) for (const path of rule?.http?.paths ?? []) if (path) path.pathType ??= 'ImplementationSpecific';
}

export function defaultStorageClass(sc: Obj): void {
  sc.reclaimPolicy ||= 'Delete';
  sc.volumeBindingMode ||= 'Immediate';
}

export function defaultEndpointSlice(slice: Obj): void {
  if (!Array.isArray(slice.ports)) return;
  for (const p of slice.ports) {
    if (!p || typeof p !== 'object') continue;
    p.name ??= '';
    p.protocol ??= 'TCP';
  }
}

export function defaultCustomResourceDefinition(crd: Obj): void {
  const spec = crd.spec;
  if (!spec || typeof spec !== 'object') return;
  const names = spec.names;
  if (names && typeof names === 'object') {
    if (!names.singular && names.kind) names.singular = String(names.kind).toLowerCase();
    if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
}
