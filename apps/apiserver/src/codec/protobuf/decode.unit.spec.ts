/**
 * The protobuf → Kubernetes JSON rules, on messages built here. Unlike Go,
 * protobufjs writes only the fields we set, so these also cover fields that
 * are absent from the wire (Go then sees, and prints, their zero value).
 * Every expected object below is what Go's encoding/json prints for the
 * decoded Go struct.
 */
import { decodeKubernetesProtobuf, isKubernetesProtobuf, KubernetesProtobufError } from './index';
import { goDurationString } from './go-json';
import { Type } from 'protobufjs';
import { lookupMessage } from './schema';

const MAGIC = Buffer.from('k8s\0', 'latin1');
const UNKNOWN = 'k8s.io.apimachinery.pkg.runtime.Unknown';

function encode(typeName: string, object: Record<string, unknown>): Uint8Array {
  const type = lookupMessage(typeName);
  const problem = type.verify(object) ?? unknownKeys(type, object, typeName);
  if (problem) throw new Error(`test message for ${typeName} is wrong: ${problem}`);
  return type.encode(type.fromObject(object)).finish();
}

/** protobufjs ignores keys that are not fields; a typo would silently test nothing. */
function unknownKeys(type: Type, object: Record<string, unknown>, path: string): string | null {
  for (const [key, value] of Object.entries(object)) {
    const field = type.fields[key];
    if (!field) return `${path}.${key} is not a field of ${type.fullName}`;
    field.resolve();
    if (!(field.resolvedType instanceof Type) || value instanceof Uint8Array) continue;
    const sub = field.resolvedType;
    const values = field.map ? Object.values(value as object) : field.repeated ? (value as unknown[]) : [value];
    for (const v of values) {
      const problem = unknownKeys(sub, v as Record<string, unknown>, `${path}.${key}`);
      if (problem) return problem;
    }
  }
  return null;
}

function envelope(
  apiVersion: string,
  kind: string,
  raw: Uint8Array,
  extra: { contentEncoding?: string; contentType?: string } = {},
): Buffer {
  return Buffer.concat([MAGIC, encode(UNKNOWN, { typeMeta: { apiVersion, kind }, raw, ...extra })]);
}

function body(apiVersion: string, kind: string, typeName: string, object: Record<string, unknown>): Buffer {
  return envelope(apiVersion, kind, encode(typeName, object));
}

function json(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}

function decodeError(b: Buffer): KubernetesProtobufError {
  try {
    decodeKubernetesProtobuf(b);
  } catch (err) {
    if (err instanceof KubernetesProtobufError) return err;
    throw new Error(`expected a KubernetesProtobufError, got ${String(err)}`);
  }
  throw new Error('expected decoding to fail');
}

const JAN_1_2024 = 1704067200;

