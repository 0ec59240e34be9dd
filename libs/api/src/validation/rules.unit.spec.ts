import { Deployment } from '../apps/v1/types';
import { Container } from '../core/v1/container.types';
import { Pod } from '../core/v1/pod.types';
import { asInstance, FieldRule, Nested, validateClass } from './rules';

describe('the class view of plain objects', () => {
  it('builds nested class instances without dropping fields it does not know', () => {
    const plain = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', futureMeta: 1 },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'i', futureField: { a: [1] } }] } }, futureSpec: true },
    };
    const before = structuredClone(plain);
    const d = asInstance(Deployment, plain);
    const container = d.spec!.template!.spec!.containers[0];
    expect(container).toBeInstanceOf(Container);
    expect(JSON.parse(JSON.stringify(d))).toEqual(plain);
    validateClass(Deployment, plain, '');
    expect(plain).toEqual(before);
  });

  it('reports nested paths with list indexes and rejects non-objects', () => {
    const errs = validateClass(Pod, { spec: { containers: [{ name: 'ok', image: 'i' }, { name: 'x', image: 'i', ports: [{ containerPort: 1 }, { containerPort: -5 }] }] } }, '');
    expect(errs.map((e) => e.field)).toEqual(['spec.containers[1].ports[1].containerPort']);
    expect(validateClass(Pod, { spec: { containers: 'nginx' } }, '').map((e) => e.message)).toEqual([
      'spec.containers: Invalid value: "nginx": must be of type object',
    ]);
    expect(validateClass(Pod, 'pod', 'x').map((e) => e.message)).toEqual(['x: Invalid value: "pod": must be of type object']);
  });

  it('runs custom rules with the owning object, and reports under a root path', () => {
    class Range {
      min?: number;
      @FieldRule('aboveMin', (v, owner: Range) => (typeof v === 'number' && v < (owner.min ?? 0) ? [{ type: 'FieldValueInvalid', detail: 'must be at least min' }] : []))
      max?: number;
    }
    class Holder {
      @Nested(() => Range)
      ranges?: Range[];
    }
    expect(validateClass(Holder, { ranges: [{ min: 1, max: 5 }, { min: 4, max: 2 }] }, 'spec').map((e) => e.message)).toEqual([
      'spec.ranges[1].max: Invalid value: 2: must be at least min',
    ]);
  });
});
