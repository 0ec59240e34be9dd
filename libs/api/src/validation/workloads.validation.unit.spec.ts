import { seed } from '../testing/seed-manifests';
import { asCreated, createErrors, messages, updateErrors } from '../testing/validation-fixtures';
import { validateCreate } from './validate';

const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

describe('apps/v1 workloads', () => {
  it('accepts the seed workloads', () => {
    for (const w of [seed.deploymentV1(), seed.deploymentV3(), seed.replicaSet(), seed.daemonSet(), seed.statefulSet()])
      expect(createErrors(w)).toEqual([]);
  });

  it('requires a selector that matches the template labels', () => {
    const noSelector = seed.deploymentV1();
    delete noSelector.spec.selector;
    expect(createErrors(noSelector)).toEqual(['spec.selector: Required value']);
    const mismatch = seed.deploymentV1();
    mismatch.spec.template.metadata.labels = { app: 'x' };
    expect(createErrors(mismatch)).toEqual([`spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: ${SELECTOR_MISMATCH}`]);
    const empty = seed.replicaSet();
    empty.spec.selector = {};
    expect(createErrors(empty)).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for replicaset',
    ]);
    const expressions = seed.replicaSet();
    expressions.spec.template.metadata.labels = { app: 'kubia' };
    expect(createErrors(expressions)).toEqual([
      `spec.template.metadata.labels: Invalid value: map[string]string{"app":"kubia"}: ${SELECTOR_MISMATCH}`,
    ]);
  });

  it('validates selector expressions', () => {
    const rs = seed.replicaSet();
    rs.spec.selector.matchExpressions = [
      { key: 'app', operator: 'In' },
      { key: 'env', operator: 'Exists', values: ['x'] },
      { key: 'app', operator: 'Near', values: ['x'] },
    ];
    expect(createErrors(rs)).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator',
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"kubia"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"In", Values:[]string(nil)}, v1.LabelSelectorRequirement{Key:"env", Operator:"Exists", Values:[]string{"x"}}, v1.LabelSelectorRequirement{Key:"app", Operator:"Near", Values:[]string{"x"}}}}: invalid label selector',
    ]);
  });

  it('requires Always restarts, non-negative replicas and a usable rolling update', () => {
    const d = seed.deploymentV3();
    d.spec.replicas = -1;
    d.spec.template.spec.restartPolicy = 'OnFailure';
    d.spec.strategy.rollingUpdate = { maxSurge: 0, maxUnavailable: 0 };
    d.spec.progressDeadlineSeconds = 5;
    expect(createErrors(d)).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
      'spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds',
    ]);
    const percent = seed.deploymentV1();
    percent.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '120%', maxSurge: 'lots' } };
    expect(createErrors(percent)).toEqual([
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: lots: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 120%: must not be greater than 100%',
    ]);
    const recreate = seed.deploymentV1();
    recreate.spec.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } };
    expect(createErrors(recreate)).toEqual(["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
  });

  it('reports template label problems at template.labels, as Kubernetes does', () => {
    const d = seed.deploymentV1();
    d.spec.template.metadata.labels['bad key'] = 'x';
    expect(createErrors(d)).toEqual([expect.stringMatching(/^spec\.template\.labels: Invalid value: "bad key": name part must consist/)]);
  });

  it('checks DaemonSet and StatefulSet strategies', () => {
    const ds = seed.daemonSet();
    ds.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } };
    expect(createErrors(ds)).toEqual(['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero']);
    const sts = seed.statefulSet();
    sts.spec.podManagementPolicy = 'Random';
    sts.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Keep' };
    expect(createErrors(sts)).toEqual([
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Delete", "Retain"',
      "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
    ]);
  });

  it('keeps selectors immutable and limits StatefulSet updates', () => {
    expect(updateErrors(seed.deploymentV1(), (d) => (d.spec.replicas = 5))).toEqual([]);
    expect(
      updateErrors(seed.deploymentV1(), (d) => {
        d.spec.selector.matchLabels.app = 'kubia-v2';
        d.spec.template.metadata.labels.app = 'kubia-v2';
      }),
    ).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"kubia-v2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
    expect(updateErrors(seed.statefulSet(), (s) => (s.spec.replicas = 3))).toEqual([]);
    expect(updateErrors(seed.statefulSet(), (s) => (s.spec.serviceName = 'other'))).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });
});

