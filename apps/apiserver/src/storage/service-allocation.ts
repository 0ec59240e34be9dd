import { randomUUID } from 'crypto';
import { AlreadyExistsError, AppendOp, ConflictError, EventLog, NotFoundError, ResourceType } from '@logbook/event-store';
import { ApiError, internalError, invalid } from '@logbook/machinery';
import type { ResourceDefinition } from '@logbook/api';
import { Ipv4Range, pickFreePort } from './service-allocation-ranges';
import type { CompanionWrite, Obj, WriteCompanion } from './resource-store';

/**
 * The Service registry's allocations (Kubernetes allocates in the registry,
 * at create): a ClusterIP from the service CIDR, NodePorts from
 * 30000–32767, and, for a LoadBalancer, an ingress address a local proxy
 * listens on.
 *
 * Each allocated address or port is a small object in the event log
 * (Kubernetes 1.31+ keeps ClusterIPs as IPAddress objects the same way),
 * appended in the same transaction as the Service. The log locks an
 * object's key before reading it, so two apiservers on one database can
 * never both create `10.96.0.10`: one append fails with AlreadyExists and
 * that apiserver picks again (or, for an address the user asked for,
 * answers 422 as Kubernetes does). Deleting the Service deletes its
 * allocations in the same transaction.
 */

export const ALLOCATION_GROUP = 'internal.logbook.io';
const allocationType = (resource: string, kind: string): ResourceType => ({ group: ALLOCATION_GROUP, version: 'v1', resource, kind });
export const CLUSTER_IPS = allocationType('serviceclusterips', 'ServiceClusterIP');
export const NODE_PORTS = allocationType('servicenodeports', 'ServiceNodePort');
export const LOAD_BALANCER_IPS = allocationType('serviceloadbalancerips', 'ServiceLoadBalancerIP');

export interface ServiceAllocationOptions {
  /** Default `10.96.0.0/16` (`LOGBOOK_SERVICE_CIDR`). Its first address is the `kubernetes` Service's. */
  serviceCIDR?: string;
  nodePortRange?: { min: number; max: number };
  /** Where LoadBalancer ingress addresses come from: loopback addresses by default (`127.1.0.0/16`, `LOGBOOK_LOADBALANCER_CIDR`). */
  loadBalancerCIDR?: string;
}

export function serviceAllocationOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ServiceAllocationOptions {
  return { serviceCIDR: env.LOGBOOK_SERVICE_CIDR || undefined, loadBalancerCIDR: env.LOGBOOK_LOADBALANCER_CIDR || undefined };
}

const SYSTEM = { actor: { user: 'system:apiserver' }, verb: 'allocate' };
const needsClusterIP = (spec: Obj | undefined) => !!spec && spec.type !== 'ExternalName' && spec.clusterIP !== 'None';
const needsNodePorts = (spec: Obj | undefined) =>
  !!spec && (spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false));
const ports = (spec: Obj | undefined): Obj[] => (Array.isArray(spec?.ports) ? spec!.ports : []);
const lbIngressIp = (svc: Obj): string | undefined => svc.status?.loadBalancer?.ingress?.[0]?.ip;

/** What one write allocates and releases, and how its failures read. */
class AllocationPlan implements CompanionWrite {
  readonly ops: AppendOp[] = [];
  /** allocation key (`resource/name`) → the error to answer if someone else holds it. */
  private readonly requested = new Map<string, ApiError>();

  constructor(private readonly svc: Obj) {}

  allocate(type: ResourceType, name: string, requestedError?: ApiError): void {
    const m = this.svc.metadata;
    this.ops.push({
      type: 'create',
      resourceType: type,
      object: { apiVersion: `${ALLOCATION_GROUP}/v1`, kind: type.kind, metadata: { name, uid: randomUUID() }, serviceRef: { namespace: m.namespace, name: m.name, uid: m.uid } },
      provenance: SYSTEM,
    });
    if (requestedError) this.requested.set(`${type.resource}/${name}`, requestedError);
  }

  release(type: ResourceType, name: string, uid: string): void {
    this.ops.push({ type: 'delete', resourceType: type, namespace: '', name, preconditions: { uid }, provenance: SYSTEM });
  }

  explain(err: unknown): ApiError | 'retry' | undefined {
    if (!(err instanceof AlreadyExistsError || err instanceof ConflictError || err instanceof NotFoundError) || err.key.group !== ALLOCATION_GROUP) return undefined;
    return (err instanceof AlreadyExistsError && this.requested.get(`${err.key.resource}/${err.key.name}`)) || 'retry';
  }
}

