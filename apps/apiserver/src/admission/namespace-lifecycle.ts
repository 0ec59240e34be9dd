import { forbidden } from '@logbook/machinery';
import type { AdmissionAttributes, AdmissionPlugin } from './admission';

/** Namespaces every cluster needs: deleting them is refused. */
export const IMMORTAL_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public']);

/**
 * kube's NamespaceLifecycle, its admission half: `default`, `kube-system`
 * and `kube-public` cannot be deleted (403 `this namespace may not be
 * deleted`). The other half — nothing is created in a namespace that does
 * not exist (404) or is being deleted (403 `unable to create new content in
 * namespace x because it is being terminated`) — is the ResourceStore's own
 * check, answered from its namespace cache (storage/namespace-lifecycle.ts)
 * before anything else is done with the object.
 */
export class NamespaceLifecycle implements AdmissionPlugin {
  readonly name = 'NamespaceLifecycle';

  validate(a: AdmissionAttributes): void {
    const isNamespace = a.def.group === '' && a.def.resource === 'namespaces';
    if (a.operation === 'DELETE' && isNamespace && !a.subresource && IMMORTAL_NAMESPACES.has(a.name)) {
      throw forbidden({ group: '', resource: 'namespaces' }, a.name, 'this namespace may not be deleted');
    }
  }
}
