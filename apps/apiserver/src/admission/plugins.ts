import { AdmissionChain, AdmissionPlugin } from './admission';
import { NamespaceLifecycle } from './namespace-lifecycle';

/**
 * The order plugins run in, as kube-apiserver's recommended order (of the
 * ones Logbook has or is meant to have). A plugin not built yet keeps its
 * place here so that adding it is one line in `defaultAdmissionChain`.
 */
export const ADMISSION_ORDER = [
  'NamespaceLifecycle',
  'LimitRanger',
  'ServiceAccount',
  'NodeRestriction',
  'MutatingAdmissionWebhook',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionWebhook',
  'ResourceQuota',
] as const;

export interface AdmissionDeps {
  /** Plugins built elsewhere (ServiceAccount, ...), placed by their name in ADMISSION_ORDER. */
  extra?: AdmissionPlugin[];
  /** Plugins left out by name (kube's `--disable-admission-plugins`). */
  disabled?: readonly string[];
}

/** `LOGBOOK_DISABLE_ADMISSION_PLUGINS`: comma-separated plugin names, as kube's `--disable-admission-plugins`. */
export function disabledAdmissionPluginsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const names = (env.LOGBOOK_DISABLE_ADMISSION_PLUGINS ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(ADMISSION_ORDER as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`LOGBOOK_DISABLE_ADMISSION_PLUGINS: unknown admission plugin(s) ${unknown.join(', ')} (known: ${ADMISSION_ORDER.join(', ')})`);
  return names;
}

/** The server's admission chain, in ADMISSION_ORDER, without the disabled plugins. */
export function defaultAdmissionChain(deps: AdmissionDeps = {}): AdmissionChain {
  const disabled = new Set(deps.disabled ?? []);
  const plugins = [new NamespaceLifecycle(), ...(deps.extra ?? [])].filter((p) => !disabled.has(p.name));
  const rank = (p: AdmissionPlugin) => {
    const i = (ADMISSION_ORDER as readonly string[]).indexOf(p.name);
    return i < 0 ? ADMISSION_ORDER.length : i;
  };
  return new AdmissionChain([...plugins].sort((a, b) => rank(a) - rank(b)));
}
