/**
 * What the hostPath provisioner makes for a claim, and which directories it
 * may delete. Pure functions.
 */
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '@logbook/api';
import { isAbsolute, relative, resolve } from 'node:path';
import { ANN_PROVISIONED_BY, ANN_SELECTED_NODE, claimRefTo, DEFAULT_HOSTPATH_ROOT } from '../persistentvolume/volume-matching';

/** The provisioner's root: the option, else `LOGBOOK_HOSTPATH_PROVISIONER_ROOT`, else minikube's `/tmp/hostpath-provisioner`. */
export function provisionerRoot(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(option || env.LOGBOOK_HOSTPATH_PROVISIONER_ROOT || DEFAULT_HOSTPATH_ROOT);
}

/** The directory for a class: its `parameters.root` if set, else the provisioner's root. */
export function classRoot(sc: StorageClass, root: string): string {
  return resolve(sc.parameters?.root || root);
}

/**
 * The volume's directory: `<root>/pvc-<claim uid>_<namespace>_<claim>`
 * (as rancher's local-path-provisioner names them) — unique per claim, so a
 * claim deleted and created again under its name never meets the old data,
 * which the deleter may be removing at that moment.
 */
export function volumeDirectory(root: string, claim: PersistentVolumeClaim): string {
  return resolve(root, `pvc-${claim.metadata?.uid}_${claim.metadata?.namespace}_${claim.metadata?.name}`);
}

/**
 * A hostPath volume for the claim: named `pvc-<claim uid>`, its directory
 * (DirectoryOrCreate), the requested size, the claim's access and volume
 * modes, the class's reclaim policy (default Delete) and mount options,
 * already bound to the claim. For a WaitForFirstConsumer claim, node
 * affinity to the node chosen for its first consumer (directory storage is
 * the node's).
 */
export function provisionedVolume(claim: PersistentVolumeClaim, sc: StorageClass, root: string): PersistentVolume {
  const selectedNode = claim.metadata?.annotations?.[ANN_SELECTED_NODE];
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: `pvc-${claim.metadata?.uid}`,
      annotations: { [ANN_PROVISIONED_BY]: sc.provisioner },
    },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? '0' },
      accessModes: [...(claim.spec?.accessModes ?? ['ReadWriteOnce'])],
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata?.name,
      ...(sc.mountOptions?.length ? { mountOptions: [...sc.mountOptions] } : {}),
      hostPath: { path: volumeDirectory(classRoot(sc, root), claim), type: 'DirectoryOrCreate' },
      claimRef: claimRefTo(claim),
      ...(selectedNode && sc.volumeBindingMode === 'WaitForFirstConsumer'
        ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [selectedNode] }] }] } } }
        : {}),
    },
  };
}

/** `inner` is strictly below `outer`. */
export function isStrictlyWithin(outer: string, inner: string): boolean {
  const rel = relative(resolve(outer), resolve(inner));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