describe('decodeKubernetesProtobuf', () => {
  it('decodes a Pod: times, inlined structs, IntOrString, Quantity, pointers, omitempty, FieldsV1', () => {
    const b = body('v1', 'Pod', 'k8s.io.api.core.v1.Pod', {
      metadata: {
        name: 'web',
        namespace: 'default',
        uid: 'u1',
        resourceVersion: '5',
        generation: 3,
        creationTimestamp: { seconds: JAN_1_2024 },
        deletionTimestamp: { seconds: JAN_1_2024 + 60, nanos: 5 },
        deletionGracePeriodSeconds: 30,
        labels: { b: '2', a: '1' },
        managedFields: [
          {
            manager: 'kubectl',
            operation: 'Update',
            apiVersion: 'v1',
            time: { seconds: JAN_1_2024 },
            fieldsType: 'FieldsV1',
            fieldsV1: { Raw: json('{"f:metadata":{"f:labels":{".":{},"f:a":{}}}}') },
          },
        ],
        generateName: '',
      },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx',
            ports: [{ name: 'http', containerPort: 8080, hostPort: 0 }],
            livenessProbe: {
              handler: { httpGet: { path: '/healthz', port: { type: 1, strVal: 'http' } } },
              initialDelaySeconds: 0,
              periodSeconds: 10,
            },
            readinessProbe: { handler: { tcpSocket: { port: { type: 0, intVal: 8080 } } } },
            resources: { limits: { memory: { string: '64Mi' }, cpu: { string: '250m' } } },
            stdin: false,
            securityContext: { runAsNonRoot: false, runAsUser: 0 },
          },
        ],
        ephemeralContainers: [
          { ephemeralContainerCommon: { name: 'debug', image: 'busybox' }, targetContainerName: 'app' },
        ],
        volumes: [
          { name: 'cfg', volumeSource: { configMap: { localObjectReference: { name: 'c' }, defaultMode: 420 } } },
          { name: 'tmp', volumeSource: { emptyDir: {} } },
        ],
        terminationGracePeriodSeconds: 0,
        restartPolicy: 'Always',
        hostNetwork: false,
        securityContext: { supplementalGroups: [1000, 2000], fsGroup: 3000 },
      },
    });
    expect(decodeKubernetesProtobuf(b)).toStrictEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web',
        namespace: 'default',
        uid: 'u1',
        resourceVersion: '5',
        generation: 3,
        creationTimestamp: '2024-01-01T00:00:00Z',
        // metav1.Time keeps seconds only.
        deletionTimestamp: '2024-01-01T00:01:00Z',
        deletionGracePeriodSeconds: 30,
        labels: { a: '1', b: '2' },
        managedFields: [
          {
            manager: 'kubectl',
            operation: 'Update',
            apiVersion: 'v1',
            time: '2024-01-01T00:00:00Z',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } },
          },
        ],
      },
      spec: {
        volumes: [
          { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
          { name: 'tmp', emptyDir: {} },
        ],
        containers: [
          {
            name: 'app',
            image: 'nginx',
            ports: [{ name: 'http', containerPort: 8080 }],
            resources: { limits: { cpu: '250m', memory: '64Mi' } },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
            readinessProbe: { tcpSocket: { port: 8080 } },
            securityContext: { runAsUser: 0, runAsNonRoot: false },
          },
        ],
        ephemeralContainers: [{ name: 'debug', image: 'busybox', resources: {}, targetContainerName: 'app' }],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 0,
        // repeated int64 → numbers
        securityContext: { supplementalGroups: [1000, 2000], fsGroup: 3000 },
      },
      status: {},
    });
  });

  it('keeps the order of fields of the Go struct, apiVersion and kind first', () => {
    const b = body('v1', 'Pod', 'k8s.io.api.core.v1.Pod', {
      spec: { restartPolicy: 'Never', containers: [{ image: 'i', name: 'n' }] },
      metadata: { namespace: 'ns', name: 'p' },
    });
    const decoded = decodeKubernetesProtobuf(b);
    expect(JSON.stringify(decoded)).toBe(
      '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"},' +
        '"spec":{"containers":[{"name":"n","image":"i","resources":{}}],"restartPolicy":"Never"},"status":{}}',
    );
  });

  it('prints the Go zero value of fields absent from the wire: non-pointer structs, IntOrString 0, no-omitempty scalars', () => {
    const b = body('v1', 'Service', 'k8s.io.api.core.v1.Service', {
      metadata: { name: 's' },
      spec: { ports: [{ port: 80 }] },
    });
    expect(decodeKubernetesProtobuf(b)).toStrictEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      // ServicePort.targetPort is a non-pointer IntOrString: printed as 0.
      spec: { ports: [{ port: 80, targetPort: 0 }] },
      status: { loadBalancer: {} },
    });
  });

  it('prints base64 for bytes, sorts map keys, keeps a present false *bool', () => {
    const b = body('v1', 'Secret', 'k8s.io.api.core.v1.Secret', {
      metadata: { name: 'creds' },
      data: { z: Buffer.from([0xff, 0x00]), a: Buffer.from('hi'), empty: Buffer.alloc(0) },
      stringData: { plain: 'text' },
      immutable: false,
      type: 'Opaque',
    });
    const decoded = decodeKubernetesProtobuf(b);
    expect(decoded).toStrictEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds' },
      immutable: false,
      data: { a: 'aGk=', empty: '', z: '/wA=' },
      stringData: { plain: 'text' },
      type: 'Opaque',
    });
    expect(Object.keys(decoded['data'] as object)).toEqual(['a', 'empty', 'z']);
  });

  it('keeps map keys such as __proto__ and constructor as plain data', () => {
    const data = JSON.parse('{"__proto__":"x","constructor":"y","a":"b"}') as Record<string, string>;
    const decoded = decodeKubernetesProtobuf(body('v1', 'ConfigMap', 'k8s.io.api.core.v1.ConfigMap', { data }));
    expect(Object.keys(decoded['data'] as object)).toEqual(['__proto__', 'a', 'constructor']);
    expect(JSON.stringify(decoded)).toBe(
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{},"data":{"__proto__":"x","a":"b","constructor":"y"}}',
    );
  });

  it('decodes MicroTime with microseconds and keeps present zero pointers (Lease)', () => {
    const b = body('coordination.k8s.io/v1', 'Lease', 'k8s.io.api.coordination.v1.Lease', {
      metadata: { name: 'leader', namespace: 'kube-system' },
      spec: {
        holderIdentity: 'node-a',
        leaseDurationSeconds: 15,
        acquireTime: { seconds: JAN_1_2024, nanos: 123456789 },
        renewTime: { seconds: JAN_1_2024 + 5, nanos: 999 },
        leaseTransitions: 0,
      },
    });
    expect(decodeKubernetesProtobuf(b)).toStrictEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'leader', namespace: 'kube-system' },
      spec: {
        holderIdentity: 'node-a',
        leaseDurationSeconds: 15,
        acquireTime: '2024-01-01T00:00:00.123456Z',
        renewTime: '2024-01-01T00:00:05.000000Z',
        leaseTransitions: 0,
      },
    });
  });

  it('prints an empty Time as null and the Unix epoch as a time', () => {
    const b = body('v1', 'Event', 'k8s.io.api.core.v1.Event', {
      metadata: { name: 'e' },
      involvedObject: { kind: 'Pod', name: 'p' },
      firstTimestamp: {},
      lastTimestamp: { seconds: 0 },
      count: 2,
    });
    expect(decodeKubernetesProtobuf(b)).toStrictEqual({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e' },
      involvedObject: { kind: 'Pod', name: 'p' },
      // reason/message/type: omitempty; source, eventTime: non-pointer structs;
      // reportingComponent/reportingInstance: no omitempty.
      source: {},
      firstTimestamp: null,
      lastTimestamp: '1970-01-01T00:00:00Z',
      count: 2,
      eventTime: null,
      reportingComponent: '',
      reportingInstance: '',
    });
  });

  it('turns RawExtension into the JSON it holds and int64 into numbers (ControllerRevision)', () => {
    const b = body('apps/v1', 'ControllerRevision', 'k8s.io.api.apps.v1.ControllerRevision', {
      metadata: { name: 'web-5d4f' },
      data: { raw: json('{"spec":{"template":{"metadata":{"labels":{"app":"web"}}}}}') },
      revision: 4_000_000_000,
    });
    expect(decodeKubernetesProtobuf(b)).toStrictEqual({
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'web-5d4f' },
      data: { spec: { template: { metadata: { labels: { app: 'web' } } } } },
      revision: 4_000_000_000,
    });
  });

  it('decodes a v1 List (`type List metav1.List`) whose items are RawExtensions', () => {
    const b = body('v1', 'List', 'k8s.io.api.core.v1.List', {
      metadata: {},
      items: [{ raw: json('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}') }, {}],
    });
    expect(decodeKubernetesProtobuf(b)).toStrictEqual({
      apiVersion: 'v1',
      kind: 'List',
      metadata: {},
      items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, null],
    });
    // items has no omitempty: an empty List prints "items": null, as Go does.
    expect(decodeKubernetesProtobuf(body('v1', 'List', 'k8s.io.api.core.v1.List', {}))).toStrictEqual({
      apiVersion: 'v1',
      kind: 'List',
      metadata: {},
      items: null,
    });
  });

  it('prints named slice types (ExtraValue) as arrays, null when empty; no-omitempty bools as false', () => {
    const b = body('authorization.k8s.io/v1', 'SubjectAccessReview', 'k8s.io.api.authorization.v1.SubjectAccessReview', {
      metadata: {},
      spec: {
        user: 'alice',
        groups: ['dev'],
        extra: { scopes: { items: ['read', 'write'] }, empty: { items: [] } },
        resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' },
      },
    });
    expect(decodeKubernetesProtobuf(b)).toStrictEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: {},
      spec: {
        resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' },
        user: 'alice',
        groups: ['dev'],
        extra: { empty: null, scopes: ['read', 'write'] },
      },
      status: { allowed: false },
    });
  });

  it('decodes DeleteOptions sent under any group version', () => {
    const b = body('apps/v1', 'DeleteOptions', 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', {
      propagationPolicy: 'Background',
      gracePeriodSeconds: 0,
    });
    expect(decodeKubernetesProtobuf(b)).toStrictEqual({
      apiVersion: 'apps/v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Background',
    });
  });

  it('decodes an envelope whose contentType names protobuf', () => {
    const raw = encode('k8s.io.api.core.v1.Namespace', { metadata: { name: 'n' } });
    const b = envelope('v1', 'Namespace', raw, { contentType: 'application/vnd.kubernetes.protobuf' });
    expect(decodeKubernetesProtobuf(b)).toStrictEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'n' },
      spec: {},
      status: {},
    });
  });

  describe('errors', () => {
    it('400 for a body without the k8s\\0 prefix', () => {
      const err = decodeError(Buffer.from('{"kind":"Namespace"}'));
      expect(err.reason).toBe('BadRequest');
      expect(err.statusCode).toBe(400);
      expect(err.message).toMatch(/k8s\\0/);
      expect(decodeError(Buffer.from('k8s')).statusCode).toBe(400);
    });

    it('400 for bytes that are not protobuf, or cut short', () => {
      expect(decodeError(Buffer.concat([MAGIC, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])])).statusCode).toBe(400);
      const whole = body('v1', 'ConfigMap', 'k8s.io.api.core.v1.ConfigMap', {
        metadata: { name: 'c' },
        data: { a: 'b'.repeat(100) },
      });
      const err = decodeError(whole.subarray(0, whole.length - 20));
      expect(err.reason).toBe('BadRequest');
      // The typed message cut short inside a valid envelope.
      const raw = encode('k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'c' }, data: { a: 'b'.repeat(100) } });
      expect(decodeError(envelope('v1', 'ConfigMap', raw.subarray(0, raw.length - 20))).message).toMatch(
        /cannot decode v1, Kind=ConfigMap/,
      );
    });

    it('400 when the envelope names no kind or no apiVersion', () => {
      expect(decodeError(envelope('v1', '', new Uint8Array())).message).toMatch(/Kind/);
      expect(decodeError(envelope('', 'Pod', new Uint8Array())).message).toMatch(/apiVersion/);
    });

    it('415 for a kind we have no schema for', () => {
      for (const [apiVersion, kind] of [
        ['example.com/v1', 'Widget'],
        ['apps/v1', 'Widget'],
        ['v1', 'Container'], // a message, but not a top-level kind
        ['apps/v2', 'Deployment'],
        ['v1', 'pod'],
      ]) {
        const err = decodeError(envelope(apiVersion, kind, new Uint8Array()));
        expect(err.reason).toBe('UnsupportedMediaType');
        expect(err.statusCode).toBe(415);
        expect(err.message).toContain(`Kind=${kind}`);
      }
    });

    it('415 for a compressed or non-protobuf payload in the envelope', () => {
      const raw = encode('k8s.io.api.core.v1.Namespace', { metadata: { name: 'n' } });
      expect(decodeError(envelope('v1', 'Namespace', raw, { contentEncoding: 'gzip' })).statusCode).toBe(415);
      expect(decodeError(envelope('v1', 'Namespace', raw, { contentType: 'application/json' })).statusCode).toBe(415);
    });

    it('415 for a RawExtension that does not hold JSON', () => {
      const b = body('apps/v1', 'ControllerRevision', 'k8s.io.api.apps.v1.ControllerRevision', {
        metadata: { name: 'r' },
        data: { raw: Buffer.concat([MAGIC, Buffer.from([0x0a, 0x00])]) },
      });
      const err = decodeError(b);
      expect(err.statusCode).toBe(415);
      expect(err.message).toMatch(/RawExtension/);
    });
  });
});

