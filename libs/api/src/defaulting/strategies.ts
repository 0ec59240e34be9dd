/**
 * What kube-apiserver's registry strategies (pkg/registry/<group>/<kind>/
 * strategy.go) do to an object between defaulting and validation:
 *
 * - on create: reset status the client may not set (Pod gets phase Pending
 *   and its QoS class, Namespace phase Active), add the `kubernetes`
 *   namespace finalizer, generate a Job's selector and labels, set
 *   metadata.generation to 1 for resources that track it;
 * - on update: keep status (it changes only through /status), keep what
 *   the service registry allocated, bump metadata.generation when the
 *   spec changed;
 * - on a /status update: keep everything but status (and metadata the
 *   status writer may not touch).
 *
 * The apiserver calls these; they mutate and return the new object.
 */
import { JOB_LABELS } from '../batch/v1/types';
import { podQOSClass } from '../core/v1/pod-status';
import { defaultScheme } from '../scheme/default-scheme';
import type { Scheme } from '../scheme/scheme';
import type { ResourceDefinition } from '../scheme/types';
import { semanticEqual } from '../validation/equality';

type Obj = Record<string, any>;

const hasStatusSubresource = (def: ResourceDefinition | undefined): boolean => !!def?.subresources.some((s) => s.name === 'status');

/** Job strategy's generateSelector: controller-uid selector and the four job labels on the template. */
export function prepareJobForCreate(job: Obj): Obj {
  const spec = (job.spec ??= {});
  if (spec.manualSelector === true) return job;
  const uid = job.metadata?.uid;
  const name = job.metadata?.name ?? '';
  if (!uid) throw new Error('prepareJobForCreate needs metadata.uid to be set (the apiserver assigns it first)');
  const template = (spec.template ??= {});
  const meta = (template.metadata ??= {});
  const before = { ...(meta.labels ?? {}) };
  const labels: Record<string, string> = (meta.labels = { ...before });
  for (const k of [JOB_LABELS.legacyJobName, JOB_LABELS.jobName]) labels[k] ??= name;
  for (const k of [JOB_LABELS.legacyControllerUid, JOB_LABELS.controllerUid]) labels[k] ??= uid;
  const selector = (spec.selector ??= {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}) };
  selector.matchLabels[JOB_LABELS.controllerUid] ??= uid;
  // Defaulting gave the Job its template's labels (the same map in Go), so they follow the template.
  const own = job.metadata.labels;
  if (!own || Object.keys(own).length === 0 || semanticEqual(own, before)) job.metadata.labels = { ...labels };
  return job;
}

/** Namespace strategy: status Active and the `kubernetes` finalizer on create. */
export function prepareNamespaceForCreate(ns: Obj): Obj {
  ns.status = { phase: 'Active' };
  const spec = (ns.spec ??= {});
  const finalizers: string[] = Array.isArray(spec.finalizers) ? spec.finalizers : [];
  spec.finalizers = finalizers.includes('kubernetes') ? finalizers : [...finalizers, 'kubernetes'];
  return ns;
}

/** Pod strategy: a new pod is Pending with its QoS class. */
export function preparePodForCreate(pod: Obj): Obj {
  pod.status = { phase: 'Pending', qosClass: podQOSClass(pod) };
  return pod;
}

const needsClusterIP = (spec: Obj): boolean => (spec.type ?? 'ClusterIP') !== 'ExternalName';
const needsNodePorts = (spec: Obj): boolean => spec.type === 'NodePort' || spec.type === 'LoadBalancer';
const needsHealthCheckNodePort = (spec: Obj): boolean => spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
const externallyAccessible = (spec: Obj): boolean => needsNodePorts(spec) || ((spec.type ?? 'ClusterIP') === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);
const nodePortsOf = (spec: Obj): Set<number> => new Set((Array.isArray(spec.ports) ? spec.ports : []).map((p: Obj) => p.nodePort).filter(Boolean));

/**
 * Service strategy's dropTypeDependentFields: a Service whose new type no
 * longer needs what the old one had (a ClusterIP for ExternalName, NodePorts
 * for ClusterIP, a health-check port, LoadBalancer settings) loses it —
 * when the writer left it as it was, so it was the registry's, not theirs.
 * (`kubectl patch -p '{"spec":{"type":"ClusterIP"}}'` on a NodePort Service
 * carries the nodePorts along; Kubernetes clears them and the registry
 * releases them.) A LoadBalancer's status goes with the type.
 */
