import type { Condition } from '@logbook/api';
import { setCondition } from '@logbook/sdk';
import type { ContentReport } from './namespaced-content';

/** Kubernetes' namespace deletion condition types. */
export const NAMESPACE_DELETION_DISCOVERY_FAILURE = 'NamespaceDeletionDiscoveryFailure';
export const NAMESPACE_DELETION_CONTENT_FAILURE = 'NamespaceDeletionContentFailure';
export const NAMESPACE_CONTENT_REMAINING = 'NamespaceContentRemaining';
export const NAMESPACE_FINALIZERS_REMAINING = 'NamespaceFinalizersRemaining';

const sorted = (m: Map<string, number>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));

/**
 * Sets the namespace's deletion conditions from a content report (in
 * place), worded as Kubernetes' namespace controller words them. Returns
 * whether anything changed.
 */
export function setDeletionConditions(conditions: Condition[], report: ContentReport): boolean {
  let changed = false;
  changed =
    setCondition(
      conditions,
      report.discoveryFailures.length
        ? { type: NAMESPACE_DELETION_DISCOVERY_FAILURE, status: 'True', reason: 'DiscoveryFailed', message: `Discovery failed for some groups, ${report.discoveryFailures.length} failing: ${report.discoveryFailures.join(', ')}` }
        : { type: NAMESPACE_DELETION_DISCOVERY_FAILURE, status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
    ) || changed;
  changed =
    setCondition(
      conditions,
      report.deleteFailures.length
        ? { type: NAMESPACE_DELETION_CONTENT_FAILURE, status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${report.deleteFailures.length} remaining: ${report.deleteFailures.join(', ')}` }
        : { type: NAMESPACE_DELETION_CONTENT_FAILURE, status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
    ) || changed;
  changed =
    setCondition(
      conditions,
      report.remaining.size
        ? {
            type: NAMESPACE_CONTENT_REMAINING,
            status: 'True',
            reason: 'SomeResourcesRemain',
            message: `Some resources are remaining: ${sorted(report.remaining).map(([r, n]) => `${r} has ${n} resource instances`).join(', ')}`,
          }
        : { type: NAMESPACE_CONTENT_REMAINING, status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
    ) || changed;
  changed =
    setCondition(
      conditions,
      report.finalizers.size
        ? {
            type: NAMESPACE_FINALIZERS_REMAINING,
            status: 'True',
            reason: 'SomeFinalizersRemain',
            message: `Some content in the namespace has finalizers remaining: ${sorted(report.finalizers).map(([f, n]) => `${f} in ${n} resource instances`).join(', ')}`,
          }
        : { type: NAMESPACE_FINALIZERS_REMAINING, status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
    ) || changed;
  return changed;
}