describe('isKubernetesProtobuf', () => {
  it.each([
    ['application/vnd.kubernetes.protobuf', true],
    ['Application/VND.Kubernetes.Protobuf', true],
    ['application/vnd.kubernetes.protobuf; charset=binary', true],
    ['application/json', false],
    ['application/vnd.kubernetes.protobuffer', false],
    ['application/apply-patch+yaml', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (contentType, expected) => {
    expect(isKubernetesProtobuf(contentType)).toBe(expected);
  });
});

describe('goDurationString matches Go time.Duration.String()', () => {
  // The table of Go's own time_test.go.
  it.each([
    ['0s', 0n],
    ['1ns', 1n],
    ['1.1µs', 1100n],
    ['2.2ms', 2_200_000n],
    ['3.3s', 3_300_000_000n],
    ['4m5s', (4n * 60n + 5n) * 1_000_000_000n],
    ['4m5.001s', 4n * 60_000_000_000n + 5_001_000_000n],
    ['5h6m7.001s', 5n * 3_600_000_000_000n + 6n * 60_000_000_000n + 7_001_000_000n],
    ['8m0.000000001s', 8n * 60_000_000_000n + 1n],
    ['2562047h47m16.854775807s', 2n ** 63n - 1n],
    ['-2562047h47m16.854775808s', -(2n ** 63n)],
  ])('%s', (expected, nanos) => {
    expect(goDurationString(nanos)).toBe(expected);
  });
});