function dropTypeDependentFields(spec: Obj, oldSpec: Obj, svc: Obj): void {
  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    if (spec.clusterIP === oldSpec.clusterIP && semanticEqual(spec.clusterIPs, oldSpec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (semanticEqual(spec.ipFamilies, oldSpec.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === oldSpec.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  if (needsNodePorts(oldSpec) && !needsNodePorts(spec) && semanticEqual([...nodePortsOf(spec)].sort(), [...nodePortsOf(oldSpec)].sort()))
    for (const p of Array.isArray(spec.ports) ? spec.ports : []) delete p.nodePort;
  if (needsHealthCheckNodePort(oldSpec) && !needsHealthCheckNodePort(spec) && spec.healthCheckNodePort === oldSpec.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (oldSpec.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts != null && spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass === oldSpec.loadBalancerClass) delete spec.loadBalancerClass;
  }
  if (externallyAccessible(oldSpec) && !externallyAccessible(spec) && spec.externalTrafficPolicy === oldSpec.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  if (spec.type !== 'LoadBalancer' && svc.status?.loadBalancer) svc.status = { ...svc.status, loadBalancer: {} };
}

/**
 * Service registry: first what the new type no longer needs goes
 * (dropTypeDependentFields); then a PUT that omits what the registry
 * allocated (clusterIP, clusterIPs, nodePorts, healthCheckNodePort) keeps
 * the old values, as long as the type still needs them (patchAllocatedValues).
 */
export function prepareServiceForUpdate(svc: Obj, old: Obj): Obj {
  const spec = svc.spec;
  const oldSpec = old.spec;
  if (!spec || !oldSpec) return svc;
  dropTypeDependentFields(spec, oldSpec, svc);
  if (needsClusterIP(spec) && needsClusterIP(oldSpec)) {
    if (!spec.clusterIP && oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
    if ((!spec.clusterIPs || spec.clusterIPs.length === 0) && oldSpec.clusterIPs && spec.clusterIP === oldSpec.clusterIP) spec.clusterIPs = [...oldSpec.clusterIPs];
  }
  if (needsNodePorts(spec) && needsNodePorts(oldSpec)) {
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const match = (oldSpec.ports ?? []).find((o: Obj) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (match?.nodePort) p.nodePort = match.nodePort;
    }
  }
  if (needsHealthCheckNodePort(spec) && needsHealthCheckNodePort(oldSpec) && !spec.healthCheckNodePort && oldSpec.healthCheckNodePort)
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  return svc;
}

/** The create strategy of the object's kind (see the file comment). */
export function prepareForCreate<T extends object>(obj: T, scheme: Scheme = defaultScheme): T {
  const o = obj as Obj;
  const def = scheme.forObject(o);
  const gk = `${def?.group ?? ''}/${o.kind}`;
  if (hasStatusSubresource(def) && gk !== '/Node') delete o.status;
  switch (gk) {
    case '/Pod':
      preparePodForCreate(o);
      break;
    case '/Namespace':
      prepareNamespaceForCreate(o);
      break;
    case '/PersistentVolume':
    case '/PersistentVolumeClaim':
      o.status = { phase: 'Pending' };
      break;
    case 'batch/Job':
      prepareJobForCreate(o);
      break;
  }
  if (def?.tracksGeneration) (o.metadata ??= {}).generation = 1;
  return obj;
}

/** Everything but metadata and status: what a generation bump looks at. */
function specPart(o: Obj): Obj {
  const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...rest } = o;
  return rest;
}

/** The update strategy of the object's kind (see the file comment). */
export function prepareForUpdate<T extends object>(obj: T, old: object, scheme: Scheme = defaultScheme): T {
  const o = obj as Obj;
  const prev = old as Obj;
  const def = scheme.forObject(o);
  if (hasStatusSubresource(def)) {
    if (prev.status === undefined) delete o.status;
    else o.status = structuredClone(prev.status);
  }
  if (def?.group === '' && o.kind === 'Service') prepareServiceForUpdate(o, prev);
  // Namespace finalizers change only through /finalize.
  if (def?.group === '' && o.kind === 'Namespace' && prev.spec?.finalizers !== undefined)
    o.spec = { ...(o.spec ?? {}), finalizers: [...prev.spec.finalizers] };
  if (def?.tracksGeneration) {
    const generation = prev.metadata?.generation ?? 1;
    (o.metadata ??= {}).generation = semanticEqual(specPart(o), specPart(prev)) ? generation : generation + 1;
  }
  return obj;
}

/**
 * A write to `/status`: the result is the old object with the new status.
 * Metadata keeps the new object's fields except those a status writer may
 * not change (labels, annotations, finalizers, ownerReferences, generation,
 * deletionTimestamp), as metav1.ResetObjectMetaForStatus does.
 */
export function prepareForStatusUpdate<T extends object>(obj: T, old: T): T {
  const o = obj as Obj;
  const prev = structuredClone(old) as Obj;
  const meta: Obj = { ...(o.metadata ?? {}) };
  for (const k of ['deletionTimestamp', 'generation', 'selfLink', 'labels', 'annotations', 'finalizers', 'ownerReferences']) {
    if (prev.metadata?.[k] === undefined) delete meta[k];
    else meta[k] = prev.metadata[k];
  }
  const out: Obj = { ...prev, metadata: meta };
  if (o.status === undefined) delete out.status;
  else out.status = o.status;
  return out as T;
}
