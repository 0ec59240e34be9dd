/**
 * Scheme entries for a CustomResourceDefinition: one per served version,
 * with its status/scale subresources and printer columns.
 */
import type { CustomResourceDefinition } from '../apiextensions/v1/types';
import { scaleSubresource } from './builtin-resources';
import { ResourceDefinition, STANDARD_VERBS, SubresourceDefinition } from './types';

export function resourcesFromCRD(crd: CustomResourceDefinition): ResourceDefinition[] {
  const spec = crd.spec;
  if (!spec) return [];
  const names = spec.names;
  return spec.versions
    .filter((v) => v.served)
    .map((v) => {
      const subresources: SubresourceDefinition[] = [];
      if (v.subresources?.status) subresources.push({ name: 'status', kind: names.kind, verbs: ['get', 'patch', 'update'] });
      if (v.subresources?.scale) subresources.push({ ...scaleSubresource(), scale: { ...v.subresources.scale } });
      return {
        group: spec.group,
        version: v.name,
        kind: names.kind,
        listKind: names.listKind ?? `${names.kind}List`,
        resource: names.plural,
        singular: names.singular ?? names.kind.toLowerCase(),
        shortNames: names.shortNames ?? [],
        namespaced: spec.scope === 'Namespaced',
        verbs: STANDARD_VERBS,
        categories: names.categories ?? [],
        subresources,
        tracksGeneration: true,
        storage: v.storage,
        custom: true,
        printerColumns: v.additionalPrinterColumns?.map((c) => ({ ...c })),
      };
    });
}
