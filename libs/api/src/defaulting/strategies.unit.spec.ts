import { applyDefaults } from './apply-defaults';
import { prepareForCreate, prepareForStatusUpdate, prepareForUpdate, prepareJobForCreate, prepareServiceForUpdate } from './strategies';
import { seed } from '../testing/seed-manifests';
import { validateServiceSpec } from '../core/v1/validation/service.validation';

const UID = '863452e6-270d-420e-9b94-53a54146c223';

describe('prepareJobForCreate', () => {
  it('generates the controller-uid selector and the four labels, as Kubernetes 1.32 does', () => {
    const job = applyDefaults(seed.job());
    job.metadata.uid = UID;
    prepareJobForCreate(job);
    const labels = {
      app: 'batch-job',
      'batch.kubernetes.io/controller-uid': UID,
      'batch.kubernetes.io/job-name': 'batch-job',
      'controller-uid': UID,
      'job-name': 'batch-job',
    };
    expect(job.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': UID } });
    expect(job.spec.template.metadata.labels).toEqual(labels);
    expect(job.metadata.labels).toEqual(labels);
  });

  it('keeps labels the user chose for the Job itself, and does nothing with a manual selector', () => {
    const job = applyDefaults(seed.job());
    job.metadata.uid = UID;
    job.metadata.labels = { team: 'a' };
    prepareJobForCreate(job);
    expect(job.metadata.labels).toEqual({ team: 'a' });

    const manual = seed.job();
    manual.metadata.uid = UID;
    manual.spec.manualSelector = true;
    manual.spec.selector = { matchLabels: { app: 'batch-job' } };
    prepareJobForCreate(manual);
    expect(manual.spec.selector).toEqual({ matchLabels: { app: 'batch-job' } });
    expect(manual.spec.template.metadata.labels).toEqual({ app: 'batch-job' });
  });

  it('refuses to run without a uid', () => {
    expect(() => prepareJobForCreate(seed.job())).toThrow(/uid/);
  });
});

describe('prepareForCreate', () => {
  it('makes a new pod Pending with its QoS class and drops client status', () => {
    const pod = applyDefaults(seed.kubiaManualPod());
    pod.status = { phase: 'Running', podIP: '1.2.3.4' };
    expect(prepareForCreate(pod).status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    const guaranteed = seed.kubiaManualPod();
    guaranteed.spec.containers[0].resources = { limits: { cpu: '1', memory: '1Gi' } };
    expect(prepareForCreate(applyDefaults(guaranteed)).status.qosClass).toBe('Guaranteed');
    const burstable = seed.kubiaManualPod();
    burstable.spec.containers[0].resources = { requests: { cpu: '100m' } };
    expect(prepareForCreate(applyDefaults(burstable)).status.qosClass).toBe('Burstable');
  });

  it('adds the kubernetes finalizer and Active phase to namespaces', () => {
    const ns = prepareForCreate(applyDefaults(seed.namespace()));
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(ns.status).toEqual({ phase: 'Active' });
    const withOther = seed.namespace();
    withOther.spec = { finalizers: ['example.com/x'] };
    expect(prepareForCreate(withOther).spec.finalizers).toEqual(['example.com/x', 'kubernetes']);
  });

  it('sets generation 1 and clears status for deployments; generates job selectors', () => {
    const d = seed.deploymentV1();
    d.status = { replicas: 9 };
    prepareForCreate(d);
    expect(d.metadata.generation).toBe(1);
    expect(d.status).toBeUndefined();
    const job = applyDefaults(seed.job());
    job.metadata.uid = UID;
    expect(prepareForCreate(job).spec.selector.matchLabels['batch.kubernetes.io/controller-uid']).toBe(UID);
  });

  it('leaves node status alone (the kubelet creates nodes with status)', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { capacity: { cpu: '2' } } };
    expect(prepareForCreate(node).status).toEqual({ capacity: { cpu: '2' } });
    expect((node.metadata as Record<string, unknown>).generation).toBeUndefined();
  });
});

