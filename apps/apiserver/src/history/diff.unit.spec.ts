import type { KubeObject } from '@logbook/event-store';
import { applyJsonPatch } from '@logbook/machinery';
import { diffObjects, readablePath, readableValue } from '@logbook/machinery';
import { LAST_APPLIED, redactObject, secretMask } from './redact';

const deployment = (replicas: number, image: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'default',
    resourceVersion: String(replicas * 10),
    labels: { app: 'web' },
    managedFields: [{ manager: 'kubectl', operation: 'Update', time: `t${replicas}` }],
  },
  spec: {
    replicas,
    template: { spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80 }] }] } },
    ...extra,
  },
});

describe('diffObjects', () => {
  it('turns the old version into the new one (RFC 6902) and describes each change on one line', () => {
    const before = deployment(3, 'nginx:1.24');
    const after = deployment(5, 'nginx:1.25', { paused: true });
    const d = diffObjects(before, after);
    expect(applyJsonPatch(structuredClone(before), d.patch)).toEqual(after);
    expect(d.patch).toContainEqual({ op: 'replace', path: '/spec/replicas', value: 5 });
    expect(d.patch).toContainEqual({ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.25' });
    expect(d.patch).toContainEqual({ op: 'add', path: '/spec/paused', value: true });
    // managedFields, resourceVersion and generation are in the patch, not in the readable form.
    expect(d.patch.some((op) => op.path.startsWith('/metadata/managedFields'))).toBe(true);
    expect(diffObjects({ metadata: { generation: 1 } }, { metadata: { generation: 2 } })).toEqual({ patch: [{ op: 'replace', path: '/metadata/generation', value: 2 }], summary: [] });
    expect(d.summary).toEqual(['spec.replicas: 3 → 5', 'spec.template.spec.containers[web].image: nginx:1.24 → nginx:1.25', 'spec.paused: (none) → true']);
  });

  it('compares named list items by name: an insertion is one added item', () => {
    const before = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'c', image: 'z' }] } };
    const after = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }, { name: 'c', image: 'z2' }] } };
    const d = diffObjects(before, after);
    expect(applyJsonPatch(structuredClone(before), d.patch)).toEqual(after);
    expect(d.summary).toEqual(['spec.containers[b]: (none) → {"name":"b","image":"y"}', 'spec.containers[c].image: z → z2']);
    const removed = diffObjects(after, before);
    expect(applyJsonPatch(structuredClone(after), removed.patch)).toEqual(before);
    expect(removed.summary[0]).toBe('spec.containers[b]: {"name":"b","image":"y"} → (none)');
  });

  it('falls back to positions when keyed items were reordered, and handles plain lists, removals and type changes', () => {
    const cases: Array<[unknown, unknown]> = [
      [{ l: [{ name: 'a' }, { name: 'b' }] }, { l: [{ name: 'b' }, { name: 'a', x: 1 }] }],
      [{ l: [1, 2, 3, 4] }, { l: [1, 5] }],
      [{ l: [1] }, { l: [1, 2, 3] }],
      [{ a: { b: 1 }, c: 'x' }, { a: 'now a string' }],
      [{ 'a/b': 1, 'c~d': 2 }, { 'a/b': 2 }],
      [{ status: { conditions: [{ type: 'Ready', status: 'False' }] } }, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }],
    ];
    for (const [before, after] of cases) {
      const d = diffObjects(before, after);
      expect(applyJsonPatch(structuredClone(before), d.patch)).toEqual(after);
    }
    expect(diffObjects(cases[5][0], cases[5][1]).summary).toEqual(['status.conditions[Ready].status: False → True']);
    expect(diffObjects({ x: 1 }, { x: 1 })).toEqual({ patch: [], summary: [] });
    // Top-level fields in Kubernetes' order, whatever order the stored JSON has.
    expect(diffObjects({ status: { a: 1 }, spec: { b: 1 }, metadata: { labels: { a: '1' } } }, { status: { a: 2 }, spec: { b: 2 }, metadata: { labels: { a: '2' } } }).summary).toEqual([
      'metadata.labels.a: 1 → 2',
      'spec.b: 1 → 2',
      'status.a: 1 → 2',
    ]);
  });

  it('writes paths and values readably', () => {
    expect(readablePath([{ key: 'metadata' }, { key: 'labels' }, { key: 'app.kubernetes.io/name' }])).toBe('metadata.labels["app.kubernetes.io/name"]');
    expect(readablePath([{ key: 'spec' }, { key: 'ports' }, { index: 2 }])).toBe('spec.ports[2]');
    expect(readableValue('')).toBe('""');
    expect(readableValue('x'.repeat(200)).length).toBe(80);
    expect(readableValue(undefined)).toBe('(none)');
  });
});

describe('secret redaction', () => {
  const secret = (password: string, extra: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', namespace: 'default', annotations: { [LAST_APPLIED]: `{"data":{"password":"${password}"}}`, note: 'n' } },
    data: { password, user: 'YWRtaW4=' },
    ...extra,
  });

  it('empties data, stringData and the last-applied annotation of Secrets only', () => {
    const r = redactObject({ group: '', kind: 'Secret' }, secret('c2VjcmV0', { stringData: { token: 'abc' } }));
    expect(r.data).toEqual({ password: '', user: '' });
    expect(r.stringData).toEqual({ token: '' });
    expect((r.metadata.annotations as Record<string, string>)[LAST_APPLIED]).toBe('');
    expect((r.metadata.annotations as Record<string, string>).note).toBe('n');
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    expect(redactObject({ group: '', kind: 'ConfigMap' }, cm)).toBe(cm);
  });

  it('says that a secret value changed without showing either value, even inside a value added whole', () => {
    const d = diffObjects(secret('b2xk'), secret('bmV3'), { mask: secretMask });
    expect(d.summary).toEqual([`metadata.annotations["${LAST_APPLIED}"]: changed (value redacted)`, 'data.password: changed (value redacted)']);
    expect(JSON.stringify(d.patch)).not.toMatch(/b2xk|bmV3/);
    const noAnnotations = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } };
    const added = diffObjects(noAnnotations, secret('bmV3'), { mask: secretMask });
    expect(JSON.stringify(added)).not.toMatch(/bmV3|YWRtaW4/);
    expect(added.summary).toContain('data: added (value redacted)');
    expect(added.summary).toContain('metadata.annotations: (none) → {"kubectl.kubernetes.io/last-applied-configuration":"","note":"n"}');
  });
});