export class ServiceAllocator implements WriteCompanion {
  readonly clusterIPs: Ipv4Range;
  readonly loadBalancerIPs: Ipv4Range;
  readonly nodePorts: { min: number; max: number };

  constructor(
    private readonly log: EventLog,
    opts: ServiceAllocationOptions = {},
  ) {
    this.clusterIPs = new Ipv4Range(opts.serviceCIDR ?? '10.96.0.0/16');
    this.loadBalancerIPs = new Ipv4Range(opts.loadBalancerCIDR ?? '127.1.0.0/16');
    this.nodePorts = opts.nodePortRange ?? { min: 30000, max: 32767 };
  }

  applies(def: ResourceDefinition): boolean {
    return def.group === '' && def.kind === 'Service';
  }

  async create(svc: Obj): Promise<CompanionWrite> {
    // A name that is taken fails as AlreadyExists (409), not on the addresses it asks for.
    if (await this.log.get({ group: '', resource: 'services' }, svc.metadata.namespace ?? '', svc.metadata.name ?? '')) return new AllocationPlan(svc);
    return this.plan(svc, undefined);
  }

  async update(next: Obj, old: Obj): Promise<CompanionWrite> {
    return this.plan(next, old);
  }

  async remove(old: Obj): Promise<AppendOp[]> {
    const plan = new AllocationPlan(old);
    await this.releaseUnused(plan, old, new Set(), new Set(), undefined);
    return plan.ops;
  }

  /** Fills in what `svc` needs and `old` (the stored Service, on update) did not have; releases what it no longer needs. */
  private async plan(svc: Obj, old: Obj | undefined): Promise<AllocationPlan> {
    const plan = new AllocationPlan(svc);
    const spec = (svc.spec ??= {});
    const keepIps = new Set<string>();
    if (needsClusterIP(spec)) {
      const ip = await this.clusterIP(svc, old, plan);
      keepIps.add(ip);
      spec.clusterIP = ip;
      if (!Array.isArray(spec.clusterIPs) || !spec.clusterIPs.length) spec.clusterIPs = [ip];
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
    }
    const keepPorts = new Set<number>();
    if (needsNodePorts(spec)) for (const port of await this.nodePortsOf(svc, old, plan)) keepPorts.add(port);
    let keepLb: string | undefined;
    if (spec.type === 'LoadBalancer') keepLb = await this.loadBalancerIP(svc, old, plan);
    else if (svc.status?.loadBalancer?.ingress) svc.status = { ...svc.status, loadBalancer: {} };
    if (old) await this.releaseUnused(plan, old, keepIps, keepPorts, keepLb);
    return plan;
  }

  private async owned(type: ResourceType, name: string, svc: Obj): Promise<'mine' | 'free' | 'taken'> {
    const found = await this.log.get(type, '', name);
    if (!found) return 'free';
    return (found.object as Obj).serviceRef?.uid === svc.metadata.uid ? 'mine' : 'taken';
  }

  private async taken(type: ResourceType): Promise<Set<string>> {
    const names = new Set<string>();
    let cont: string | undefined;
    do {
      const page = await this.log.list(type, { limit: 5000, continue: cont });
      for (const o of page.items) names.add(o.metadata.name!);
      cont = page.continue;
    } while (cont);
    return names;
  }

