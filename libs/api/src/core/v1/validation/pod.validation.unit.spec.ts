import { seed } from '../../../testing/seed-manifests';
import { createErrors, messages, updateErrors } from '../../../testing/validation-fixtures';
import { validateCreate } from '../../../validation/validate';

describe('pod validation', () => {
  it('accepts the seed pods', () => {
    for (const pod of [seed.kubiaManualPod(), seed.livenessPod(), seed.fortunePod(), seed.downwardPod()]) expect(createErrors(pod)).toEqual([]);
  });

  it('checks object meta: name, generateName, namespace, labels, annotations', () => {
    const pod = seed.kubiaManualPod();
    pod.metadata = { name: 'Bad_Name', labels: { 'bad key!': 'v', ok: 'bad value!' } };
    expect(createErrors(pod)).toEqual([
      `metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      `metadata.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      `metadata.labels: Invalid value: "bad value!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ]);
    const unnamed = seed.kubiaManualPod();
    unnamed.metadata = {};
    expect(createErrors(unnamed)).toEqual(['metadata.name: Required value: name or generateName is required']);
    const big = seed.kubiaManualPod();
    big.metadata.annotations = { 'example.com/blob': 'x'.repeat(256 * 1024) };
    expect(createErrors(big)).toEqual(['metadata.annotations: Too long: must have at most 262144 bytes']);
    const noNamespace = seed.kubiaManualPod();
    expect(messages(validateCreate(noNamespace))).toEqual(['metadata.namespace: Required value']);
  });

  it('requires at least one container, each with a unique DNS-1123 label name and an image', () => {
    const empty = seed.kubiaManualPod();
    empty.spec.containers = [];
    expect(createErrors(empty)).toEqual(['spec.containers: Required value']);
    const noSpec = seed.kubiaManualPod();
    delete noSpec.spec;
    expect(createErrors(noSpec)).toEqual(['spec.containers: Required value']);
    const bad = seed.fortunePod();
    bad.spec.containers[0].name = 'Web';
    bad.spec.containers[1].name = 'Web';
    delete bad.spec.containers[1].image;
    const errs = createErrors(bad);
    expect(errs).toContain('spec.containers[1].name: Duplicate value: "Web"');
    expect(errs).toContain('spec.containers[1].image: Required value');
    expect(errs.filter((e) => e.startsWith('spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label'))).toHaveLength(1);
    const initDup = seed.kubiaManualPod();
    initDup.spec.initContainers = [{ name: 'kubia', image: 'busybox' }];
    expect(createErrors(initDup)).toEqual(['spec.initContainers[0].name: Duplicate value: "kubia"']);
  });

  it('checks ports: range, names, protocol, uniqueness', () => {
    const pod = seed.kubiaManualPod();
    pod.spec.containers[0].ports = [
      { containerPort: 0, name: 'http' },
      { containerPort: 70000, name: 'http', protocol: 'HTTP' },
      { containerPort: 80, name: 'Bad_Port' },
    ];
    expect(createErrors(pod)).toEqual([
      'spec.containers[0].ports[0].containerPort: Required value',
      'spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[0].ports[2].name: Invalid value: "Bad_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.containers[0].ports[1].name: Duplicate value: "http"',
    ]);
  });

  it('checks restartPolicy, dnsPolicy and other enumerations', () => {
    const pod = seed.kubiaManualPod();
    pod.spec.restartPolicy = 'Sometimes';
    pod.spec.containers[0].imagePullPolicy = 'Sometimes';
    expect(createErrors(pod)).toEqual([
      'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
  });

  it('requires exactly one probe handler and sane thresholds', () => {
    const pod = seed.livenessPod();
    pod.spec.containers[0].livenessProbe = { initialDelaySeconds: -1 };
    pod.spec.containers[0].readinessProbe = { exec: { command: ['ls'] }, tcpSocket: { port: 8080 } };
    pod.spec.containers[0].startupProbe = { tcpSocket: { port: 'http' }, successThreshold: 2 };
    expect(createErrors(pod)).toEqual([
      'spec.containers[0].livenessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.containers[0].livenessProbe: Required value: must specify a handler type',
      'spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
      'spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must be 1',
    ]);
  });

  it('requires unique volumes, one source each, and mounts of defined volumes', () => {
    const pod = seed.fortunePod();
    pod.spec.volumes.push({ name: 'html', emptyDir: {}, hostPath: { path: '/tmp' } });
    pod.spec.containers[1].volumeMounts.push({ name: 'missing', mountPath: '/usr/share/nginx/html' });
    expect(createErrors(pod)).toEqual([
      'spec.volumes[1].name: Duplicate value: "html"',
      'spec.volumes[1].emptyDir: Forbidden: may not specify more than 1 volume type',
      'spec.containers[1].volumeMounts[1].name: Not found: "missing"',
      'spec.containers[1].volumeMounts[1].mountPath: Invalid value: "/usr/share/nginx/html": must be unique',
    ]);
    const cm = seed.fortunePod();
    cm.spec.volumes.push({ name: 'config', configMap: { name: 'fortune-config', defaultMode: 0o1000, items: [{ key: 'k', path: '../x' }] } });
    expect(createErrors(cm)).toEqual([
      "spec.volumes[1].configMap.items[0].path: Invalid value: \"../x\": must not contain '..'",
      'spec.volumes[1].configMap.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive',
    ]);
  });

  it('checks environment variables and their sources (7.3, 7.4, 8.1)', () => {
    const pod = seed.downwardPod();
    pod.spec.containers[0].env.push(
      { name: 'A=B', value: 'x' },
      { name: 'E_LABEL', valueFrom: { fieldRef: { fieldPath: 'metadata.lebels.app' } } },
      { name: 'E_LABELS', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
      { name: 'E_BOTH', value: 'v', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
      { name: 'E_NONE', valueFrom: {} },
      { name: 'E_CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1Mi' } } },
    );
    pod.spec.containers[0].envFrom = [{ prefix: 'CONF_', configMapRef: { name: 'cm' }, secretRef: { name: 's' } }];
    expect(createErrors(pod)).toEqual([
      "spec.containers[0].env[2].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
      'spec.containers[0].env[3].valueFrom.fieldRef.fieldPath: Invalid value: "metadata.lebels.app": error converting fieldPath: field label not supported: metadata.lebels.app',
      'spec.containers[0].env[4].valueFrom.fieldRef.fieldPath: Unsupported value: "metadata.labels": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
      'spec.containers[0].env[5].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
      'spec.containers[0].env[6].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      'spec.containers[0].env[7].valueFrom.resourceFieldRef.divisor: Invalid value: "requests.cpu": only divisor\'s values 1m and 1 are supported with the cpu resource',
      'spec.containers[0].envFrom[0]: Invalid value: "": may not have more than one field specified at a time',
    ]);
  });

  it('requires requests not to exceed limits', () => {
    const pod = seed.kubiaManualPod();
    pod.spec.containers[0].resources = { requests: { cpu: '2' }, limits: { cpu: '500m', gpu: '1' } };
    expect(createErrors(pod)).toEqual([
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      // defaulting copied the gpu limit into requests
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 500m',
    ]);
  });

  it('checks tolerations, hostname, nodeSelector and readiness gates', () => {
    const pod = seed.kubiaManualPod();
    pod.spec.tolerations = [{ operator: 'Equal', value: 'x' }, { key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }];
    pod.spec.hostname = 'Host_1';
    pod.spec.readinessGates = [{ conditionType: 'example.com/feature-1' }];
    pod.spec.nodeSelector = { gpu: 'true' };
    expect(createErrors(pod)).toEqual([
      expect.stringMatching(/^spec\.hostname: Invalid value: "Host_1": a lowercase RFC 1123 label/),
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      "spec.tolerations[1].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
    ]);
  });

  it('rejects values of the wrong JSON type (YAML `ssd: true`, unquoted args)', () => {
    const pod = seed.kubiaManualPod();
    pod.spec.nodeSelector = { disk: true };
    pod.spec.containers[0].args = [2];
    pod.spec.containers[0].ports[0].containerPort = '8080';
    expect(createErrors(pod)).toEqual([
      'spec.containers[0].args[0]: Invalid value: 2: must be of type string',
      'spec.containers[0].ports[0].containerPort: Invalid value: "8080": must be of type integer',
      'spec.nodeSelector[disk]: Invalid value: true: must be of type string',
    ]);
  });

  it('forbids ephemeral containers on create and whitespace around images', () => {
    const pod = seed.kubiaManualPod();
    pod.spec.containers[0].image = ' nginx ';
    pod.spec.ephemeralContainers = [{ name: 'debug', image: 'busybox' }];
    expect(createErrors(pod)).toEqual([
      'spec.containers[0].image: Invalid value: " nginx ": must not have leading or trailing whitespace',
      'spec.ephemeralContainers: Forbidden: cannot be set on create',
    ]);
  });
});

describe('pod update validation', () => {
  it('allows changing images, labels and activeDeadlineSeconds downward', () => {
    expect(
      updateErrors(seed.kubiaManualPod(), (p) => {
        p.spec.containers[0].image = 'wuyinio/kubia:3';
        p.metadata.labels = { env: 'debug' };
        p.spec.activeDeadlineSeconds = 30;
      }),
    ).toEqual([]);
  });

  it('forbids other spec changes with the Kubernetes message', () => {
    const [err] = updateErrors(seed.kubiaManualPod(), (p) => (p.spec.containers[0].ports[0].containerPort = 3030));
    expect(err.split('\n')[0]).toBe(
      'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    );
    expect(err).toContain('containers[0].ports[0].containerPort: 8080');
    expect(err).toContain('containers[0].ports[0].containerPort: 3030');
  });

  it('forbids adding containers, removing tolerations, and changing identity', () => {
    expect(updateErrors(seed.kubiaManualPod(), (p) => p.spec.containers.push({ name: 'b', image: 'b' }))).toEqual([
      'spec.containers: Forbidden: pod updates may not add or remove containers',
    ]);
    const tolerant = seed.kubiaManualPod();
    tolerant.spec.tolerations = [{ key: 'k', operator: 'Exists' }];
    expect(updateErrors(tolerant, (p) => (p.spec.tolerations = []))).toEqual([
      'spec.tolerations[0]: Forbidden: existing toleration can not be modified except its tolerationSeconds',
    ]);
    expect(updateErrors(seed.kubiaManualPod(), (p) => (p.metadata.uid = 'other'))).toEqual([
      'metadata.uid: Invalid value: "other": field is immutable',
    ]);
    expect(updateErrors(seed.kubiaManualPod(), (p) => (p.metadata.name = 'other'))).toEqual(['metadata.name: Invalid value: "other": field is immutable']);
    expect(updateErrors(seed.kubiaManualPod(), (p) => delete p.metadata.resourceVersion)).toEqual([]);
  });
});
