import { createDefaultScheme, CustomResourceDefinition, QUANTITY_FORMAT_ERROR } from '@logbook/api';
import {
  checkObject,
  decodeErrorMessage,
  FieldValidation,
  fieldValidationMode,
  goQuote,
  strictDecodingMessage,
  unknownFieldMessages,
  unknownFieldWarnings,
} from './decode-check';
import { JSONSchema } from './definitions';
import { schemaRegistry } from './schema-registry';

const scheme = createDefaultScheme();
const registry = schemaRegistry(scheme);
const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };
const POD = { group: '', version: 'v1', kind: 'Pod' };

const check = (obj: unknown, gvk = DEPLOYMENT, unknownFields: FieldValidation = 'Strict') => checkObject(obj, gvk, registry, { unknownFields });
const deployment = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'd' }) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec });
const withContainer = (container: Record<string, unknown>) =>
  deployment({ selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx', ...container }] } } });
const typeError = (field: string, word: string, goType: string) => `json: cannot unmarshal ${word} into Go struct field ${field} of type ${goType}`;

describe('unknown fields', () => {
  it('passes a complete, valid Deployment', () => {
    const d = withContainer({
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: 0.5 } },
      livenessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 10 },
    });
    expect(check({ ...d, status: { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] } })).toEqual({ typeErrors: [], unknownFields: [] });
  });

  it('lists them at every depth, with list indices, in document order', () => {
    const d = deployment({
      replicas: 1,
      x: true,
      template: { spec: { containers: [{ name: 'a' }, { name: 'b', foo: 1, ports: [{ containerPort: 80, bar: 'x' }] }] } },
    }) as Record<string, unknown>;
    d.top = 1;
    (d.metadata as Record<string, unknown>).bogus = 'y';
    expect(check(d).unknownFields).toEqual([
      'metadata.bogus',
      'spec.x',
      'spec.template.spec.containers[1].foo',
      'spec.template.spec.containers[1].ports[0].bar',
      'top',
    ]);
  });

  it('always knows apiVersion and kind, and any key of a map', () => {
    expect(check(deployment({ selector: { matchLabels: { 'any/key': 'v' } } }, { name: 'd', labels: { x: 'y' }, annotations: { 'a.b/c': 'd' } }))).toEqual({ typeErrors: [], unknownFields: [] });
  });

  it('reports none under Ignore, but still the type errors', () => {
    expect(check(deployment({ replicas: 'three', x: 1 }), DEPLOYMENT, 'Ignore')).toEqual({
      typeErrors: [typeError('DeploymentSpec.spec.replicas', 'string', 'int32')],
      unknownFields: [],
    });
    expect(check(deployment({ x: 1 }), DEPLOYMENT, 'Warn').unknownFields).toEqual(['spec.x']);
  });

  it('accepts anything under x-kubernetes-preserve-unknown-fields', () => {
    const revision = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1, data: { spec: { anything: [1, { deep: true }] } } };
    expect(check(revision, { group: 'apps', version: 'v1', kind: 'ControllerRevision' })).toEqual({ typeErrors: [], unknownFields: [] });
  });

  it('stops at 100, as sigs.k8s.io/json does', () => {
    const spec = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`f${i}`, i]));
    expect(check(deployment(spec)).unknownFields).toHaveLength(100);
  });

  it('passes kinds it has no schema for', () => {
    expect(check({ apiVersion: 'x/v1', kind: 'Nope', spec: { a: 1 } }, { group: 'x', version: 'v1', kind: 'Nope' })).toEqual({ typeErrors: [], unknownFields: [] });
  });
});

