import type { KubeObject } from '../client';
import type { InformerEvent } from '../cache';
import { and, annotationsChanged, generationChanged, labelsChanged, not, or, resourceVersionChanged } from './predicates';

const o = (meta: KubeObject['metadata']): KubeObject => ({ metadata: { name: 'x', ...meta } });
const update = (a: KubeObject, b: KubeObject, resync = false): InformerEvent<KubeObject> => ({ type: 'UPDATED', oldObject: a, object: b, resync });
const added: InformerEvent<KubeObject> = { type: 'ADDED', object: o({}), initialList: false };
const deleted: InformerEvent<KubeObject> = { type: 'DELETED', object: o({}), finalStateUnknown: false };

describe('predicates', () => {
  it('generationChanged passes spec changes only, and every create/delete', () => {
    expect(generationChanged(update(o({ generation: 1 }), o({ generation: 2 })))).toBe(true);
    expect(generationChanged(update(o({ generation: 1, labels: { a: 'b' } }), o({ generation: 1 })))).toBe(false);
    // No generation (ConfigMap): no update passes.
    expect(generationChanged(update(o({ resourceVersion: '1' }), o({ resourceVersion: '2' })))).toBe(false);
    expect(generationChanged(added)).toBe(true);
    expect(generationChanged(deleted)).toBe(true);
  });

  it('labelsChanged and annotationsChanged compare the maps', () => {
    expect(labelsChanged(update(o({ labels: { a: '1' } }), o({ labels: { a: '2' } })))).toBe(true);
    expect(labelsChanged(update(o({ labels: { a: '1' } }), o({ labels: { a: '1' } })))).toBe(false);
    expect(labelsChanged(update(o({}), o({ labels: {} })))).toBe(false);
    expect(labelsChanged(update(o({ labels: { a: '1' } }), o({ labels: { a: '1', b: '2' } })))).toBe(true);
    expect(annotationsChanged(update(o({ annotations: { x: 'y' } }), o({})))).toBe(true);
    expect(annotationsChanged(update(o({ annotations: { x: 'y' }, labels: { a: 'b' } }), o({ annotations: { x: 'y' } })))).toBe(false);
  });

  it('resourceVersionChanged drops resyncs', () => {
    const same = o({ resourceVersion: '5' });
    expect(resourceVersionChanged(update(same, same, true))).toBe(false);
    expect(resourceVersionChanged(update(same, o({ resourceVersion: '6' })))).toBe(true);
  });

  it('combine with and/or/not', () => {
    const e = update(o({ generation: 1, labels: { a: '1' } }), o({ generation: 1, labels: { a: '2' } }));
    expect(or(generationChanged, labelsChanged)(e)).toBe(true);
    expect(and(generationChanged, labelsChanged)(e)).toBe(false);
    expect(not(generationChanged)(e)).toBe(true);
  });
});
