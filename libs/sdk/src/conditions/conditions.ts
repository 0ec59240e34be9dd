import type { Condition, ConditionStatus } from '@logbook/api';

/** A condition to set; `lastTransitionTime` is filled in when the status changes. */
export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  reason: string;
  message?: string;
  observedGeneration?: number;
  /** Use this time instead of now for a transition. */
  lastTransitionTime?: string;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition in `conditions` (in place), as apimachinery's
 * `meta.SetStatusCondition`: `lastTransitionTime` changes only when the
 * status does (or the condition is new); reason, message and
 * observedGeneration are updated as given. Returns whether anything
 * changed, so a reconciler writes status only when it must.
 */
export function setCondition(conditions: Condition[], update: ConditionUpdate): boolean {
  const existing = findCondition(conditions, update.type);
  if (!existing) {
    const c: Condition = {
      type: update.type,
      status: update.status,
      lastTransitionTime: update.lastTransitionTime ?? now(),
      reason: update.reason,
      message: update.message ?? '',
    };
    if (update.observedGeneration !== undefined) c.observedGeneration = update.observedGeneration;
    conditions.push(c);
    return true;
  }
  let changed = false;
  if (existing.status !== update.status) {
    existing.status = update.status;
    existing.lastTransitionTime = update.lastTransitionTime ?? now();
    changed = true;
  }
  if (existing.reason !== update.reason) {
    existing.reason = update.reason;
    changed = true;
  }
  if (existing.message !== (update.message ?? '')) {
    existing.message = update.message ?? '';
    changed = true;
  }
  if (update.observedGeneration !== undefined && existing.observedGeneration !== update.observedGeneration) {
    existing.observedGeneration = update.observedGeneration;
    changed = true;
  }
  return changed;
}

/** Removes the condition of `type` (in place); returns whether there was one. */
export function removeCondition(conditions: Condition[], type: string): boolean {
  const i = conditions.findIndex((c) => c.type === type);
  if (i < 0) return false;
  conditions.splice(i, 1);
  return true;
}

export const isConditionTrue = (conditions: readonly Condition[] | undefined, type: string) => findCondition(conditions, type)?.status === 'True';
export const isConditionFalse = (conditions: readonly Condition[] | undefined, type: string) => findCondition(conditions, type)?.status === 'False';