describe('type errors, in the words of Go', () => {
  it('names the innermost struct and the JSON path without indices', () => {
    expect(check(deployment({ replicas: '3' })).typeErrors).toEqual([typeError('DeploymentSpec.spec.replicas', 'string', 'int32')]);
    expect(check(withContainer({ ports: [{ containerPort: '80' }] })).typeErrors).toEqual([
      typeError('ContainerPort.spec.template.spec.containers.ports.containerPort', 'string', 'int32'),
    ]);
    expect(check(withContainer({ image: 5 })).typeErrors).toEqual([typeError('Container.spec.template.spec.containers.image', 'number', 'string')]);
    expect(check(deployment({ paused: 'yes' })).typeErrors).toEqual([typeError('DeploymentSpec.spec.paused', 'string', 'bool')]);
  });

  it('words fractions and overflows as Go does, and knows int64', () => {
    expect(check(deployment({ replicas: 1.5 })).typeErrors).toEqual([typeError('DeploymentSpec.spec.replicas', 'number 1.5', 'int32')]);
    expect(check(deployment({ replicas: 3000000000 })).typeErrors).toEqual([typeError('DeploymentSpec.spec.replicas', 'number 3000000000', 'int32')]);
    expect(check(deployment({}, { name: 'd', generation: 3000000000 })).typeErrors).toEqual([]);
    expect(check(deployment({}, { name: 'd', generation: 'x' })).typeErrors).toEqual([typeError('ObjectMeta.metadata.generation', 'string', 'int64')]);
  });

  it('names Go types of structs, lists and maps', () => {
    expect(check(deployment({ template: { spec: 'x' } })).typeErrors).toEqual([typeError('PodTemplateSpec.spec.template.spec', 'string', 'v1.PodSpec')]);
    expect(check(deployment({ template: { spec: { containers: { name: 'c' } } } })).typeErrors).toEqual([
      typeError('PodSpec.spec.template.spec.containers', 'object', '[]v1.Container'),
    ]);
    expect(check(deployment({ template: { spec: { containers: ['c'] } } })).typeErrors).toEqual([
      typeError('PodSpec.spec.template.spec.containers', 'string', 'v1.Container'),
    ]);
    expect(check(deployment({}, { name: 'd', labels: ['a'] })).typeErrors).toEqual([typeError('ObjectMeta.metadata.labels', 'array', 'map[string]string')]);
    expect(check(deployment({ strategy: [] })).typeErrors).toEqual([typeError('DeploymentSpec.spec.strategy', 'array', 'v1.DeploymentStrategy')]);
  });

  it('rejects numbers in maps of strings', () => {
    expect(check(deployment({}, { name: 'd', labels: { app: 1 } })).typeErrors).toEqual([typeError('ObjectMeta.metadata.labels', 'number', 'string')]);
    expect(check(deployment({ selector: { matchLabels: { app: true } } })).typeErrors).toEqual([
      typeError('LabelSelector.spec.selector.matchLabels', 'bool', 'string'),
    ]);
  });

  it('takes both an int and a string for IntOrString, nothing else', () => {
    const rolling = (maxSurge: unknown) => deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable: 0 } } });
    expect(check(rolling(1)).typeErrors).toEqual([]);
    expect(check(rolling('25%')).typeErrors).toEqual([]);
    expect(check(rolling(true)).typeErrors).toEqual([typeError('RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge', 'bool', 'int32')]);
    expect(check(rolling(2.5)).typeErrors).toEqual([typeError('RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge', 'number 2.5', 'int32')]);
    expect(check(rolling({ a: 1 })).typeErrors).toEqual([typeError('RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge', 'object', 'int32')]);
  });

  it('parses quantities as resource.Quantity does', () => {
    const limits = (cpu: unknown) => withContainer({ resources: { limits: { cpu } } });
    for (const ok of ['100m', '1Gi', '1e3', 2, 0.5]) expect([ok, check(limits(ok)).typeErrors]).toEqual([ok, []]);
    for (const bad of ['lots', true, { n: 1 }]) expect([bad, check(limits(bad)).typeErrors]).toEqual([bad, [QUANTITY_FORMAT_ERROR]]);
  });

  it('checks times', () => {
    expect(check(deployment({}, { name: 'd', creationTimestamp: '2024-01-02T03:04:05Z' })).typeErrors).toEqual([]);
    expect(check(deployment({}, { name: 'd', creationTimestamp: 5 })).typeErrors).toEqual([typeError('ObjectMeta.metadata.creationTimestamp', 'number', 'string')]);
    expect(check(deployment({}, { name: 'd', creationTimestamp: 'yesterday' })).typeErrors).toEqual([
      'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
    ]);
  });

  it('ignores null anywhere, as Go leaves the field unset', () => {
    expect(check(deployment({ replicas: null, template: { spec: { containers: null } } }, { name: 'd', labels: null }))).toEqual({ typeErrors: [], unknownFields: [] });
  });

  it('checks a Pod too', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostIP: 1 }] }], restartPolicy: 'Never', extra: 1 } };
    expect(check(pod, POD)).toEqual({ typeErrors: [typeError('ContainerPort.spec.containers.ports.hostIP', 'number', 'string')], unknownFields: ['spec.extra'] });
  });
});

