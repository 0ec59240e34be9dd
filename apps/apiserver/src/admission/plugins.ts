import { AdmissionChain, AdmissionPlugin } from './admission';
import { NamespaceLifecycle } from './namespace-lifecycle';

/**
 * The order plugins run in, as kube-apiserver's recommended order (of the
 * ones Logbook has or is meant to have). A plugin not built yet keeps its
 * place here so that adding it is one line in `defaultAdmissionChain`:
 * ServiceAccount (defaults a pod's service account and mounts its token)
 * goes right after NamespaceLifecycle.
 */
export const ADMISSION_ORDER = [
  'NamespaceLifecycle',
  'LimitRanger',
  'ServiceAccount',
  'MutatingAdmissionWebhook',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionWebhook',
  'ResourceQuota',
] as const;

export interface AdmissionDeps {
  /** Plugins built elsewhere (ServiceAccount, ...), placed by their name in ADMISSION_ORDER. */
  extra?: AdmissionPlugin[];
}

/** The server's admission chain, in ADMISSION_ORDER. */
export function defaultAdmissionChain(deps: AdmissionDeps = {}): AdmissionChain {
  const plugins: AdmissionPlugin[] = [new NamespaceLifecycle(), ...(deps.extra ?? [])];
  const rank = (p: AdmissionPlugin) => {
    const i = (ADMISSION_ORDER as readonly string[]).indexOf(p.name);
    return i < 0 ? ADMISSION_ORDER.length : i;
  };
  return new AdmissionChain([...plugins].sort((a, b) => rank(a) - rank(b)));
}
