import { goFloat } from './custom';
import { toTable } from './index';
import { ago, headers, NOW, ref, row, table } from './test-helpers';
import { PrinterColumn } from './types';

const POD = ref('', 'pods', 'Pod');
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-0',
    namespace: 'default',
    uid: '0b6a',
    resourceVersion: '812',
    creationTimestamp: ago('5s'),
    labels: { app: 'web' },
    annotations: { note: 'x' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4', uid: '9f', controller: true }],
  },
  spec: { containers: [{ name: 'app', image: 'nginx' }] },
  status: { phase: 'Pending' },
};

describe('toTable', () => {
  it('produces a meta.k8s.io/v1 Table with PartialObjectMetadata rows', () => {
    const t = toTable(POD, [pod], { includeObject: 'Metadata', now: NOW });
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.metadata).toEqual({ resourceVersion: '812' });
    expect(t.columnDefinitions[0]).toEqual({ name: 'Name', type: 'string', format: 'name', description: expect.any(String), priority: 0 });
    expect(t.columnDefinitions.filter((c) => c.priority === 1).map((c) => c.name)).toEqual(['IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    expect(t.rows).toHaveLength(1);
    expect(t.rows[0].cells).toEqual(['web-0', '0/1', 'Pending', '0', '5s', '<none>', '<none>', '<none>', '<none>']);
    expect(t.rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });
    expect(t.rows[0]).not.toHaveProperty('conditions');
  });

  it('includeObject=Object embeds the full object, None embeds null', () => {
    expect(toTable(POD, [pod], { includeObject: 'Object', now: NOW }).rows[0].object).toBe(pod);
    const none = toTable(POD, [pod], { includeObject: 'None', now: NOW });
    expect(none.rows[0].object).toBeNull();
    expect(JSON.parse(JSON.stringify(none)).rows[0]).toEqual({ cells: none.rows[0].cells, object: null });
  });

  it('rejects an unknown includeObject value', () => {
    expect(() => toTable(POD, [pod], { includeObject: 'Everything' as never })).toThrow(/unrecognized includeObject/);
  });

  it('carries list metadata for lists', () => {
    const other = { ...pod, metadata: { ...pod.metadata, name: 'web-1', resourceVersion: '900' } };
    const t = toTable(POD, [pod, other], {
      includeObject: 'Metadata',
      now: NOW,
      listMeta: { resourceVersion: '1000', continue: 'tok', remainingItemCount: 3 },
    });
    expect(t.metadata).toEqual({ resourceVersion: '1000', continue: 'tok', remainingItemCount: 3 });
    expect(t.rows.map((r) => r.cells[0])).toEqual(['web-0', 'web-1']);
    expect(toTable(POD, [], { includeObject: 'Metadata', listMeta: { resourceVersion: '5' } }).metadata).toEqual({ resourceVersion: '5' });
  });

  it('noHeaders leaves out the column definitions', () => {
    const t = toTable(POD, [pod], { includeObject: 'None', now: NOW, noHeaders: true });
    expect(t.columnDefinitions).toEqual([]);
    expect(t.rows[0].cells).toHaveLength(9);
  });

  it('uses the current time by default', () => {
    const fresh = { metadata: { name: 'x', creationTimestamp: new Date(Date.now() - 3000).toISOString() } };
    expect(toTable(ref('', 'configmaps', 'ConfigMap'), [fresh], { includeObject: 'None' }).rows[0].cells[2]).toMatch(/^[2-4]s$/);
  });
});

describe('default printers', () => {
  it('custom resources without printer columns: NAME, AGE', () => {
    const WIDGET = ref('example.com', 'widgets', 'Widget');
    expect(headers(table(WIDGET, []))).toEqual({ normal: ['NAME', 'AGE'], wide: ['NAME', 'AGE'] });
    expect(table(WIDGET, []).columnDefinitions[1].type).toBe('date');
    expect(row(WIDGET, { metadata: { name: 'w1', creationTimestamp: ago('4h5m') } })).toEqual({ NAME: 'w1', AGE: '4h5m' });
    // Evaluated as the JSONPath .metadata.creationTimestamp: nothing there, null cell.
    expect(row(WIDGET, { metadata: { name: 'w2' } }).AGE).toBeNull();
    expect(row(WIDGET, { metadata: { name: 'w3', creationTimestamp: 'soon' } }).AGE).toBe('<invalid>');
  });

  it('built-in resources without a printer: NAME, CREATED AT (kube-apiserver default convertor)', () => {
    const ROLES = ref('rbac.authorization.k8s.io', 'roles', 'Role');
    expect(headers(table(ROLES, [])).wide).toEqual(['NAME', 'CREATED AT']);
    expect(row(ROLES, { metadata: { name: 'reader', creationTimestamp: '2025-05-30T08:15:00Z' } })).toEqual({
      NAME: 'reader',
      'CREATED AT': '2025-05-30T08:15:00Z',
    });
  });
});

