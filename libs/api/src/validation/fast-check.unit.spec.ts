/**
 * validateClass answers valid objects without building class instances
 * (rules.ts, `passes`) and leaves every object it finds a problem in to the
 * full class-transformer + class-validator run. These tests hold it to that
 * run: on the seed's manifests and on thousands of broken variants of them,
 * both give the same errors, in the same order, with the same messages.
 */
import { seed } from '../testing/seed-manifests';
import { asCreated, createErrors } from '../testing/validation-fixtures';
import { parseApiVersion } from '../scheme/types';
import { KIND_VALIDATIONS } from './kinds';
import { FieldRule, Nested, Required, passesWithoutInstances, validateClass, validateInstance } from './rules';

type Obj = Record<string, any>;

const extra: Record<string, () => Obj> = {
  configMap: () => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', labels: { app: 'a' }, annotations: { 'x.io/y': 'z' } }, data: { 'a.conf': 'x' } }),
  secret: () => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { k: 'dmFsdWU=' } }),
  service: () => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'svc' },
    spec: { type: 'NodePort', selector: { app: 'a' }, ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }] },
  }),
  deployment: () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] },
      template: {
        metadata: { labels: { app: 'web', tier: 'fe' } },
        spec: {
          containers: [
            {
              name: 'c',
              image: 'nginx',
              ports: [{ containerPort: 80 }],
              env: [{ name: 'A', value: '1' }],
              resources: { limits: { cpu: '500m', memory: '128Mi' } },
              volumeMounts: [{ name: 'v', mountPath: '/data' }],
            },
          ],
          volumes: [{ name: 'v', emptyDir: {} }],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'Exists' }] }] } } },
        },
      },
    },
  }),
  lease: () => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { holderIdentity: 'me', leaseDurationSeconds: 15 } }),
};

const corpus: Array<[string, () => Obj]> = [...Object.entries(seed), ...Object.entries(extra)];

function classOf(o: Obj): (new () => object) | undefined {
  return KIND_VALIDATIONS[`${parseApiVersion(o.apiVersion).group}/${o.kind}`]?.cls;
}

/** Every path in the object, as key lists. */
function paths(o: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (typeof o !== 'object' || o === null) return out;
  for (const [k, v] of Object.entries(o)) {
    const p = [...prefix, Array.isArray(o) ? Number(k) : k];
    out.push(p);
    paths(v, p, out);
  }
  return out;
}

function setAt(o: Obj, path: Array<string | number>, value: unknown): Obj {
  const copy = structuredClone(o);
  let cur: any = copy;
  for (const k of path.slice(0, -1)) cur = cur[k];
  cur[path[path.length - 1]] = value;
  return copy;
}

const BAD_VALUES: unknown[] = ['Bad_Name!', '', 'x'.repeat(300), -1, 1.5, 70000, true, null, {}, [], ['a', 1], { a: 1 }];

describe('validateClass without class instances', () => {
  it('takes the fast path for every valid object of the corpus, and agrees with the full run', () => {
    for (const [name, make] of corpus) {
      // As the apiserver has it: parsed from JSON, then defaulted (plain objects throughout).
      const o = JSON.parse(JSON.stringify(asCreated(make())));
      const cls = classOf(o);
      expect([name, cls]).toEqual([name, expect.any(Function)]);
      expect([name, validateInstance(cls!, o, '')]).toEqual([name, []]);
      expect([name, passesWithoutInstances(cls!, o)]).toEqual([name, true]);
    }
  });

  it('gives the full run\'s errors for every broken variant of the corpus', () => {
    let variants = 0;
    let rejected = 0;
    for (const [, make] of corpus) {
      const base = asCreated(make());
      const cls = classOf(base)!;
      for (const path of paths(base)) {
        for (const bad of BAD_VALUES) {
          const o = setAt(base, path, bad);
          const before = structuredClone(o);
          const full = validateInstance(cls, o, '');
          expect({ path: path.join('.'), bad, errors: validateClass(cls, o, '') }).toEqual({ path: path.join('.'), bad, errors: full });
          expect(o).toEqual(before);
          variants++;
          if (full.length > 0) rejected++;
        }
      }
    }
    // The corpus is not vacuous: thousands of variants, a large share of them invalid.
    expect(variants).toBeGreaterThan(5000);
    expect(rejected).toBeGreaterThan(1000);
  });

  it('leaves rules that read their owning object to the full run', () => {
    // The owner a rule gets in the full run is a class instance, nested values included.
    class Limits {
      max?: number;
    }
    class Quota {
      @Nested(() => Limits)
      limits?: Limits;
      @FieldRule('sealed', (_v, owner: Quota) => (owner.limits instanceof Limits ? [{ type: 'FieldValueForbidden', detail: 'limits are sealed' }] : []))
      sealed?: boolean;
    }
    expect(validateClass(Quota, { limits: { max: 1 }, sealed: true }, 'spec').map((e) => e.message)).toEqual(['spec.sealed: Forbidden: limits are sealed']);
    expect(validateClass(Quota, { sealed: true }, 'spec')).toEqual([]);
  });

  it('leaves classes whose instances start with values to the full run', () => {
    class Defaulted {
      @Required()
      mode?: string = 'auto';
    }
    // class-transformer's `new Defaulted()` carries mode: 'auto', so the full run finds nothing missing.
    expect(passesWithoutInstances(Defaulted, {})).toBe(true);
    expect(validateClass(Defaulted, {}, '')).toEqual([]);
  });

  it('reports nested shapes class-validator refuses (null list items, scalars for objects) and accepts what it accepts (lists of lists)', () => {
    const pod = asCreated(seed.kubiaManualPod());
    const cls = classOf(pod)!;
    const withContainers = (containers: unknown) => ({ ...pod, spec: { ...pod.spec, containers } });
    for (const containers of [[null], ['nginx'], 'nginx', 5]) {
      const errors = validateClass(cls, withContainers(containers), '');
      expect(errors).toEqual(validateInstance(cls, withContainers(containers), ''));
      expect(errors.map((e) => e.detail)).toEqual(['must be of type object']);
    }
    expect(validateClass(cls, withContainers([[{ name: 'c', image: 'i' }]]), '')).toEqual([]);
  });
});

describe('what validateCreate rejects, through the fast path', () => {
  it('names', () => {
    expect(createErrors({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } })).toEqual([
      'metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')',
    ]);
    expect(createErrors({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', labels: { 'bad key!': 'v' } } })).toEqual([
      'metadata.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')',
    ]);
  });

  it('required fields', () => {
    expect(createErrors({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } })).toContain('spec.containers: Required value');
    expect(createErrors({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } })).toContain('spec.containers[0].image: Required value');
  });

  it('wrong types', () => {
    const pod = (port: unknown) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: port }] }] } });
    expect(createErrors(pod('80'))).toContain('spec.containers[0].ports[0].containerPort: Invalid value: "80": must be of type integer');
    const d = extra.deployment();
    d.spec.replicas = '3';
    expect(createErrors(d)).toEqual(['spec.replicas: Invalid value: "3": must be of type integer']);
    expect(createErrors({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: 'nginx' } })).toContain(
      'spec.containers: Invalid value: "nginx": must be of type object',
    );
  });

  it('a selector that does not match the template', () => {
    const d = extra.deployment();
    d.spec.template.metadata.labels = { app: 'other' };
    expect(createErrors(d)).toContain('spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`');
  });
});
