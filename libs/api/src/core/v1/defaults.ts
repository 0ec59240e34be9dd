/**
 * core/v1 defaulting, as pkg/apis/core/v1/defaults.go and the generated
 * zz_generated.defaults.go apply it on every write. Functions mutate the
 * plain JSON object they are given.
 *
 * Not here, because Kubernetes does not do them in defaulting either:
 * serviceAccountName and the token volume (ServiceAccount admission),
 * priority/preemptionPolicy (Priority admission), not-ready/unreachable
 * tolerations (DefaultTolerationSeconds admission), clusterIP and nodePort
 * allocation (the service registry), Namespace finalizers (create strategy:
 * see `prepareForCreate`).
 */
import { DEFAULT_CLIENT_IP_SERVICE_AFFINITY_SECONDS } from './service.types';
import { DEFAULT_SCHEDULER_NAME, DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS } from './pod.types';
import { TERMINATION_MESSAGE_PATH_DEFAULT } from './container.types';
import { DEFAULT_FILE_MODE, VOLUME_SOURCE_FIELDS } from './volume.types';

type Obj = Record<string, any>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const each = (list: unknown, fn: (o: Obj) => void): void => {
  if (Array.isArray(list)) list.filter(isObj).forEach(fn);
};

/**
 * The tag of an image reference as Kubernetes parses it: `latest` when
 * there is neither tag nor digest, '' when only a digest is given.
 */
export function imageTag(image: string): string {
  const [name, digest] = image.split('@');
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  const tag = colon >= 0 ? lastSegment.slice(colon + 1) : '';
  return tag || (digest ? '' : 'latest');
}

function defaultProbe(p: unknown): void {
  if (!isObj(p)) return;
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  defaultHandler(p);
}

function defaultHandler(h: unknown): void {
  if (!isObj(h) || !isObj(h.httpGet)) return;
  h.httpGet.path ||= '/';
  h.httpGet.scheme ||= 'HTTP';
}

function defaultFieldRef(ref: unknown): void {
  if (isObj(ref)) ref.apiVersion ||= 'v1';
}

export function defaultContainer(c: Obj): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(String(c.image ?? '')) === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ||= TERMINATION_MESSAGE_PATH_DEFAULT;
  c.terminationMessagePolicy ||= 'File';
  // Kubernetes always serializes this struct, so objects read back carry `resources: {}`.
  if (c.resources === undefined || c.resources === null) c.resources = {};
  each(c.ports, (p) => (p.protocol ||= 'TCP'));
  each(c.env, (e) => defaultFieldRef(e.valueFrom?.fieldRef));
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObj(c.lifecycle)) {
    defaultHandler(c.lifecycle.postStart);
    defaultHandler(c.lifecycle.preStop);
  }
}

export function defaultVolume(v: Obj): void {
  if (!VOLUME_SOURCE_FIELDS.some((f) => v[f] !== undefined && v[f] !== null)) v.emptyDir = {};
  if (isObj(v.hostPath) && v.hostPath.type === undefined) v.hostPath.type = '';
  if (isObj(v.secret)) v.secret.defaultMode ??= DEFAULT_FILE_MODE;
  if (isObj(v.configMap)) v.configMap.defaultMode ??= DEFAULT_FILE_MODE;
  if (isObj(v.downwardAPI)) {
    v.downwardAPI.defaultMode ??= DEFAULT_FILE_MODE;
    each(v.downwardAPI.items, (i) => defaultFieldRef(i.fieldRef));
  }
  if (isObj(v.projected)) {
    v.projected.defaultMode ??= DEFAULT_FILE_MODE;
    each(v.projected.sources, (s) => {
      each(s.downwardAPI?.items, (i) => defaultFieldRef(i.fieldRef));
      if (isObj(s.serviceAccountToken)) s.serviceAccountToken.expirationSeconds ??= 3600;
    });
  }
  if (isObj(v.ephemeral) && isObj(v.ephemeral.volumeClaimTemplate)) defaultPersistentVolumeClaimSpec(v.ephemeral.volumeClaimTemplate.spec);
}

/** SetDefaults_PodSpec and everything generated beneath it (pods and pod templates). */
export function defaultPodSpec(spec: unknown): void {
  if (!isObj(spec)) return;
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  if (spec.securityContext === undefined || spec.securityContext === null) spec.securityContext = {};
  spec.terminationGracePeriodSeconds ??= DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  spec.schedulerName ||= DEFAULT_SCHEDULER_NAME;
  each(spec.volumes, defaultVolume);
  each(spec.initContainers, defaultContainer);
  each(spec.containers, defaultContainer);
  each(spec.ephemeralContainers, defaultContainer);
  if (spec.hostNetwork === true) {
    for (const list of [spec.containers, spec.initContainers])
      each(list, (c) => each(c.ports, (p) => (p.hostPort ||= p.containerPort)));
  }
}

