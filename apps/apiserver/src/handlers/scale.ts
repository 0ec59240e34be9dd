import { ResourceDefinition } from '@logbook/api';
import { LabelSelector, labelSelectorFromSpec, selectorToString } from '@logbook/machinery';
import type { Obj } from '../storage/resource-store';

/** The autoscaling/v1 Scale view of a workload. */
export function toScale(def: ResourceDefinition, o: Obj): Obj {
  const selector = o.spec?.selector;
  let selectorString = '';
  if (selector && typeof selector === 'object') {
    // apps/v1 uses a LabelSelector, ReplicationController a plain map.
    const s: LabelSelector = 'matchLabels' in selector || 'matchExpressions' in selector ? labelSelectorFromSpec(selector) : LabelSelector.fromSet(selector);
    selectorString = selectorToString(s);
  }
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, ...(selectorString ? { selector: selectorString } : {}) },
  };
}

/** Applies a Scale's spec.replicas to the workload. */
export function fromScale(o: Obj, scale: Obj): Obj {
  return { ...o, spec: { ...(o.spec ?? {}), replicas: scale.spec?.replicas } };
}
