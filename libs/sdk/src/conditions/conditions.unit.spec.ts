import type { Condition } from '@logbook/api';
import { findCondition, isConditionFalse, isConditionTrue, removeCondition, setCondition } from '.';

describe('status conditions', () => {
  it('adds a new condition with a transition time', () => {
    const cs: Condition[] = [];
    expect(setCondition(cs, { type: 'Ready', status: 'False', reason: 'Starting', lastTransitionTime: '2024-01-01T00:00:00Z' })).toBe(true);
    expect(cs).toEqual([{ type: 'Ready', status: 'False', reason: 'Starting', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' }]);
    expect(isConditionFalse(cs, 'Ready')).toBe(true);
  });

  it('moves lastTransitionTime only when the status changes', () => {
    const cs: Condition[] = [];
    setCondition(cs, { type: 'Ready', status: 'False', reason: 'Starting', lastTransitionTime: '2024-01-01T00:00:00Z' });
    // Same status, new reason and message: changed, but no transition.
    expect(setCondition(cs, { type: 'Ready', status: 'False', reason: 'Pulling', message: 'pulling image', observedGeneration: 2 })).toBe(true);
    expect(findCondition(cs, 'Ready')).toMatchObject({ reason: 'Pulling', message: 'pulling image', observedGeneration: 2, lastTransitionTime: '2024-01-01T00:00:00Z' });
    // Nothing new: unchanged.
    expect(setCondition(cs, { type: 'Ready', status: 'False', reason: 'Pulling', message: 'pulling image', observedGeneration: 2 })).toBe(false);
    // A transition: the time moves (to now when not given).
    expect(setCondition(cs, { type: 'Ready', status: 'True', reason: 'Running' })).toBe(true);
    expect(findCondition(cs, 'Ready')!.lastTransitionTime).not.toBe('2024-01-01T00:00:00Z');
    expect(findCondition(cs, 'Ready')!.lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(isConditionTrue(cs, 'Ready')).toBe(true);
  });

  it('removes conditions', () => {
    const cs: Condition[] = [];
    setCondition(cs, { type: 'A', status: 'True', reason: 'x' });
    setCondition(cs, { type: 'B', status: 'True', reason: 'y' });
    expect(removeCondition(cs, 'A')).toBe(true);
    expect(removeCondition(cs, 'A')).toBe(false);
    expect(cs.map((c) => c.type)).toEqual(['B']);
  });
});
