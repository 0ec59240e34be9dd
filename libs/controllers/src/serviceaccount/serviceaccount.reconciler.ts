import type { ConfigMap, Namespace, ServiceAccount } from '@logbook/api';
import { isAlreadyExists } from '@logbook/machinery';
import { KubeObject, kinds, Reconciler, ReconcileContext, Request, Result } from '@logbook/sdk';

export const SERVICE_ACCOUNT_CONTROLLER = 'serviceaccount-controller';
/** The ConfigMap every namespace gets with the cluster CA (kube's root-ca-cert-publisher). */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const DEFAULT_SERVICE_ACCOUNT = 'default';
const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/** A change to a namespace's `default` ServiceAccount or root CA ConfigMap concerns that namespace. */
function namespaceOf(name: string) {
  return (obj: KubeObject): Request[] => (obj.metadata?.name === name ? [{ namespace: '', name: obj.metadata?.namespace ?? '' }] : []);
}

/**
 * Two of kube-controller-manager's controllers in one: the service account
 * controller (every active namespace has a `default` ServiceAccount,
 * recreated if deleted) and the root CA publisher (every active namespace
 * has the ConfigMap `kube-root-ca.crt` whose `ca.crt` is the CA this
 * manager trusts the API server with — its `--root-ca-file`; pods mount it
 * to verify https://kubernetes.default.svc). Without a CA (a manager on a
 * plain-HTTP development port) there is nothing to publish.
 */
@Reconciler({
  name: SERVICE_ACCOUNT_CONTROLLER,
  for: kinds.Namespace,
  watches: [
    { kind: kinds.ServiceAccount, map: namespaceOf(DEFAULT_SERVICE_ACCOUNT) },
    { kind: kinds.ConfigMap, map: namespaceOf(ROOT_CA_CONFIGMAP) },
  ],
  maxConcurrentReconciles: 2,
})
export class ServiceAccountReconciler implements Reconciler {
  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const ns = await ctx.cache.get(kinds.Namespace, req);
    if (!active(ns)) return {};
    const namespace = req.name;
    const key = { namespace, name: DEFAULT_SERVICE_ACCOUNT };
    if (!(await ctx.cache.get(kinds.ServiceAccount, key))) {
      const sa: ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } };
      await ctx.client.create(kinds.ServiceAccount, sa).catch(ignoreAlreadyExists);
    }
    const ca = ctx.client.caCert;
    if (!ca) return {};
    const existing = await ctx.cache.get(kinds.ConfigMap, { namespace, name: ROOT_CA_CONFIGMAP });
    if (!existing) {
      const cm: ConfigMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION } },
        data: { 'ca.crt': ca },
      };
      await ctx.client.create(kinds.ConfigMap, cm).catch(ignoreAlreadyExists);
    } else if (existing.data?.['ca.crt'] !== ca || Object.keys(existing.data ?? {}).length !== 1) {
      // Whatever was put there by hand is replaced, as kube's publisher does.
      await ctx.client.update(kinds.ConfigMap, { ...structuredClone(existing), data: { 'ca.crt': ca }, binaryData: undefined });
    }
    return {};
  }
}

function active(ns: Namespace | undefined): boolean {
  return !!ns && !ns.metadata?.deletionTimestamp && ns.status?.phase !== 'Terminating';
}

function ignoreAlreadyExists(err: unknown): void {
  if (!isAlreadyExists(err)) throw err;
}
