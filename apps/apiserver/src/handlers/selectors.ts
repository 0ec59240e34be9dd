import { ResourceDefinition } from '@logbook/api';
import { FieldSelectorError, LabelSelectorError, badRequest, compileFieldSelector, parseLabelSelector, selectableFieldsFor } from '@logbook/machinery';
import type { Obj } from '../storage/resource-store';

/** The label and field selectors of a list or watch, compiled to one predicate (undefined: everything). */
export function selectorPredicate(def: ResourceDefinition, params: URLSearchParams): ((o: Obj) => boolean) | undefined {
  const label = params.get('labelSelector') ?? '';
  const field = params.get('fieldSelector') ?? '';
  if (!label && !field) return undefined;
  try {
    const labels = label ? parseLabelSelector(label) : undefined;
    const fields = field ? compileFieldSelector(field, selectableFieldsFor(def.resource, def.group, def.namespaced)) : undefined;
    return (o: Obj) => (!labels || labels.matches(o.metadata?.labels as Record<string, string> | undefined)) && (!fields || fields(o));
  } catch (err: unknown) {
    if (err instanceof LabelSelectorError || err instanceof FieldSelectorError) throw badRequest(err.message);
    throw err;
  }
}
