import type { ConfigMap, Container, Pod, Secret, Service } from '@logbook/api';
import { parseQuantity } from '@logbook/api';

/** Where a container's `configMapKeyRef`/`secretKeyRef`/`envFrom` values come from. */
export interface ConfigSource {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** Every Service, for the service link variables (`KUBIA_SERVICE_HOST`, ...); none when absent. */
  services?(): Promise<Service[]>;
}

/**
 * A container's configuration that cannot be built (a missing ConfigMap or
 * key that is not optional, an unsupported field path): the container waits
 * with `CreateContainerConfigError` and this message, as in Kubernetes.
 */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

/**
 * Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion):
 * `$(NAME)` becomes the variable's value when it is defined and stays as
 * written otherwise; `$$` is an escaped `$`; anything else is literal.
 */
export function expand(input: string, vars: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = name ? vars(name) : undefined;
      out += value ?? `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

/** The pod's fields a `fieldRef` may name (the Downward API's env fields). */
export function podFieldValue(pod: Pod, fieldPath: string, podIP: string | undefined, hostIP: string | undefined): string {
  const meta = pod.metadata ?? {};
  const keyed = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (keyed) return (keyed[1] === 'labels' ? meta.labels : meta.annotations)?.[keyed[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return podIP ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return hostIP ?? '';
    default:
      throw new ContainerConfigError(`error converting fieldPath: field label not supported: ${fieldPath}`);
  }
}

/**
 * A `resourceFieldRef` value: the container's limit or request divided by
 * the divisor, rounded up (kubelet's ExtractContainerResourceValue). An unset
 * limit is the node's allocatable amount; an unset request is 0 (the API
 * defaults a request to its limit).
 */
export function resourceFieldValue(pod: Pod, container: Container, ref: { resource: string; divisor?: unknown; containerName?: string }, allocatable: Record<string, string>): string {
  const target = ref.containerName ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === ref.containerName) : container;
  if (!target) throw new ContainerConfigError(`container ${ref.containerName} not found in pod ${pod.metadata?.name}`);
  const [kind, resource] = ref.resource.split('.', 2) as ['limits' | 'requests', string];
  if ((kind !== 'limits' && kind !== 'requests') || !resource) throw new ContainerConfigError(`unsupported container resource: ${ref.resource}`);
  const set = (target.resources?.[kind] as Record<string, unknown> | undefined)?.[resource];
  const value = set !== undefined ? parseQuantity(set) : kind === 'limits' ? parseQuantity(allocatable[resource] ?? '0') : 0;
  const divisor = ref.divisor !== undefined ? parseQuantity(ref.divisor) : 1;
  if (value === undefined || !divisor) throw new ContainerConfigError(`invalid quantity for ${ref.resource}`);
  // Guard against floating point noise (0.25/0.001 = 250.00000000000003).
  return String(Math.ceil(Number((value / divisor).toPrecision(12))));
}

export interface EnvContext {
  pod: Pod;
  container: Container;
  podIP?: string;
  hostIP?: string;
  /** The node's allocatable resources, for limits a container does not set. */
  allocatable: Record<string, string>;
  config: ConfigSource;
  /** Variables every container gets before its own (HOSTNAME, service links). */
  base?: Record<string, string>;
}

/**
 * A container's environment as the kubelet builds it (makeEnvironmentVariables):
 * `envFrom` sources in order (with their prefix; keys that are not valid
 * variable names are skipped), then `env` in order, each `value` expanded
 * against the variables defined before it.
 */
export async function containerEnv(ctx: EnvContext): Promise<Record<string, string>> {
  const { pod, container, config } = ctx;
  const ns = pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = { ...(ctx.base ?? {}) };
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string> | undefined;
    if (from.configMapRef) {
      const cm = await config.configMap(ns, from.configMapRef.name ?? '');
      if (!cm && !from.configMapRef.optional) throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      data = cm?.data ?? {};
    } else if (from.secretRef) {
      const secret = await config.secret(ns, from.secretRef.name ?? '');
      if (!secret && !from.secretRef.optional) throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      data = Object.fromEntries(Object.entries(secret?.data ?? {}).map(([k, v]) => [k, decode(v)]));
    }
    for (const [k, v] of Object.entries(data ?? {})) {
      if (/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(prefix + k)) env[prefix + k] = v;
    }
  }
  for (const e of container.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      env[e.name] = expand(e.value ?? '', (name) => env[name]);
      continue;
    }
    if (from.fieldRef) env[e.name] = podFieldValue(pod, from.fieldRef.fieldPath, ctx.podIP, ctx.hostIP);
    else if (from.resourceFieldRef) env[e.name] = resourceFieldValue(pod, container, from.resourceFieldRef, ctx.allocatable);
    else if (from.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const cm = await config.configMap(ns, ref.name ?? '');
      const value = cm?.data?.[ref.key] ?? (cm?.binaryData?.[ref.key] !== undefined ? decode(cm.binaryData[ref.key]) : undefined);
      if (value !== undefined) env[e.name] = value;
      else if (!ref.optional) throw new ContainerConfigError(cm ? `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` : `configmap "${ref.name}" not found`);
    } else if (from.secretKeyRef) {
      const ref = from.secretKeyRef;
      const secret = await config.secret(ns, ref.name ?? '');
      const raw = secret?.data?.[ref.key];
      if (raw !== undefined) env[e.name] = decode(raw);
      else if (secret?.stringData?.[ref.key] !== undefined) env[e.name] = secret.stringData[ref.key];
      else if (!ref.optional) throw new ContainerConfigError(secret ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` : `secret "${ref.name}" not found`);
    }
  }
  return env;
}

/**
 * The command line a container runs (kubelet + Docker's rules): `command`
 * replaces the image's ENTRYPOINT and drops its CMD, `args` replace CMD;
 * `$(VAR)` in both expands against the container's environment.
 */
export function commandLine(container: Container, image: { entrypoint: string[]; cmd: string[] }, env: Record<string, string>): string[] {
  const vars = (name: string) => env[name];
  const command = container.command?.length ? container.command.map((c) => expand(c, vars)) : image.entrypoint;
  const args = container.args?.length ? container.args.map((a) => expand(a, vars)) : container.command?.length ? [] : image.cmd;
  return [...command, ...args];
}