  private async clusterIP(svc: Obj, old: Obj | undefined, plan: AllocationPlan): Promise<string> {
    const spec = svc.spec;
    const wanted: string | undefined = spec.clusterIP || spec.clusterIPs?.[0] || undefined;
    const before: string | undefined = needsClusterIP(old?.spec) ? old!.spec.clusterIP : undefined;
    if (wanted && wanted === before) return wanted;
    const fail = (detail: string) =>
      invalid({ group: '', kind: 'Service' }, svc.metadata.name ?? '', [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', badValue: [wanted], detail: `failed to allocate IP ${wanted}: ${detail}` }]);
    if (wanted) {
      if (!this.clusterIPs.contains(wanted)) throw fail(`the provided IP (${wanted}) is not in the valid range. The range of valid IPs is ${this.clusterIPs.cidr}`);
      const state = await this.owned(CLUSTER_IPS, wanted, svc);
      if (state === 'taken') throw fail('provided IP is already allocated');
      if (state === 'free') plan.allocate(CLUSTER_IPS, wanted, fail('provided IP is already allocated'));
      return wanted;
    }
    const taken = await this.taken(CLUSTER_IPS);
    // The first address is the `kubernetes` Service's, whether or not it exists yet.
    taken.add(this.clusterIPs.at(0));
    // Picked addresses leave the low band to ones asked for by name, like the cluster DNS's .10 (as Kubernetes does).
    const ip = this.clusterIPs.pickFree(taken, Math.random, this.clusterIPs.staticBand);
    if (!ip) throw internalError(new Error('failed to allocate a serviceIP: range is full'));
    plan.allocate(CLUSTER_IPS, ip);
    return ip;
  }

  /** Every port's nodePort: the one asked for (422 if another Service has it), the old one, or a free one. */
  private async nodePortsOf(svc: Obj, old: Obj | undefined, plan: AllocationPlan): Promise<number[]> {
    const oldPorts = new Set<number>(needsNodePorts(old?.spec) ? ports(old!.spec).map((p) => p.nodePort).filter(Boolean) : []);
    const chosen = new Set<number>();
    let taken: Set<number> | undefined;
    for (const [i, p] of ports(svc.spec).entries()) {
      if (p.nodePort) {
        if (!chosen.has(p.nodePort) && !oldPorts.has(p.nodePort)) {
          const fail = invalid({ group: '', kind: 'Service' }, svc.metadata.name ?? '', [
            { type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, badValue: p.nodePort, detail: 'provided port is already allocated' },
          ]);
          const state = await this.owned(NODE_PORTS, String(p.nodePort), svc);
          if (state === 'taken') throw fail;
          if (state === 'free') plan.allocate(NODE_PORTS, String(p.nodePort), fail);
        }
      } else {
        // The same port number under another protocol shares its nodePort (Kubernetes does the same).
        const sibling = ports(svc.spec).find((q) => q !== p && q.port === p.port && q.nodePort);
        if (sibling) p.nodePort = sibling.nodePort;
        else {
          taken ??= new Set([...(await this.taken(NODE_PORTS))].map(Number));
          const port = pickFreePort(this.nodePorts, new Set([...taken, ...chosen]));
          if (port === undefined) throw internalError(new Error('failed to allocate a nodePort: range is full'));
          plan.allocate(NODE_PORTS, String(port));
          p.nodePort = port;
        }
      }
      chosen.add(p.nodePort);
    }
    return [...chosen];
  }

  /** The LoadBalancer's ingress address: kept, or a free one of the load balancer range, in status.loadBalancer. */
  private async loadBalancerIP(svc: Obj, old: Obj | undefined, plan: AllocationPlan): Promise<string> {
    const before = old?.spec?.type === 'LoadBalancer' ? lbIngressIp(old) : undefined;
    let ip = before;
    if (!ip) {
      ip = this.loadBalancerIPs.pickFree(await this.taken(LOAD_BALANCER_IPS));
      if (!ip) throw internalError(new Error('failed to allocate a load balancer address: range is full'));
      plan.allocate(LOAD_BALANCER_IPS, ip);
    }
    svc.status = { ...(svc.status ?? {}), loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } };
    return ip;
  }

  /** Releases what `old` held and the new state keeps no more (only records this Service owns). */
  private async releaseUnused(plan: AllocationPlan, old: Obj, ips: Set<string>, nodePorts: Set<number>, lb: string | undefined): Promise<void> {
    const held: Array<[ResourceType, string]> = [];
    if (needsClusterIP(old.spec) && old.spec.clusterIP && !ips.has(old.spec.clusterIP)) held.push([CLUSTER_IPS, old.spec.clusterIP]);
    if (needsNodePorts(old.spec)) for (const p of new Set(ports(old.spec).map((q) => q.nodePort).filter(Boolean))) if (!nodePorts.has(p)) held.push([NODE_PORTS, String(p)]);
    const oldLb = old.spec?.type === 'LoadBalancer' ? lbIngressIp(old) : undefined;
    if (oldLb && oldLb !== lb) held.push([LOAD_BALANCER_IPS, oldLb]);
    for (const [type, name] of held) {
      const found = await this.log.get(type, '', name);
      if (found && (found.object as Obj).serviceRef?.uid === old.metadata.uid) plan.release(type, name, found.object.metadata.uid!);
    }
  }
}
