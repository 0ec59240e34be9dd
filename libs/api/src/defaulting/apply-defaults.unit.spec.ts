/**
 * Defaulting compared with what Kubernetes 1.32 stores for the seed's
 * manifests (`kubectl create -f` then `kubectl get -o yaml`), minus what the
 * apiserver adds elsewhere (uid, timestamps, admission plugins, allocation)
 * and Go serialization artifacts (`creationTimestamp: null` in templates).
 */
import { load } from 'js-yaml';
import { applyDefaults } from './apply-defaults';
import { imageTag } from '../core/v1/defaults';
import { seed } from '../testing/seed-manifests';

const yaml = (text: string) => load(text) as Record<string, any>;

const defaultedContainer = (extra: string) => `
${extra}
  imagePullPolicy: IfNotPresent
  resources: {}
  terminationMessagePath: /dev/termination-log
  terminationMessagePolicy: File`;

describe('applyDefaults: workloads from the seed', () => {
  it('Deployment (9.3) matches Kubernetes 1.32', () => {
    const d = applyDefaults(seed.deploymentV1());
    expect(d.spec).toEqual(
      yaml(`
progressDeadlineSeconds: 600
replicas: 3
revisionHistoryLimit: 10
selector:
  matchLabels:
    app: kubia
strategy:
  rollingUpdate:
    maxSurge: 25%
    maxUnavailable: 25%
  type: RollingUpdate
template:
  metadata:
    labels:
      app: kubia
    name: kubia
  spec:
    containers:
    - image: yinzige/kubia:v1
      imagePullPolicy: IfNotPresent
      name: nodejs
      resources: {}
      terminationMessagePath: /dev/termination-log
      terminationMessagePolicy: File
    dnsPolicy: ClusterFirst
    restartPolicy: Always
    schedulerName: default-scheduler
    securityContext: {}
    terminationGracePeriodSeconds: 30
`),
    );
  });

  it('Deployment (9.4) keeps the user strategy and defaults the readiness probe', () => {
    const d = applyDefaults(seed.deploymentV3());
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(d.spec.minReadySeconds).toBe(10);
    expect(d.spec.template.spec.containers[0].readinessProbe).toEqual({
      failureThreshold: 3,
      httpGet: { path: '/', port: 8080, scheme: 'HTTP' },
      periodSeconds: 1,
      successThreshold: 1,
      timeoutSeconds: 1,
    });
  });

  it('Recreate deployments get no rollingUpdate', () => {
    const d = seed.deploymentV1();
    d.spec.strategy = { type: 'Recreate' };
    expect(applyDefaults(d).spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('ReplicationController (4.2): selector and labels from the template, Always for untagged images', () => {
    const rc = seed.replicationController();
    delete rc.spec.selector;
    delete rc.spec.replicas;
    applyDefaults(rc);
    expect(rc.metadata.labels).toEqual({ app: 'kubia' });
    expect(rc.spec.selector).toEqual({ app: 'kubia' });
    expect(rc.spec.replicas).toBe(1);
    const c = rc.spec.template.spec.containers[0];
    expect(c.imagePullPolicy).toBe('Always');
    expect(c.ports).toEqual([{ containerPort: 8080, protocol: 'TCP' }]);
  });

  it('ReplicaSet (4.3) gets replicas and pod template defaults', () => {
    const rs = seed.replicaSet();
    delete rs.spec.replicas;
    applyDefaults(rs);
    expect(rs.spec.replicas).toBe(1);
    expect(rs.spec.template.spec.restartPolicy).toBe('Always');
  });

  it('DaemonSet (4.4) matches Kubernetes 1.32', () => {
    const ds = applyDefaults(seed.daemonSet());
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect(ds.spec.revisionHistoryLimit).toBe(10);
    expect(ds.spec.template.spec.containers[0].imagePullPolicy).toBe('Always');
    expect(ds.spec.template.spec.nodeSelector).toEqual({ disk: 'ssd' });
  });

  it('StatefulSet (10.3) matches Kubernetes 1.32, claim templates included', () => {
    const sts = applyDefaults(seed.statefulSet());
    const { template: _t, volumeClaimTemplates, ...rest } = sts.spec;
    expect(rest).toEqual(
      yaml(`
persistentVolumeClaimRetentionPolicy:
  whenDeleted: Retain
  whenScaled: Retain
podManagementPolicy: OrderedReady
replicas: 2
revisionHistoryLimit: 10
selector:
  matchLabels:
    app: kubia
serviceName: kubia
updateStrategy:
  rollingUpdate:
    partition: 0
  type: RollingUpdate
`),
    );
    expect(volumeClaimTemplates).toEqual(
      yaml(`
- metadata:
    name: data
  spec:
    accessModes:
    - ReadWriteOnce
    resources:
      requests:
        storage: 1Mi
    volumeMode: Filesystem
  status:
    phase: Pending
`),
    );
    expect(sts.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 8080, name: 'http', protocol: 'TCP' }]);
  });

  it('Job (4.5) matches Kubernetes 1.32 before the apiserver generates its selector', () => {
    const job = applyDefaults(seed.job());
    expect(job.metadata.labels).toEqual({ app: 'batch-job' });
    const { template, ...rest } = job.spec;
    expect(rest).toEqual({
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      completions: 5,
      manualSelector: false,
      parallelism: 2,
      podReplacementPolicy: 'TerminatingOrFailed',
      suspend: false,
    });
    expect(template.spec.restartPolicy).toBe('OnFailure');
  });

  it('Job: completions and parallelism default to 1 only when both are unset', () => {
    const both = seed.job();
    delete both.spec.completions;
    delete both.spec.parallelism;
    expect(applyDefaults(both).spec).toMatchObject({ completions: 1, parallelism: 1 });
    const onlyParallelism = seed.job();
    delete onlyParallelism.spec.completions;
    expect(applyDefaults(onlyParallelism).spec.completions).toBeUndefined();
    const onlyCompletions = seed.job();
    delete onlyCompletions.spec.parallelism;
    expect(applyDefaults(onlyCompletions).spec.parallelism).toBe(1);
  });

  it('CronJob batch/v1beta1 (4.6) is defaulted as v1 and stays v1beta1; its job template gets no Job defaults', () => {
    const cj = applyDefaults(seed.cronJobV1beta1());
    expect(cj.apiVersion).toBe('batch/v1beta1');
    const { jobTemplate, ...rest } = cj.spec;
    expect(rest).toEqual({
      concurrencyPolicy: 'Allow',
      failedJobsHistoryLimit: 1,
      schedule: '*/1 * * * *',
      successfulJobsHistoryLimit: 3,
      suspend: false,
    });
    expect(Object.keys(jobTemplate.spec)).toEqual(['template']);
    expect(jobTemplate.spec.template.spec.dnsPolicy).toBe('ClusterFirst');
  });
});

describe('applyDefaults: pods', () => {
  it('Pod kubia-manual (3.2) matches Kubernetes 1.32', () => {
    const pod = applyDefaults(seed.kubiaManualPod());
    expect(pod.spec).toEqual(
      yaml(`
containers:
- image: wuyinio/kubia:2
  imagePullPolicy: IfNotPresent
  name: kubia
  ports:
  - containerPort: 8080
    protocol: TCP
  resources: {}
  terminationMessagePath: /dev/termination-log
  terminationMessagePolicy: File
dnsPolicy: ClusterFirst
enableServiceLinks: true
restartPolicy: Always
schedulerName: default-scheduler
securityContext: {}
terminationGracePeriodSeconds: 30
`),
    );
  });

  it('defaults probes (4.1), volumes, downward API field refs', () => {
    const live = applyDefaults(seed.livenessPod()).spec.containers[0];
    expect(live.imagePullPolicy).toBe('Always');
    expect(live.livenessProbe).toEqual({
      failureThreshold: 3,
      httpGet: { path: '/', port: 8080, scheme: 'HTTP' },
      initialDelaySeconds: 11,
      periodSeconds: 10,
      successThreshold: 1,
      timeoutSeconds: 1,
    });
    const down = applyDefaults(seed.downwardPod()).spec.containers[0];
    expect(down.env[0].valueFrom.fieldRef).toEqual({ apiVersion: 'v1', fieldPath: 'metadata.namespace' });
    expect(down.env[1].valueFrom.resourceFieldRef).toEqual({ resource: 'requests.cpu', divisor: '1m' });
  });

  it('defaults volume sources and turns a source-less volume into emptyDir', () => {
    const pod = seed.fortunePod();
    pod.spec.volumes.push(
      { name: 'cfg', configMap: { name: 'fortune-config' } },
      { name: 'auth', secret: { secretName: 'fortune-auth' } },
      { name: 'host', hostPath: { path: '/tmp' } },
      { name: 'dapi', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      { name: 'bare' },
    );
    const [html, cfg, auth, host, dapi, bare] = applyDefaults(pod).spec.volumes;
    expect(html).toEqual({ name: 'html', emptyDir: {} });
    expect(cfg.configMap.defaultMode).toBe(420);
    expect(auth.secret.defaultMode).toBe(420);
    expect(host.hostPath).toEqual({ path: '/tmp', type: '' });
    expect(dapi.downwardAPI).toEqual({ defaultMode: 420, items: [{ path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } }] });
    expect(bare).toEqual({ name: 'bare', emptyDir: {} });
  });

  it('copies limits into missing requests on pods only', () => {
    const pod = seed.kubiaManualPod();
    pod.spec.containers[0].resources = { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } };
    expect(applyDefaults(pod).spec.containers[0].resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
    const d = seed.deploymentV1();
    d.spec.template.spec.containers[0].resources = { limits: { cpu: '1' } };
    expect(applyDefaults(d).spec.template.spec.containers[0].resources).toEqual({ limits: { cpu: '1' } });
  });

  it('defaults host ports to container ports on the host network', () => {
    const pod = seed.kubiaManualPod();
    pod.spec.hostNetwork = true;
    expect(applyDefaults(pod).spec.containers[0].ports[0].hostPort).toBe(8080);
  });

  it.each([
    ['nginx', 'latest'],
    ['nginx:alpine', 'alpine'],
    ['localhost:5000/nginx', 'latest'],
    ['localhost:5000/nginx:1.2', '1.2'],
    ['nginx@sha256:abc', ''],
    ['nginx:1.2@sha256:abc', '1.2'],
  ])('reads the tag of %s as %p', (image, tag) => {
    expect(imageTag(image)).toBe(tag);
  });
});

describe('applyDefaults: services and others', () => {
  it('Service kubia (5.1) matches Kubernetes 1.32', () => {
    expect(applyDefaults(seed.kubiaService()).spec).toEqual(
      yaml(`
internalTrafficPolicy: Cluster
ipFamilies:
- IPv4
ipFamilyPolicy: SingleStack
ports:
- name: http
  port: 80
  protocol: TCP
  targetPort: http
- name: https
  port: 443
  protocol: TCP
  targetPort: https
selector:
  app: kubia
sessionAffinity: ClientIP
sessionAffinityConfig:
  clientIP:
    timeoutSeconds: 10800
type: ClusterIP
`),
    );
  });

  it('NodePort, LoadBalancer, ExternalName and headless services', () => {
    expect(applyDefaults(seed.nodePortService()).spec).toMatchObject({ externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster' });
    const lb = seed.nodePortService();
    lb.spec.type = 'LoadBalancer';
    expect(applyDefaults(lb).spec).toMatchObject({ allocateLoadBalancerNodePorts: true, externalTrafficPolicy: 'Cluster' });
    expect(applyDefaults(seed.externalNameService()).spec).toEqual({
      type: 'ExternalName',
      externalName: 'www.baidu.com',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      sessionAffinity: 'None',
    });
    expect(applyDefaults(seed.headlessService()).spec).toMatchObject({ ipFamilyPolicy: 'SingleStack', ports: [{ port: 80, targetPort: 8080 }] });
    const noSelector = seed.headlessService();
    delete noSelector.spec.selector;
    expect(applyDefaults(noSelector).spec.ipFamilyPolicy).toBe('RequireDualStack');
  });

  it('Endpoints, Namespace, Secret, PV, PVC, StorageClass', () => {
    expect(applyDefaults(seed.endpoints()).subsets[0].ports).toEqual([{ port: 80, protocol: 'TCP' }]);
    const ns = applyDefaults(seed.namespace());
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'custom-namespace' });
    expect(ns.status).toEqual({ phase: 'Active' });
    expect(ns.spec).toBeUndefined();
    const secret = applyDefaults({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { b: 'hi' } });
    expect(secret).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { a: 'eA==', b: 'aGk=' } });
    const pv = applyDefaults(seed.persistentVolume());
    expect(pv.spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', hostPath: { path: '/tmp/mongodb', type: '' } });
    expect(pv.status).toEqual({ phase: 'Pending' });
    const pvc = applyDefaults(seed.persistentVolumeClaim());
    expect(pvc.spec).toEqual({ resources: { requests: { storage: '1Gi' } }, accessModes: ['ReadWriteOnce'], storageClassName: '', volumeMode: 'Filesystem' });
    expect(applyDefaults(seed.storageClass())).toMatchObject({ reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
  });

  it('v1beta1 Ingress paths get ImplementationSpecific and stay v1beta1', () => {
    const ing = applyDefaults(seed.ingressV1beta1());
    expect(ing.apiVersion).toBe('networking.k8s.io/v1beta1');
    expect(ing.spec.rules[0].http.paths[0]).toEqual({
      path: '/kubia',
      pathType: 'ImplementationSpecific',
      backend: { serviceName: 'kubia-nodeport', servicePort: 80 },
    });
  });

  it('leaves kinds it does not know alone', () => {
    const cr = { apiVersion: 'stable.example.com/v1', kind: 'CronTab', spec: {} };
    expect(applyDefaults(cr)).toEqual({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', spec: {} });
  });
});
