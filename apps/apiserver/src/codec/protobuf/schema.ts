import { Namespace, Root, Type } from 'protobufjs';
import { KubernetesProtobufError } from './errors';
import { descriptor } from './schema.generated';

/** API group (as in `apiVersion`) → proto package prefix of its generated.proto. */
const GROUP_PACKAGES: Readonly<Record<string, string>> = {
  '': 'k8s.io.api.core',
  apps: 'k8s.io.api.apps',
  batch: 'k8s.io.api.batch',
  autoscaling: 'k8s.io.api.autoscaling',
  policy: 'k8s.io.api.policy',
  'rbac.authorization.k8s.io': 'k8s.io.api.rbac',
  'networking.k8s.io': 'k8s.io.api.networking',
  'scheduling.k8s.io': 'k8s.io.api.scheduling',
  'coordination.k8s.io': 'k8s.io.api.coordination',
  'discovery.k8s.io': 'k8s.io.api.discovery',
  'events.k8s.io': 'k8s.io.api.events',
  'storage.k8s.io': 'k8s.io.api.storage',
  'certificates.k8s.io': 'k8s.io.api.certificates',
  'authentication.k8s.io': 'k8s.io.api.authentication',
  'authorization.k8s.io': 'k8s.io.api.authorization',
  'meta.k8s.io': 'k8s.io.apimachinery.pkg.apis.meta',
};

const META_V1 = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const OBJECT_META = `.${META_V1}.ObjectMeta`;
const LIST_META = `.${META_V1}.ListMeta`;

/**
 * Kinds that metav1.AddToGroupVersion registers in every group version: a
 * typed client sends e.g. `apiVersion: apps/v1, kind: DeleteOptions`.
 */
const META_OPTION_KINDS = new Set(['DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions']);

let root: Root | undefined;
const typeCache = new Map<string, Type | null>();

/** The protobufjs root built from the embedded descriptor (once). */
export function kubernetesProtoRoot(): Root {
  root ??= Root.fromJSON(descriptor);
  return root;
}

export function lookupMessage(fullName: string): Type {
  return kubernetesProtoRoot().lookupType(fullName);
}

/**
 * The message for a top-level object of `apiVersion`/`kind`, e.g.
 * `apps/v1`/`Deployment` → `k8s.io.api.apps.v1.Deployment`. Throws a 415
 * {@link KubernetesProtobufError} for anything we have no schema for.
 */
export function messageForKind(apiVersion: string, kind: string): Type {
  const key = `${apiVersion}\0${kind}`;
  let type = typeCache.get(key);
  if (type === undefined) {
    type = findMessageForKind(apiVersion, kind);
    typeCache.set(key, type);
  }
  if (!type) {
    throw KubernetesProtobufError.unsupported(
      `no protobuf schema for ${apiVersion === '' ? '<no apiVersion>' : apiVersion}, Kind=${kind}; send it as application/json`,
    );
  }
  return type;
}

function findMessageForKind(apiVersion: string, kind: string): Type | null {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const pkg = GROUP_PACKAGES[group];
  if (pkg === undefined || !/^v\d+((alpha|beta)\d+)?$/.test(version) || !/^[A-Z]\w*$/.test(kind)) return null;
  const candidates = [`${pkg}.${version}.${kind}`];
  if (META_OPTION_KINDS.has(kind)) candidates.push(`${META_V1}.${kind}`);
  for (const name of candidates) {
    const found = kubernetesProtoRoot().lookup(name);
    if (found instanceof Type && (isTopLevelObject(found) || META_OPTION_KINDS.has(kind))) return found;
  }
  return null;
}

/** A kind is a message with `metadata` of type ObjectMeta or ListMeta, not e.g. `Container`. */
function isTopLevelObject(type: Type): boolean {
  const metadata = type.fields['metadata'];
  if (!metadata) return false;
  metadata.resolve();
  const metaType = metadata.resolvedType;
  return metaType instanceof Type && (metaType.fullName === OBJECT_META || metaType.fullName === LIST_META);
}

/** Every `apiVersion`/`kind` that {@link messageForKind} accepts (for discovery of what we decode). */
export function supportedKinds(): Array<{ apiVersion: string; kind: string }> {
  const out: Array<{ apiVersion: string; kind: string }> = [];
  for (const [group, pkg] of Object.entries(GROUP_PACKAGES)) {
    if (group === 'meta.k8s.io') continue;
    const ns = kubernetesProtoRoot().lookup(pkg);
    if (!(ns instanceof Namespace)) continue;
    for (const versionNs of ns.nestedArray) {
      if (!(versionNs instanceof Namespace)) continue;
      for (const t of versionNs.nestedArray) {
        if (t instanceof Type && isTopLevelObject(t)) {
          out.push({ apiVersion: group === '' ? versionNs.name : `${group}/${versionNs.name}`, kind: t.name });
        }
      }
    }
  }
  return out;
}
