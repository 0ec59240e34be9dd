import { applyJsonPatch, JsonPatchError } from './json-patch';
import { escapeJsonPointerToken, formatJsonPointer, parseJsonPointer } from './json-pointer';

function patchError(doc: unknown, patch: unknown): JsonPatchError {
  try {
    applyJsonPatch(doc, patch);
  } catch (e) {
    expect(e).toBeInstanceOf(JsonPatchError);
    return e as JsonPatchError;
  }
  throw new Error('expected the patch to fail');
}

describe('JSON pointers', () => {
  it('unescape ~1 and ~0 in that order', () => {
    expect(parseJsonPointer('/a~1b/~0c/~01')).toEqual(['a/b', '~c', '~1']);
    expect(parseJsonPointer('')).toEqual([]);
    expect(parseJsonPointer('/')).toEqual(['']);
    expect(() => parseJsonPointer('a')).toThrow('JSON pointer must be empty or start with a "/": a');
  });

  it('format and escape tokens', () => {
    expect(formatJsonPointer(['metadata', 'annotations', 'kubernetes.io/change-cause'])).toBe(
      '/metadata/annotations/kubernetes.io~1change-cause',
    );
    expect(escapeJsonPointerToken('~/')).toBe('~0~1');
  });
});

describe('applyJsonPatch', () => {
  const doc = { metadata: { name: 'web', labels: { app: 'web' } }, spec: { list: [1, 2, 3] } };

  it('adds members and array items, - appends', () => {
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/metadata/labels/tier', value: 'front' },
      { op: 'add', path: '/spec/list/0', value: 0 },
      { op: 'add', path: '/spec/list/-', value: 4 },
      { op: 'add', path: '/spec/list/5', value: 5 },
    ]);
    expect(out.metadata.labels).toEqual({ app: 'web', tier: 'front' });
    expect(out.spec.list).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('does not modify its input', () => {
    const before = JSON.stringify(doc);
    applyJsonPatch(doc, [
      { op: 'remove', path: '/metadata/labels/app' },
      { op: 'replace', path: '/spec/list/0', value: 9 },
    ]);
    expect(JSON.stringify(doc)).toBe(before);
  });

  it('removes and replaces', () => {
    const out = applyJsonPatch(doc, [
      { op: 'remove', path: '/metadata/labels/app' },
      { op: 'remove', path: '/spec/list/1' },
      { op: 'replace', path: '/metadata/name', value: 'api' },
      { op: 'replace', path: '/spec/list/0', value: 'one' },
    ]);
    expect(out).toEqual({ metadata: { name: 'api', labels: {} }, spec: { list: ['one', 3] } });
  });

  it('moves and copies', () => {
    const out = applyJsonPatch(doc, [
      { op: 'copy', from: '/metadata/labels', path: '/spec/selector' },
      { op: 'move', from: '/spec/list/2', path: '/spec/last' },
    ]);
    expect(out.spec).toEqual({ list: [1, 2], selector: { app: 'web' }, last: 3 });
    expect(out.metadata.labels).toEqual({ app: 'web' });
  });

  it('copies are independent values', () => {
    const out = applyJsonPatch(doc, [
      { op: 'copy', from: '/metadata/labels', path: '/spec/selector' },
      { op: 'add', path: '/spec/selector/x', value: 'y' },
    ]) as unknown as { metadata: { labels: object }; spec: { selector: object } };
    expect(out.metadata.labels).toEqual({ app: 'web' });
  });

  it('tests values deeply', () => {
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/metadata/labels', value: { app: 'web' } }])).not.toThrow();
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/missing', value: null }])).not.toThrow();
    expect(patchError(doc, [{ op: 'test', path: '/metadata/name', value: 'x' }]).message).toBe(
      'testing value /metadata/name failed: test failed',
    );
  });

  it('replaces the whole document at the root path', () => {
    expect(applyJsonPatch(doc, [{ op: 'replace', path: '', value: { a: 1 } }])).toEqual({ a: 1 });
  });

  it('handles escaped keys such as annotation names', () => {
    const out = applyJsonPatch({ metadata: { annotations: { 'a/b': 'x' } } }, [
      { op: 'replace', path: '/metadata/annotations/a~1b', value: 'y' },
    ]);
    expect(out.metadata.annotations['a/b']).toBe('y');
  });

  it('applies what kubectl rollout undo sends', () => {
    const deployment = {
      metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '2' } },
      spec: { replicas: 3, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.2' }] } } },
    };
    const out = applyJsonPatch(deployment, [
      {
        op: 'replace',
        path: '/spec/template',
        value: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.1' }] } },
      },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '3' } },
    ]);
    expect(out.spec.template.spec.containers[0].image).toBe('nginx:1.1');
    expect(out.spec.replicas).toBe(3);
    expect(out.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '3' });
  });

  it.each([
    [[{ op: 'add', path: '/missing/x', value: 1 }], 'add operation does not apply: doc is missing path: "/missing/x": missing value'],
    [[{ op: 'add', path: '/spec/list/9', value: 1 }], "error in add for path: '/spec/list/9': Unable to access invalid index: 9: invalid index referenced"],
    [[{ op: 'add', path: '/spec/list/-1', value: 1 }], "error in add for path: '/spec/list/-1': Unable to access invalid index: -1: invalid index referenced"],
    [[{ op: 'add', path: '/spec/list/x', value: 1 }], "error in add for path: '/spec/list/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax"],
    [[{ op: 'remove', path: '/metadata/nope' }], "error in remove for path: '/metadata/nope': Unable to remove nonexistent key: nope: missing value"],
    [[{ op: 'remove', path: '/a/b/c' }], 'remove operation does not apply: doc is missing path: "/a/b/c": missing value'],
    [[{ op: 'remove', path: '/spec/list/3' }], "error in remove for path: '/spec/list/3': Unable to access invalid index: 3: invalid index referenced"],
    [[{ op: 'replace', path: '/metadata/nope', value: 1 }], 'replace operation does not apply: doc is missing key: /metadata/nope: missing value'],
    [[{ op: 'replace', path: '/nope/x', value: 1 }], 'replace operation does not apply: doc is missing path: /nope/x: missing value'],
    [[{ op: 'move', from: '/nope', path: '/x' }], 'move operation does not apply: doc is missing from path: /nope: missing value'],
    [[{ op: 'copy', from: '/metadata/name', path: '/nope/x' }], 'copy operation does not apply: doc is missing destination path: /nope/x: missing value'],
    [[{ op: 'test', path: '/nope/x', value: 1 }], 'test operation does not apply: is missing path: /nope/x: missing value'],
    [[{ op: 'add', value: 1 }], 'add operation failed to decode path: missing value'],
    [[{ op: 'add', path: '/a' }], 'operation, missing value field: missing value'],
    [[{ op: 'frobnicate', path: '/a' }], 'Unexpected kind: frobnicate'],
  ])('%j fails with Kubernetes-style wording', (patch, message) => {
    const err = patchError(doc, patch);
    expect(err.message).toBe(message);
    expect(err.phase).toBe('apply');
  });

  it('a failing operation leaves nothing half-applied', () => {
    const input = { a: 1 };
    expect(() => applyJsonPatch(input, [{ op: 'add', path: '/b', value: 2 }, { op: 'remove', path: '/zzz' }])).toThrow();
    expect(input).toEqual({ a: 1 });
  });

  it('rejects a patch that is not an array as a decode error', () => {
    const err = patchError(doc, { op: 'add' });
    expect(err.phase).toBe('decode');
    expect(err.message).toBe('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  });
});
