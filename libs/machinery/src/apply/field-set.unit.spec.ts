import { FieldSet, pathOf } from './field-set';
import { fieldPathToString, keyElement, parsePathElement, serializePathElement, valueElement } from './path-element';

const web = keyElement({ name: 'web' });

describe('path elements', () => {
  it('serialize as FieldsV1 keys', () => {
    expect(serializePathElement({ kind: 'field', name: 'replicas' })).toBe('f:replicas');
    expect(serializePathElement(keyElement({ protocol: 'TCP', containerPort: 80 }))).toBe(
      'k:{"containerPort":80,"protocol":"TCP"}',
    );
    expect(serializePathElement(valueElement('example.com/finalizer'))).toBe('v:"example.com/finalizer"');
    expect(serializePathElement({ kind: 'index', index: 3 })).toBe('i:3');
    expect(serializePathElement(valueElement('a<b'))).toBe('v:"a\\u003cb"');
  });

  it('parse back, skipping unknown element types', () => {
    expect(parsePathElement('k:{"name":"web"}')).toEqual(web);
    expect(parsePathElement('v:1')).toEqual(valueElement(1));
    expect(parsePathElement('x:whatever')).toBeUndefined();
    expect(() => parsePathElement('f')).toThrow('key must be 2 characters long:');
    expect(() => parsePathElement('fx')).toThrow('missing colon: fx');
  });

  it('print as in conflict messages', () => {
    expect(fieldPathToString(pathOf('spec', 'template', 'spec', 'containers', web, 'image'))).toBe(
      '.spec.template.spec.containers[name="web"].image',
    );
    expect(fieldPathToString(pathOf('metadata', 'finalizers', valueElement('a')))).toBe('.metadata.finalizers[="a"]');
    expect(fieldPathToString(pathOf('spec', 'ports', keyElement({ port: 80, protocol: 'TCP' })))).toBe(
      '.spec.ports[port=80,protocol="TCP"]',
    );
  });
});

describe('FieldSet', () => {
  const set = FieldSet.of(
    pathOf('spec', 'replicas'),
    pathOf('spec', 'containers', web),
    pathOf('spec', 'containers', web, 'image'),
    pathOf('metadata', 'labels', 'app'),
  );

  it('writes FieldsV1 with "." for nodes that are owned and have owned children', () => {
    expect(set.toFieldsV1()).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {} } },
        'f:replicas': {},
      },
    });
    expect(JSON.stringify(set.toFieldsV1())).toBe(
      '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{}}},"f:replicas":{}}}',
    );
  });

  it('reads FieldsV1 back to the same set', () => {
    const back = FieldSet.fromFieldsV1(set.toFieldsV1());
    expect(back.equals(set)).toBe(true);
    expect(back.has(pathOf('spec', 'containers', web))).toBe(true);
    expect(back.has(pathOf('spec', 'containers'))).toBe(false);
    expect(FieldSet.fromFieldsV1({ 'f:a': { '.': {} } }).has(pathOf('a'))).toBe(true);
    expect(FieldSet.fromFieldsV1({ 'f:a': { 'z:unknown': {} } }).has(pathOf('a'))).toBe(true);
  });

  it('lists paths members first, in element order', () => {
    expect(set.toStrings()).toEqual([
      '.metadata.labels.app',
      '.spec.replicas',
      '.spec.containers[name="web"]',
      '.spec.containers[name="web"].image',
    ]);
  });

  it('unions, intersects and subtracts path by path', () => {
    const other = FieldSet.of(pathOf('spec', 'replicas'), pathOf('spec', 'paused'));
    expect(set.intersection(other).toStrings()).toEqual(['.spec.replicas']);
    expect(set.difference(other).has(pathOf('spec', 'replicas'))).toBe(false);
    expect(set.difference(other).has(pathOf('spec', 'containers', web, 'image'))).toBe(true);
    expect(set.union(other).has(pathOf('spec', 'paused'))).toBe(true);
    expect(set.difference(set).isEmpty()).toBe(true);
  });

  it('removes whole subtrees with withoutPrefixes', () => {
    const out = set.withoutPrefixes(FieldSet.of(pathOf('spec')));
    expect(out.toStrings()).toEqual(['.metadata.labels.app']);
  });

  it('makes named fields members', () => {
    const e = set.ensureNamedFieldsAreMembers();
    expect(e.has(pathOf('spec'))).toBe(true);
    expect(e.has(pathOf('spec', 'containers'))).toBe(true);
    expect(e.has(pathOf('metadata', 'labels'))).toBe(true);
  });
});
