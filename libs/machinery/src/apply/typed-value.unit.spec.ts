import { builtinSchemaFor, applySchemaFor } from '../patch/builtin-schema';
import { FieldSet, pathOf } from './field-set';
import { keyElement, valueElement } from './path-element';
import { compareObjects } from './typed-compare';
import { mergeObjects } from './typed-merge';
import { removeItems, toFieldSet, TypedValueError } from './typed-value';

const deployment = builtinSchemaFor('apps/v1', 'Deployment')!;

const config = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['a'] },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] },
    },
  },
};

describe('toFieldSet', () => {
  it('owns leaves, keyed items (with defaulted keys) and atomic structs as Kubernetes records them', () => {
    expect(toFieldSet(config, deployment).toFieldsV1()).toEqual({
      'f:apiVersion': {},
      'f:kind': {},
      'f:metadata': { 'f:finalizers': { 'v:"a"': {} }, 'f:labels': { 'f:app': {} }, 'f:name': {} },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"web"}': {
                '.': {},
                'f:image': {},
                'f:name': {},
                'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
              },
            },
          },
        },
      },
    });
  });

  it('owns empty maps and nulls as leaves, atomic lists whole', () => {
    const set = toFieldSet({ spec: { template: { spec: { volumes: [{ name: 'v', emptyDir: {} }], tolerations: [{ key: 'k' }] } } } }, deployment);
    expect(set.has(pathOf('spec', 'template', 'spec', 'volumes', keyElement({ name: 'v' }), 'emptyDir'))).toBe(true);
    expect(set.has(pathOf('spec', 'template', 'spec', 'tolerations'))).toBe(true);
  });

  it('rejects keyed items without any key', () => {
    expect(() => toFieldSet({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, deployment)).toThrow(TypedValueError);
  });
});

describe('compareObjects', () => {
  it('reports added, modified and removed paths', () => {
    const before = { spec: { replicas: 1, paused: true, template: { spec: { containers: [{ name: 'a', image: '1' }] } } } };
    const after = { spec: { replicas: 2, template: { spec: { containers: [{ name: 'a', image: '2' }, { name: 'b', image: '1' }] } } } };
    const c = compareObjects(before, after, deployment);
    expect(c.modified.toStrings()).toEqual(['.spec.replicas', '.spec.template.spec.containers[name="a"].image']);
    expect(c.removed.toStrings()).toEqual(['.spec.paused']);
    expect(c.added.toStrings()).toEqual([
      '.spec.template.spec.containers[name="b"]',
      '.spec.template.spec.containers[name="b"].image',
      '.spec.template.spec.containers[name="b"].name',
    ]);
  });

  it('marks new maps themselves as added', () => {
    const c = compareObjects({ metadata: { name: 'x' } }, { metadata: { name: 'x', labels: { a: '1' } } }, deployment);
    expect(c.added.toStrings()).toEqual(['.metadata.labels', '.metadata.labels.a']);
  });

  it('treats atomic values as one leaf', () => {
    const c = compareObjects(
      { spec: { selector: { matchLabels: { a: '1' } } } },
      { spec: { selector: { matchLabels: { a: '2' } } } },
      deployment,
    );
    expect(c.modified.toStrings()).toEqual(['.spec.selector']);
  });
});

describe('mergeObjects', () => {
  it('lets the configuration win and merges keyed lists by key, keeping the live order', () => {
    const live = {
      spec: {
        replicas: 5,
        template: {
          spec: {
            containers: [
              { name: 'a', image: '1', env: [{ name: 'X', value: '1' }] },
              { name: 'b', image: '1' },
            ],
          },
        },
      },
    };
    const cfg = { spec: { template: { spec: { containers: [{ name: 'b', image: '2' }, { name: 'c', image: '1' }] } } } };
    expect(mergeObjects(live, cfg, deployment)).toEqual({
      spec: {
        replicas: 5,
        template: {
          spec: {
            containers: [
              { name: 'a', image: '1', env: [{ name: 'X', value: '1' }] },
              { name: 'b', image: '2' },
              { name: 'c', image: '1' },
            ],
          },
        },
      },
    });
  });

  it('places new items before the next shared item of the configuration', () => {
    const live = { metadata: { finalizers: ['x', 'z'] } };
    expect(mergeObjects(live, { metadata: { finalizers: ['y', 'z'] } }, deployment)).toEqual({
      metadata: { finalizers: ['x', 'y', 'z'] },
    });
  });

  it('replaces atomic lists and maps', () => {
    const live = { spec: { selector: { matchLabels: { a: '1', b: '2' } }, template: { spec: { tolerations: [{ key: 'a' }] } } } };
    const cfg = { spec: { selector: { matchLabels: { a: '1' } }, template: { spec: { tolerations: [{ key: 'b' }] } } } };
    expect(mergeObjects(live, cfg, deployment)).toEqual(cfg);
  });

  it('rejects duplicate keys in the configuration', () => {
    expect(() =>
      mergeObjects({}, { spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'a' }] } } } }, deployment),
    ).toThrow('duplicate entries for key [name="a"]');
  });
});

describe('removeItems', () => {
  it('removes fields and items, and drops what they leave empty', () => {
    const obj = {
      metadata: { labels: { a: '1' }, finalizers: ['x', 'y'] },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b' }] } } },
    };
    const out = removeItems(
      obj,
      FieldSet.of(
        pathOf('metadata', 'labels', 'a'),
        pathOf('metadata', 'finalizers', valueElement('x')),
        pathOf('spec', 'template', 'spec', 'containers', keyElement({ name: 'b' })),
        pathOf('spec', 'template', 'spec', 'containers', keyElement({ name: 'a' }), 'image'),
      ),
      applySchemaFor('apps/v1', 'Deployment'),
    );
    expect(out).toEqual({
      metadata: { finalizers: ['y'] },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'a' }] } } },
    });
  });
});