export function defaultPodTemplateSpec(template: unknown): void {
  if (isObj(template)) defaultPodSpec(template.spec);
}

/** SetDefaults_Pod: requests default to limits, enableServiceLinks; then the spec. */
export function defaultPod(pod: Obj): void {
  const spec = pod.spec;
  if (isObj(spec)) {
    for (const list of [spec.containers, spec.initContainers]) {
      each(list, (c) => {
        const limits = c.resources?.limits;
        if (!isObj(limits)) return;
        c.resources.requests = { ...limits, ...(isObj(c.resources.requests) ? c.resources.requests : {}) };
      });
    }
    spec.enableServiceLinks ??= true;
  }
  defaultPodSpec(spec);
}

export function defaultPodTemplate(obj: Obj): void {
  defaultPodTemplateSpec(obj.template);
}

export function defaultReplicationController(rc: Obj): void {
  const spec = (rc.spec ??= {});
  const labels = spec.template?.metadata?.labels;
  if (isObj(labels)) {
    if (!isObj(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    rc.metadata ??= {};
    if (!isObj(rc.metadata.labels) || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...labels };
  }
  spec.replicas ??= 1;
  defaultPodTemplateSpec(spec.template);
}

const externallyAccessible = (spec: Obj): boolean =>
  spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);

export function defaultService(svc: Obj): void {
  const spec = (svc.spec ??= {});
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == null)
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_SERVICE_AFFINITY_SECONDS } };
  spec.type ||= 'ClusterIP';
  each(spec.ports, (p) => {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  });
  if (externallyAccessible(spec)) spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.internalTrafficPolicy == null && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type))
    spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer') {
    spec.allocateLoadBalancerNodePorts ??= true;
    each(svc.status?.loadBalancer?.ingress, (i) => {
      if (i.ip && i.ipMode == null) i.ipMode = 'VIP';
    });
  }
  defaultServiceIPFamilies(svc);
}

/**
 * What the service registry fills in on a single-stack IPv4 cluster:
 * ipFamilies [IPv4], and SingleStack (RequireDualStack for a headless
 * service without selector). ExternalName services get neither.
 */
export function defaultServiceIPFamilies(svc: Obj): void {
  const spec = svc.spec;
  if (!isObj(spec) || spec.type === 'ExternalName') return;
  const headlessWithoutSelector = spec.clusterIP === 'None' && !(isObj(spec.selector) && Object.keys(spec.selector).length > 0);
  spec.ipFamilyPolicy ||= headlessWithoutSelector ? 'RequireDualStack' : 'SingleStack';
  if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
}

export function defaultEndpoints(ep: Obj): void {
  each(ep.subsets, (s) => each(s.ports, (p) => (p.protocol ||= 'TCP')));
}

export function defaultNamespace(ns: Obj): void {
  const name = ns.metadata?.name;
  if (typeof name === 'string' && name.length > 0) {
    ns.metadata.labels = { ...(isObj(ns.metadata.labels) ? ns.metadata.labels : {}), 'kubernetes.io/metadata.name': name };
  }
  ns.status ??= {};
  ns.status.phase ||= 'Active';
}

export function defaultNode(node: Obj): void {
  const status = node.status;
  if (isObj(status) && status.allocatable == null && isObj(status.capacity)) status.allocatable = { ...status.capacity };
}

export function defaultSecret(secret: Obj): void {
  secret.type ||= 'Opaque';
  // The v1 -> internal conversion merges write-only stringData into data.
  if (isObj(secret.stringData)) {
    secret.data = { ...(isObj(secret.data) ? secret.data : {}) };
    for (const [k, v] of Object.entries(secret.stringData)) secret.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete secret.stringData;
  }
}

export function defaultPersistentVolume(pv: Obj): void {
  const spec = (pv.spec ??= {});
  spec.persistentVolumeReclaimPolicy ||= 'Retain';
  spec.volumeMode ??= 'Filesystem';
  if (isObj(spec.hostPath) && spec.hostPath.type === undefined) spec.hostPath.type = '';
  pv.status ??= {};
  pv.status.phase ||= 'Pending';
}

export function defaultPersistentVolumeClaimSpec(spec: unknown): void {
  if (isObj(spec)) spec.volumeMode ??= 'Filesystem';
}

export function defaultPersistentVolumeClaim(pvc: Obj): void {
  defaultPersistentVolumeClaimSpec((pvc.spec ??= {}));
  pvc.status ??= {};
  pvc.status.phase ||= 'Pending';
}
