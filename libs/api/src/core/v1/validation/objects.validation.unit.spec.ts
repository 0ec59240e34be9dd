import { seed } from '../../../testing/seed-manifests';
import { createErrors, updateErrors } from '../../../testing/validation-fixtures';

describe('service validation', () => {
  it('accepts the seed services', () => {
    for (const svc of [seed.kubiaService(), seed.externalNameService(), seed.nodePortService(), seed.headlessService()])
      expect(createErrors(svc)).toEqual([]);
  });

  it('names services with DNS-1035 labels', () => {
    const svc = seed.kubiaService();
    svc.metadata.name = '1kubia';
    expect(createErrors(svc)).toEqual([
      `metadata.name: Invalid value: "1kubia": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ]);
  });

  it('requires ports unless headless or ExternalName', () => {
    const svc = seed.kubiaService();
    svc.spec.ports = [];
    expect(createErrors(svc)).toEqual(['spec.ports: Required value']);
    const headless = seed.headlessService();
    headless.spec.ports = [];
    expect(createErrors(headless)).toEqual([]);
    const ext = seed.externalNameService();
    delete ext.spec.ports;
    expect(createErrors(ext)).toEqual([]);
  });

  it('checks port ranges, names, duplicates, type and session affinity', () => {
    const svc = seed.kubiaService();
    svc.spec.ports = [
      { name: 'http', port: 80, targetPort: 70000 },
      { name: 'http', port: 80 },
      { port: 0 },
    ];
    svc.spec.type = 'Internal';
    svc.spec.sessionAffinity = 'Sticky';
    delete svc.spec.sessionAffinityConfig;
    expect(createErrors(svc)).toEqual([
      'spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.ports[2].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
      'spec.ports[1].name: Duplicate value: "http"',
      'spec.ports[2].name: Required value',
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]);
  });

  it('checks node ports and ExternalName services', () => {
    const np = seed.nodePortService();
    np.spec.ports[0].nodePort = 80;
    expect(createErrors(np)).toEqual([
      'spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
    ]);
    const clusterIP = seed.nodePortService();
    clusterIP.spec.type = 'ClusterIP';
    expect(createErrors(clusterIP)).toEqual(["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
    const ext = seed.externalNameService();
    delete ext.spec.externalName;
    expect(createErrors(ext)).toEqual(['spec.externalName: Required value']);
    const bad = seed.externalNameService();
    bad.spec.externalName = 'Not A Host';
    expect(createErrors(bad)[0]).toMatch(/^spec\.externalName: Invalid value: "Not A Host": a lowercase RFC 1123 subdomain/);
  });

  it('keeps clusterIP once set', () => {
    const svc = seed.kubiaService();
    svc.spec.clusterIP = '10.96.0.20';
    svc.spec.clusterIPs = ['10.96.0.20'];
    expect(updateErrors(svc, (s) => (s.spec.ports[0].port = 8080))).toEqual([]);
    expect(updateErrors(svc, (s) => ((s.spec.clusterIP = '10.96.0.21'), (s.spec.clusterIPs = ['10.96.0.21'])))).toEqual([
      'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.21"}: may not change once set',
    ]);
    expect(updateErrors(svc, (s) => ((s.spec.clusterIP = 'nope'), (s.spec.clusterIPs = ['nope'])))).toContain(
      'spec.clusterIPs[0]: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    );
  });
});

describe('endpoints, namespaces, config and storage', () => {
  it('checks endpoints addresses and ports', () => {
    expect(createErrors(seed.endpoints())).toEqual([]);
    const ep = seed.endpoints();
    ep.subsets[0].addresses.push({ ip: 'www.baidu.com' });
    ep.subsets.push({ ports: [{ port: 80 }] });
    expect(createErrors(ep)).toEqual([
      'subsets[0].addresses[2].ip: Invalid value: "www.baidu.com": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`',
    ]);
  });

  it('names namespaces with DNS-1123 labels and forbids a namespace on them', () => {
    expect(createErrors(seed.namespace())).toEqual([]);
    const ns = seed.namespace();
    ns.metadata.name = 'custom.namespace';
    ns.metadata.namespace = 'default';
    expect(createErrors(ns)).toEqual(['metadata.name: Invalid value: "custom.namespace": must not contain dots', 'metadata.namespace: Forbidden: not allowed on this type']);
  });

  it('checks ConfigMap and Secret keys and secret types', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fortune-config' }, data: { 'sleep-interval': '25', 'bad/key': 'x' } };
    expect(createErrors(cm)).toEqual([
      "data[bad/key]: Invalid value: \"bad/key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ]);
    const tls = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cert' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } };
    expect(createErrors(tls)).toEqual(['data[tls.key]: Required value']);
    const notBase64 = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: 'not base64!' } };
    expect(createErrors(notBase64)).toEqual(['data[password]: Invalid value: "<secret contents redacted>": illegal base64 data']);
  });

  it('freezes immutable ConfigMaps', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, immutable: true, data: { a: '1' } };
    expect(updateErrors(cm, (c) => (c.data.a = '2'))).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
  });

  it('checks PersistentVolumes and claims (6.5)', () => {
    expect(createErrors(seed.persistentVolume())).toEqual([]);
    expect(createErrors(seed.persistentVolumeClaim())).toEqual([]);
    const pv = seed.persistentVolume();
    pv.spec.accessModes = ['ReadWriteSometimes'];
    delete pv.spec.capacity;
    pv.spec.persistentVolumeReclaimPolicy = 'Cycle';
    expect(createErrors(pv)).toEqual([
      'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      'spec.persistentVolumeReclaimPolicy: Unsupported value: "Cycle": supported values: "Delete", "Recycle", "Retain"',
      'spec.capacity: Required value',
    ]);
    const pvc = seed.persistentVolumeClaim();
    pvc.spec.accessModes = [];
    pvc.spec.resources = {};
    expect(createErrors(pvc)).toEqual(['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value']);
  });

  it('keeps a claim spec immutable', () => {
    const [err] = updateErrors(seed.persistentVolumeClaim(), (c) => (c.spec.accessModes = ['ReadWriteMany']));
    expect(err.split('\n')[0]).toBe(
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    );
    expect(updateErrors(seed.persistentVolumeClaim(), (c) => (c.spec.volumeName = 'mongodb-pv'))).toEqual([]);
  });

  it('checks ReplicationController selectors against template labels (4.2)', () => {
    expect(createErrors(seed.replicationController())).toEqual([]);
    const rc = seed.replicationController();
    rc.spec.selector = { app: 'kubia-v2' };
    expect(createErrors(rc)).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"kubia"}: `selector` does not match template `labels`',
    ]);
    const never = seed.replicationController();
    never.spec.template.spec.restartPolicy = 'Never';
    never.spec.replicas = -1;
    expect(createErrors(never)).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]);
  });

  it('checks events and bindings', () => {
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'kubia.17a', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'kubia', namespace: 'other' },
      reason: 'Started',
    };
    expect(createErrors(ev)).toEqual(['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'kubia' }, target: { kind: 'Pod' } };
    expect(createErrors(binding)).toEqual([
      'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
      'target.name: Required value',
    ]);
  });
});
