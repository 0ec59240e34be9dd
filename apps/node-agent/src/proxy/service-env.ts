import type { EnvVar, Pod, Service } from '@logbook/api';

/**
 * The environment variables a container gets for the Services that exist
 * when its pod starts (Kubernetes' kubelet getServiceEnvVarMap and
 * envvars.FromServices): for each Service of the pod's namespace with a
 * ClusterIP (and `kubernetes` of `default` for every pod):
 *
 * ```
 * KUBIA_SERVICE_HOST=10.96.0.20        KUBIA_SERVICE_PORT=80
 * KUBIA_SERVICE_PORT_HTTP=80           (each named port)
 * KUBIA_PORT=tcp://10.96.0.20:80       (Docker link style, first port)
 * KUBIA_PORT_80_TCP=tcp://10.96.0.20:80  KUBIA_PORT_80_TCP_PROTO=tcp
 * KUBIA_PORT_80_TCP_PORT=80            KUBIA_PORT_80_TCP_ADDR=10.96.0.20
 * ```
 *
 * With `enableServiceLinks: false` only `kubernetes`'s. Headless and
 * ExternalName Services get none. A Service of the pod's own namespace
 * wins over `default/kubernetes` of the same name.
 */
export function serviceEnvironment(services: readonly Service[], pod: Pod): EnvVar[] {
  const namespace = pod.metadata?.namespace ?? 'default';
  const links = pod.spec?.enableServiceLinks !== false;
  const chosen = new Map<string, Service>();
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None' || svc.spec?.type === 'ExternalName') continue;
    const name = svc.metadata?.name ?? '';
    const ns = svc.metadata?.namespace ?? '';
    const master = ns === 'default' && name === 'kubernetes';
    if (ns === namespace && (links || master)) chosen.set(name, svc);
    else if (master && !chosen.has(name)) chosen.set(name, svc);
  }
  const env: EnvVar[] = [];
  for (const name of [...chosen.keys()].sort()) env.push(...varsOf(chosen.get(name)!));
  return env;
}

/** Kubernetes' makeEnvVariableName: upper case, dashes to underscores. */
const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');

function varsOf(svc: Service): EnvVar[] {
  const prefix = envName(svc.metadata!.name!);
  const ip = svc.spec!.clusterIP!;
  const ports = svc.spec?.ports ?? [];
  const out: EnvVar[] = [{ name: `${prefix}_SERVICE_HOST`, value: ip }];
  if (!ports.length) return out;
  out.push({ name: `${prefix}_SERVICE_PORT`, value: String(ports[0].port) });
  for (const p of ports) if (p.name) out.push({ name: `${prefix}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
  const first = ports[0];
  out.push({ name: `${prefix}_PORT`, value: `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}` });
  for (const p of ports) {
    const proto = (p.protocol ?? 'TCP').toLowerCase();
    const base = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.push(
      { name: base, value: `${proto}://${ip}:${p.port}` },
      { name: `${base}_PROTO`, value: proto },
      { name: `${base}_PORT`, value: String(p.port) },
      { name: `${base}_ADDR`, value: ip },
    );
  }
  return out;
}