describe('prepareForUpdate', () => {
  it('keeps the old status and bumps generation only when the spec changed', () => {
    const old = prepareForCreate(applyDefaults(seed.deploymentV1()));
    old.status = { replicas: 3 };
    const same = structuredClone(old);
    same.metadata.labels = { changed: 'yes' };
    same.status = { replicas: 0 };
    expect(prepareForUpdate(same, old).metadata.generation).toBe(1);
    expect(same.status).toEqual({ replicas: 3 });
    const scaled = structuredClone(old);
    scaled.spec.replicas = 5;
    expect(prepareForUpdate(scaled, old).metadata.generation).toBe(2);
  });

  it('keeps namespace finalizers (they change only through /finalize)', () => {
    const old = prepareForCreate(applyDefaults(seed.namespace()));
    const next = structuredClone(old);
    next.spec.finalizers = [];
    expect(prepareForUpdate(next, old).spec.finalizers).toEqual(['kubernetes']);
  });

  it('keeps what the service registry allocated', () => {
    const old = applyDefaults(seed.nodePortService());
    old.spec.clusterIP = '10.96.0.10';
    old.spec.clusterIPs = ['10.96.0.10'];
    const next = applyDefaults(seed.nodePortService());
    delete next.spec.ports[0].nodePort;
    prepareServiceForUpdate(next, old);
    expect(next.spec).toMatchObject({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ nodePort: 30001 }] });
  });

  it('drops the nodePorts (and externalTrafficPolicy) of a NodePort Service turned ClusterIP, as Kubernetes does', () => {
    const old = applyDefaults(seed.nodePortService());
    old.spec.clusterIP = '10.96.0.10';
    old.spec.clusterIPs = ['10.96.0.10'];
    expect(old.spec.externalTrafficPolicy).toBe('Cluster');
    // What `kubectl patch -p '{"spec":{"type":"ClusterIP"}}'` sends: everything else as it was.
    const next = applyDefaults({ ...structuredClone(old), spec: { ...structuredClone(old.spec), type: 'ClusterIP' } });
    prepareServiceForUpdate(next, old);
    expect(next.spec.ports[0].nodePort).toBeUndefined();
    expect(next.spec.externalTrafficPolicy).toBeUndefined();
    expect(next.spec.clusterIP).toBe('10.96.0.10');
    expect(validateServiceSpec(next.spec)).toEqual([]);
  });

  it('keeps nodePorts the writer changed while changing the type (validation then refuses them)', () => {
    const old = applyDefaults(seed.nodePortService());
    const next = structuredClone(old);
    next.spec.type = 'ClusterIP';
    next.spec.ports[0].nodePort = 30002;
    prepareServiceForUpdate(next, old);
    expect(next.spec.ports[0].nodePort).toBe(30002);
  });

  it('drops a LoadBalancer\'s own settings and status when it becomes ClusterIP, and the ClusterIP when it becomes ExternalName', () => {
    const lb: Record<string, any> = applyDefaults({ ...seed.nodePortService(), spec: { ...seed.nodePortService().spec, type: 'LoadBalancer' } });
    lb.spec.clusterIP = '10.96.0.11';
    lb.spec.clusterIPs = ['10.96.0.11'];
    lb.status = { loadBalancer: { ingress: [{ ip: '127.1.0.5' }] } };
    const toClusterIP = structuredClone(lb);
    toClusterIP.spec.type = 'ClusterIP';
    prepareServiceForUpdate(toClusterIP, lb);
    expect(toClusterIP.spec).not.toHaveProperty('allocateLoadBalancerNodePorts');
    expect(toClusterIP.spec.ports[0].nodePort).toBeUndefined();
    expect(toClusterIP.status.loadBalancer).toEqual({});
    expect(validateServiceSpec(toClusterIP.spec)).toEqual([]);
    const toExternal = structuredClone(lb);
    Object.assign(toExternal.spec, { type: 'ExternalName', externalName: 'example.com' });
    prepareServiceForUpdate(toExternal, lb);
    expect(toExternal.spec).not.toHaveProperty('clusterIP');
    expect(toExternal.spec).not.toHaveProperty('clusterIPs');
    expect(toExternal.spec).not.toHaveProperty('ipFamilies');
    expect(validateServiceSpec(toExternal.spec)).toEqual([]);
  });
});

describe('prepareForStatusUpdate', () => {
  it('takes only status (and harmless metadata) from the new object', () => {
    const old = prepareForCreate(applyDefaults(seed.deploymentV1()));
    old.metadata.labels = { a: 'b' };
    const next = structuredClone(old);
    next.spec.replicas = 100;
    next.metadata.labels = { hacked: 'yes' };
    next.metadata.resourceVersion = '42';
    next.status = { replicas: 3, readyReplicas: 3 };
    const out = prepareForStatusUpdate(next, old);
    expect(out.spec.replicas).toBe(3);
    expect(out.metadata.labels).toEqual({ a: 'b' });
    expect(out.metadata.resourceVersion).toBe('42');
    expect(out.status).toEqual({ replicas: 3, readyReplicas: 3 });
  });
});