describe('CRD additionalPrinterColumns', () => {
  const CRONTAB = ref('stable.example.com', 'crontabs', 'CronTab');
  const columns: PrinterColumn[] = [
    { name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec', description: 'The cron spec' },
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Ratio', type: 'number', jsonPath: '.status.ratio' },
    { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused', priority: 1 },
    { name: 'Selector', type: 'string', jsonPath: '.spec.selector', priority: 1 },
    { name: 'Last Run', type: 'date', jsonPath: '.status.lastRun', format: 'date-time' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ];
  const crontab = {
    apiVersion: 'stable.example.com/v1',
    kind: 'CronTab',
    metadata: { name: 'nightly', creationTimestamp: ago('2d3h') },
    spec: { cronSpec: '0 3 * * *', replicas: 2.7, paused: true, selector: { matchLabels: { b: '2', a: '<1>' } } },
    status: { ratio: 0.25, lastRun: ago('3m20s'), conditions: [{ type: 'Ready', status: 'True' }] },
  };

  it('column definitions come from the CRD', () => {
    const t = table(CRONTAB, [], columns);
    expect(headers(t)).toEqual({
      normal: ['NAME', 'SPEC', 'REPLICAS', 'READY', 'RATIO', 'LAST RUN', 'AGE'],
      wide: ['NAME', 'SPEC', 'REPLICAS', 'READY', 'RATIO', 'PAUSED', 'SELECTOR', 'LAST RUN', 'AGE'],
    });
    expect(t.columnDefinitions[1]).toEqual({ name: 'Spec', type: 'string', format: '', description: 'The cron spec', priority: 0 });
    expect(t.columnDefinitions[2].description).toBe('Custom resource definition column (in JSONPath format): .spec.replicas');
    expect(t.columnDefinitions[7].format).toBe('date-time');
  });

  it('cells are evaluated and typed', () => {
    expect(table(CRONTAB, [crontab], columns).rows[0].cells).toEqual([
      'nightly',
      '0 3 * * *',
      2,
      'True',
      0.25,
      true,
      '{"matchLabels":{"a":"\\u003c1\\u003e","b":"2"}}',
      '3m20s',
      '2d3h',
    ]);
  });

  it('missing or mistyped values are null (kubectl shows <none>)', () => {
    const bare = { metadata: { name: 'bare', creationTimestamp: ago('1m') }, spec: { replicas: 'two', paused: 'yes' }, status: { lastRun: 'never' } };
    expect(table(CRONTAB, [bare], columns).rows[0].cells).toEqual(['bare', null, null, null, null, null, null, '<invalid>', '60s']);
  });

  it('string columns print numbers and booleans like kubectl -o jsonpath', () => {
    const cols: PrinterColumn[] = [
      { name: 'N', type: 'string', jsonPath: '.n' },
      { name: 'B', type: 'string', jsonPath: '.b' },
    ];
    expect(table(CRONTAB, [{ metadata: { name: 'x' }, n: 1234567.5, b: false }], cols).rows[0].cells).toEqual(['x', '1.2345675e+06', 'false']);
  });

  it('columns after an invalid JSONPath are dropped', () => {
    const cols: PrinterColumn[] = [
      { name: 'Good', type: 'string', jsonPath: '.spec.cronSpec' },
      { name: 'Bad', type: 'string', jsonPath: '.spec[oops' },
      { name: 'After', type: 'string', jsonPath: '.spec.cronSpec' },
    ];
    expect(headers(table(CRONTAB, [], cols)).wide).toEqual(['NAME', 'GOOD']);
  });

  it('an explicitly empty column list means the default NAME, AGE', () => {
    expect(headers(table(CRONTAB, [], [])).wide).toEqual(['NAME', 'AGE']);
  });
});

describe('goFloat (fmt %v)', () => {
  it.each([
    [3, '3'],
    [0.25, '0.25'],
    [123456.5, '123456.5'],
    [1234567.5, '1.2345675e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-2.5e-7, '-2.5e-07'],
  ])('%d -> %s', (n, s) => expect(goFloat(n)).toBe(s));
});