describe('batch/v1 jobs and cronjobs', () => {
  it('accepts the seed Job and the seed v1beta1 CronJob', () => {
    expect(createErrors(seed.job())).toEqual([]);
    expect(createErrors(seed.cronJobV1beta1())).toEqual([]);
  });

  it('requires OnFailure or Never and non-negative counts', () => {
    const job = seed.job();
    job.spec.template.spec.restartPolicy = 'Always';
    job.spec.parallelism = -2;
    expect(createErrors(job)).toEqual([
      'spec.parallelism: Invalid value: -2: must be greater than or equal to 0',
      'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ]);
  });

  it('checks a manual selector against the template', () => {
    const job = seed.job();
    job.spec.manualSelector = true;
    job.spec.selector = { matchLabels: { app: 'other' } };
    expect(createErrors(job)).toEqual([
      `spec.template.metadata.labels: Invalid value: map[string]string{"app":"batch-job"}: ${SELECTOR_MISMATCH}`,
    ]);
  });

  it('keeps the job template immutable', () => {
    expect(updateErrors(seed.job(), (j) => (j.spec.template.spec.containers[0].image = 'x'))[0]).toMatch(
      /^spec\.template: Invalid value: .*: field is immutable$/,
    );
    expect(updateErrors(seed.job(), (j) => (j.spec.parallelism = 3))).toEqual([]);
  });

  it('requires a parsable schedule and a known concurrency policy; v1beta1 is validated as v1', () => {
    const cj = seed.cronJobV1beta1();
    cj.spec.schedule = '*/1 * * *';
    cj.spec.concurrencyPolicy = 'Sometimes';
    expect(createErrors(cj)).toEqual([
      'spec.schedule: Invalid value: "*/1 * * *": expected exactly 5 fields, found 4: */1 * * *',
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    ]);
    const range = seed.cronJobV1beta1();
    range.spec.schedule = '0 70 * * *';
    expect(createErrors(range)).toEqual(['spec.schedule: Invalid value: "0 70 * * *": Constraint error, got value 70 expected range 0-23']);
    const none = seed.cronJobV1beta1();
    delete none.spec.schedule;
    expect(createErrors(none)).toEqual(['spec.schedule: Required value']);
    const restart = seed.cronJobV1beta1();
    restart.spec.jobTemplate.spec.template.spec.restartPolicy = 'Always';
    expect(createErrors(restart)).toEqual([
      'spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ]);
    const longName = seed.cronJobV1beta1();
    longName.metadata.name = 'c'.repeat(53);
    expect(createErrors(longName)).toEqual([`metadata.name: Invalid value: "${'c'.repeat(53)}": must be no more than 52 characters`]);
  });
});

describe('networking, storage, coordination, discovery, custom resources', () => {
  it('accepts the seed v1beta1 Ingress and requires pathType in v1', () => {
    expect(createErrors(seed.ingressV1beta1())).toEqual([]);
    const v1 = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'kubia' },
      spec: { rules: [{ host: '10.0.0.1', http: { paths: [{ path: '/kubia', backend: { service: { name: 'kubia', port: { number: 80, name: 'http' } } } }] } }] },
    };
    expect(createErrors(v1)).toEqual([
      'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
      'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    ]);
    (v1.spec.rules[0].http.paths[0] as Record<string, unknown>).pathType = 'Prefix';
    v1.spec.rules[0].host = 'kubia.example.com';
    expect(createErrors(v1)).toEqual(['spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number']);
    const empty = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'x' }, spec: {} };
    expect(createErrors(empty)).toEqual(['spec: Invalid value: []string{}: either `defaultBackend` or `rules` must be specified']);
  });

  it('checks StorageClass, Lease, EndpointSlice', () => {
    expect(createErrors(seed.storageClass())).toEqual([]);
    expect(updateErrors(seed.storageClass(), (sc) => (sc.parameters.type = 'pd-standard'))).toEqual([
      'parameters: Forbidden: updates to parameters are forbidden.',
    ]);
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'node-1' }, spec: { holderIdentity: 'node-1', leaseDurationSeconds: 0 } };
    expect(createErrors(lease)).toEqual(['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubia-abc' },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.1.0.5'] }, { addresses: [] }],
      ports: [{ port: 8080 }],
    };
    expect(createErrors(slice)).toEqual(['endpoints[1].addresses: Required value: must contain at least 1 address']);
  });

  it('checks only metadata of custom resources, and CRD names', () => {
    const cr = { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'Bad_Name', namespace: 'default' }, spec: { anything: 1 } };
    const { createDefaultScheme } = jest.requireActual('../scheme') as typeof import('../scheme');
    const scheme = createDefaultScheme();
    scheme.registerCRD({
      metadata: { name: 'crontabs.stable.example.com' },
      spec: { group: 'stable.example.com', scope: 'Namespaced', names: { plural: 'crontabs', kind: 'CronTab' }, versions: [{ name: 'v1', served: true, storage: true }] },
    });
    expect(messages(validateCreate(cr, scheme))).toEqual([expect.stringMatching(/^metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/)]);
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'crontabs.example' },
      spec: { group: 'stable.example.com', scope: 'Namespaced', names: { plural: 'crontabs', kind: 'CronTab' }, versions: [{ name: 'v1', served: true, storage: false }] },
    };
    expect(messages(validateCreate(asCreated(crd)))).toEqual([
      'metadata.name: Invalid value: "crontabs.example": must be spec.names.plural+"."+spec.group',
      expect.stringMatching(/^spec\.versions: Invalid value: .*: must have exactly one version marked as storage version$/),
    ]);
  });

  it('requires apiVersion and kind', () => {
    expect(messages(validateCreate({ metadata: { name: 'x' } }))).toEqual(['apiVersion: Required value', 'kind: Required value']);
  });
});
