import type { KubeObject } from '../client';
import { addFinalizer, hasFinalizer, removeFinalizer } from '.';

describe('finalizer list helpers', () => {
  it('add and remove report whether they changed anything', () => {
    const o: KubeObject = { metadata: { name: 'x', finalizers: ['other'] } };
    expect(addFinalizer(o, 'mine')).toBe(true);
    expect(addFinalizer(o, 'mine')).toBe(false);
    expect(o.metadata!.finalizers).toEqual(['other', 'mine']);
    expect(hasFinalizer(o, 'mine')).toBe(true);
    expect(removeFinalizer(o, 'mine')).toBe(true);
    expect(removeFinalizer(o, 'mine')).toBe(false);
    expect(o.metadata!.finalizers).toEqual(['other']);
    const bare: KubeObject = {};
    expect(addFinalizer(bare, 'mine')).toBe(true);
    expect(bare.metadata!.finalizers).toEqual(['mine']);
  });
});
