/**
 * Makes sure a default StorageClass exists, as minikube's addon does: when
 * no class is marked default, it creates `standard` (provisioner
 * `logbook.io/hostpath`, reclaim Delete, Immediate binding), unless a class
 * of that name exists already (it is the user's; it is not taken over).
 *
 * It runs at start and whenever a StorageClass changes. Controllers run
 * from events, and an empty cluster has no StorageClass to send one, so the
 * request also comes from Namespaces (there always are some).
 */
import { isAlreadyExists } from '@logbook/machinery';
import { kinds, ReconcileContext, Reconciler, Request, Result } from '@logbook/sdk';
import { storageClasses } from './claim-binder.reconciler';
import { defaultClass, standardStorageClass } from './volume-matching';

const ENSURE: Request = { namespace: '', name: 'standard' };

@Reconciler({ name: 'default-storage-class', for: { kind: storageClasses }, watches: [{ kind: kinds.Namespace, map: () => ENSURE }], maxConcurrentReconciles: 1 })
export class DefaultStorageClassReconciler implements Reconciler {
  async reconcile(_req: Request, ctx: ReconcileContext): Promise<Result> {
    const classes = await ctx.cache.list(storageClasses);
    const standard = standardStorageClass();
    if (defaultClass(classes) || classes.some((c) => c.metadata?.name === standard.metadata!.name)) return {};
    try {
      await ctx.client.create(storageClasses, standard);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    return {};
  }
}
