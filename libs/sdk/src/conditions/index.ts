export { findCondition, isConditionFalse, isConditionTrue, removeCondition, setCondition } from './conditions';
export type { ConditionUpdate } from './conditions';
