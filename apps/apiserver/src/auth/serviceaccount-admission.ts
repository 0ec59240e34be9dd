import { randomInt } from 'crypto';
import { setTimeout as sleep } from 'timers/promises';
import { ApiError } from '@logbook/machinery';
import type { AdmissionPlugin } from '../admission/admission';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

/** What this plugin reads of a write (a subset of the admission chain's attributes). */
export interface ServiceAccountAdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  def: { group: string; resource: string };
  namespace: string;
  name: string;
  subresource: string;
  object?: Obj;
}

/** Where a pod's service account credentials are mounted in every container. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** kube's projected token lifetime: 1 h + 7 s, the mark of an admission-made volume. */
export const SERVICE_ACCOUNT_TOKEN_SECONDS = 3607;
/** utilrand.String's alphabet: no vowels, no confusable characters. */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export interface ServiceAccountLookupOptions {
  /**
   * How many times a missing `default` account is looked up before the pod
   * is refused (kube: 10), since the service account controller creates it
   * moments after its namespace; a named account is looked up once.
   */
  defaultAttempts?: number;
  /** The pause between those lookups (kube: 100–200 ms). */
  retryMs?: number;
}

/**
 * kube-apiserver's ServiceAccount admission plugin (mutating, pods on
 * create): a pod without `serviceAccountName` gets `default`; the account
 * must exist, or the pod is refused with 403 as in Kubernetes (a missing
 * `default` is looked up again for a second or two first, as kube does,
 * while the controller manager creates it); unless the pod or its account
 * set `automountServiceAccountToken: false`, the pod gets the projected
 * volume `kube-api-access-<5 chars>` (a bound token of 3607 s, the
 * namespace's `kube-root-ca.crt` `ca.crt`, and its namespace) mounted
 * read-only at /var/run/secrets/kubernetes.io/serviceaccount in every
 * container that has nothing there already.
 */
export class ServiceAccountAdmission implements AdmissionPlugin {
  readonly name = 'ServiceAccount';

  constructor(
    private readonly getServiceAccount: (namespace: string, name: string) => Promise<Obj | undefined>,
    private readonly lookup: ServiceAccountLookupOptions = {},
  ) {}

  /** kube's getServiceAccount: one lookup for a named account, several for `default`. */
  private async findAccount(namespace: string, name: string): Promise<Obj | undefined> {
    const attempts = name === 'default' ? (this.lookup.defaultAttempts ?? 10) : 1;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(this.lookup.retryMs ?? 100 + randomInt(100));
      const account = await this.getServiceAccount(namespace, name);
      if (account) return account;
    }
    return undefined;
  }

  async admit(a: ServiceAccountAdmissionAttributes): Promise<void> {
    if (a.operation !== 'CREATE' || a.def.group !== '' || a.def.resource !== 'pods' || a.subresource !== '' || !a.object) return;
    const pod = a.object;
    if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
    pod.spec ??= {};
    const spec = pod.spec as Obj;
    if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
    const account = await this.findAccount(a.namespace, spec.serviceAccountName);
    if (!account) {
      const name = pod.metadata?.name || pod.metadata?.generateName || '';
      throw new ApiError(
        403,
        'Forbidden',
        `pods "${name}" is forbidden: error looking up service account ${a.namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`,
        { name, group: '', kind: 'pods' },
      );
    }
    const automount = spec.automountServiceAccountToken ?? account.automountServiceAccountToken ?? true;
    if (automount) mountToken(spec);
  }
}

/** Adds the token volume and its mounts (unless a container mounts something at the path already). */
function mountToken(spec: Obj): void {
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])] as Obj[];
  const needing = containers.filter((c) => !(c.volumeMounts ?? []).some((m: Obj) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH));
  if (needing.length === 0) return;
  const taken = new Set(((spec.volumes ?? []) as Obj[]).map((v) => v.name));
  let volumeName: string;
  do volumeName = `kube-api-access-${Array.from({ length: 5 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')}`;
  while (taken.has(volumeName));
  spec.volumes = [
    ...(spec.volumes ?? []),
    {
      name: volumeName,
      projected: {
        defaultMode: 0o644,
        sources: [
          { serviceAccountToken: { expirationSeconds: SERVICE_ACCOUNT_TOKEN_SECONDS, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
        ],
      },
    },
  ];
  for (const c of needing) c.volumeMounts = [...(c.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
}
