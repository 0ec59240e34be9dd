/**
 * The hostPath provisioner: the dynamic provisioner behind the StorageClass
 * `standard` (`logbook.io/hostpath`, and minikube's `k8s.io/minikube-hostpath`
 * which the seed's `fast` class names). It works like an external
 * provisioner (sig-storage-lib-external-provisioner) beside the
 * PersistentVolume controller:
 *
 * - provision: a claim that the PV controller annotated with
 *   `volume.kubernetes.io/storage-provisioner: <ours>`, unbound, of a class
 *   served by us (for WaitForFirstConsumer: once a node is selected) gets a
 *   directory under the root and a PersistentVolume pre-bound to it; the
 *   PV controller binds them.
 * - delete: a volume this provisioner made, Released, reclaim policy
 *   Delete: its directory is removed, then the PersistentVolume object.
 *   Only directories strictly inside the provisioner's root (or a root a
 *   class of ours names) are ever removed.
 *
 * The root: the options' `root`, else `LOGBOOK_HOSTPATH_PROVISIONER_ROOT`,
 * else `/tmp/hostpath-provisioner` (minikube's). The controller manager
 * must share the nodes' filesystem (all-in-one, one machine).
 */
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '@logbook/api';
import { isAlreadyExists, isNotFound } from '@logbook/machinery';
import { kinds, KubeObject, ReconcileContext, Reconciler, Request, Result, WatchMapContext } from '@logbook/sdk';
import { Inject, Optional } from '@nestjs/common';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { storageClasses } from '../persistentvolume/claim-binder.reconciler';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  HOSTPATH_PROVISIONERS,
  requestedClass,
} from '../persistentvolume/volume-matching';
import { classRoot, isStrictlyWithin, provisionedVolume, provisionerRoot } from './provisioned-volume';

export const HOSTPATH_PROVISIONER_OPTIONS = Symbol('HOSTPATH_PROVISIONER_OPTIONS');

export interface HostPathProvisionerOptions {
  /** Where volume directories are made. */
  root?: string;
}

const provisionerOf = (claim: PersistentVolumeClaim) => claim.metadata?.annotations?.[ANN_STORAGE_PROVISIONER] ?? claim.metadata?.annotations?.[ANN_BETA_STORAGE_PROVISIONER];

/** Unbound claims waiting for one of our provisioners (a new or changed class may let them go on). */
const waitingClaims = (_: KubeObject, ctx: WatchMapContext): Request[] =>
  ctx
    .lister(kinds.PersistentVolumeClaim)
    .list()
    .filter((c) => !c.spec?.volumeName && HOSTPATH_PROVISIONERS.has(provisionerOf(c) ?? ''))
    .map((c) => ({ namespace: c.metadata?.namespace ?? '', name: c.metadata!.name! }));

@Reconciler({ name: 'hostpath-provisioner', for: kinds.PersistentVolumeClaim, watches: [{ kind: storageClasses, map: waitingClaims }], maxConcurrentReconciles: 2 })
export class HostPathProvisionerReconciler implements Reconciler {
  readonly root: string;

  constructor(@Optional() @Inject(HOSTPATH_PROVISIONER_OPTIONS) options?: HostPathProvisionerOptions) {
    this.root = provisionerRoot(options?.root);
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const claim = await ctx.cache.get(kinds.PersistentVolumeClaim, req);
    if (!claim || claim.metadata?.deletionTimestamp || claim.spec?.volumeName) return {};
    const provisioner = provisionerOf(claim);
    if (!provisioner || !HOSTPATH_PROVISIONERS.has(provisioner)) return {};
    const classes = await ctx.cache.list(storageClasses);
    const sc = classes.find((c) => c.metadata?.name === requestedClass(claim, classes));
    if (!sc || sc.provisioner !== provisioner) return {};
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !claim.metadata?.annotations?.[ANN_SELECTED_NODE]) return {};

    const pv = provisionedVolume(claim, sc, this.root);
    if (await ctx.cache.get(kinds.PersistentVolume, { name: pv.metadata!.name! })) return {};
    const dir = pv.spec!.hostPath!.path;
    try {
      await mkdir(dir, { recursive: true });
      // World-writable as minikube's provisioner makes them: pods run as any user.
      await chmod(dir, 0o777);
      await ctx.client.create(kinds.PersistentVolume, pv);
    } catch (err) {
      if (isAlreadyExists(err)) return {};
      void ctx.recorder.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata?.name}": ${(err as Error).message}`);
      throw err;
    }
    void ctx.recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata?.name} (directory ${dir})`);
    return {};
  }
}

/** The directories this provisioner may remove are below its root or a root one of its classes names. */
function deletableRoots(root: string, classes: readonly StorageClass[]): string[] {
  return [root, ...classes.filter((c) => HOSTPATH_PROVISIONERS.has(c.provisioner)).map((c) => classRoot(c, root))];
}

@Reconciler({ name: 'hostpath-deleter', for: kinds.PersistentVolume, maxConcurrentReconciles: 2 })
export class HostPathDeleterReconciler implements Reconciler {
  readonly root: string;

  constructor(@Optional() @Inject(HOSTPATH_PROVISIONER_OPTIONS) options?: HostPathProvisionerOptions) {
    this.root = provisionerRoot(options?.root);
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const pv = await ctx.cache.get(kinds.PersistentVolume, { name: req.name });
    if (!pv || pv.metadata?.deletionTimestamp) return {};
    if (!HOSTPATH_PROVISIONERS.has(pv.metadata?.annotations?.[ANN_PROVISIONED_BY] ?? '')) return {};
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return {};

    const dir = pv.spec?.hostPath?.path;
    if (dir) {
      const roots = deletableRoots(this.root, await ctx.cache.list(storageClasses));
      if (!roots.some((r) => isStrictlyWithin(r, dir))) {
        await this.fail(ctx, pv, `refusing to delete ${dir}: not inside the provisioner's root ${roots.join(' or ')}`);
        return {};
      }
      try {
        await rm(dir, { recursive: true, force: true });
      } catch (err) {
        await this.fail(ctx, pv, `deleting ${dir}: ${(err as Error).message}`);
        throw err;
      }
    }
    try {
      await ctx.client.delete(kinds.PersistentVolume, { name: req.name }, { preconditions: { uid: pv.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    ctx.log.log(`deleted volume ${req.name} and its directory ${dir ?? '(none)'}`);
    return {};
  }

  private async fail(ctx: ReconcileContext, pv: PersistentVolume, message: string): Promise<void> {
    void ctx.recorder.event(pv, 'Warning', 'VolumeFailedDelete', message);
    try {
      await ctx.client.patchStatus(kinds.PersistentVolume, { name: pv.metadata!.name! }, { status: { phase: 'Failed', message } }, { type: 'merge' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