describe('custom resources', () => {
  const own = createDefaultScheme();
  const reg = schemaRegistry(own);
  const schema: JSONSchema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          cronSpec: { type: 'string' },
          replicas: { type: 'integer' },
          size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
          config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          env: { type: 'object', additionalProperties: { type: 'string' } },
          items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
          template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
        },
      },
    },
  };
  const crd: CustomResourceDefinition = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'crontabs.stable.example.com' },
    spec: { group: 'stable.example.com', names: { plural: 'crontabs', kind: 'CronTab' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }] },
  };
  reg.registerCRD(crd);
  own.registerCRD(crd);
  const GVK = { group: 'stable.example.com', version: 'v1', kind: 'CronTab' };
  const cr = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'c' }) => ({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata, spec });

  it("checks against the CRD's openAPIV3Schema, ObjectMeta included", () => {
    const result = checkObject(cr({ cronSpec: '* * * * *', nope: 1, items: [{ name: 'a', extra: 2 }] }, { name: 'c', what: 1 }), GVK, reg, { unknownFields: 'Strict' });
    expect(result).toEqual({ typeErrors: [], unknownFields: ['metadata.what', 'spec.nope', 'spec.items[0].extra'] });
  });

  it('honours preserve-unknown-fields, int-or-string, maps and embedded resources', () => {
    const ok = cr({
      size: '10Gi',
      config: { anything: { goes: [1] } },
      env: { A: 'x' },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { whatever: 1 } },
    });
    expect(checkObject(ok, GVK, reg, { unknownFields: 'Strict' })).toEqual({ typeErrors: [], unknownFields: [] });
    expect(checkObject(cr({ size: 3 }), GVK, reg).typeErrors).toEqual([]);
    expect(checkObject(cr({ env: { A: 1 } }), GVK, reg).typeErrors).toEqual([typeError('CronTab.spec.env', 'number', 'string')]);
    expect(checkObject(cr({ template: { metadata: { bogus: 1 } } }), GVK, reg).unknownFields).toEqual(['spec.template.metadata.bogus']);
  });
});

describe('what the apiserver sends back', () => {
  it('renders the 400 of a type error as handlers.transformDecodeError does', () => {
    expect(decodeErrorMessage(DEPLOYMENT, typeError('DeploymentSpec.spec.replicas', 'string', 'int32'))).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
  });

  it('renders strict decoding errors, alone (patch) or wrapped (create, update)', () => {
    expect(strictDecodingMessage(['spec.x', 'spec.y'])).toBe('strict decoding error: unknown field "spec.x", unknown field "spec.y"');
    expect(decodeErrorMessage(POD, strictDecodingMessage(['spec.containers[0].foo']))).toBe(
      'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].foo"',
    );
  });

  it('renders Warning headers with code 299 and escaped quotes', () => {
    expect(unknownFieldWarnings(['spec.x', 'metadata.a\\b'])).toEqual(['299 - "unknown field \\"spec.x\\""', '299 - "unknown field \\"metadata.a\\\\\\\\b\\""']);
    expect(unknownFieldMessages(['a.b'])).toEqual(['unknown field "a.b"']);
  });

  it('quotes as Go does', () => {
    expect(goQuote('a"b\\c\n\u0001é')).toBe('"a\\"b\\\\c\\n\\x01é"');
  });

  it('reads the fieldValidation parameter, Warn by default', () => {
    expect(fieldValidationMode(undefined)).toBe('Warn');
    expect(fieldValidationMode('')).toBe('Warn');
    expect(fieldValidationMode('Strict')).toBe('Strict');
    expect(fieldValidationMode('Ignore')).toBe('Ignore');
    expect(fieldValidationMode('strict')).toBeUndefined();
  });
});
