import { forbidden } from '@logbook/machinery';
import type { AdmissionAttributes, AdmissionPlugin } from '../../admission/admission';
import { nodeIdentity } from './node-authorizer';

const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/**
 * kube's NodeRestriction admission plugin: what a node (`system:node:<name>`
 * in `system:nodes`) may write, whatever RBAC grants the group —
 *
 * - its own Node object only (create, update, status, delete);
 * - its own Lease only, in `kube-node-lease`;
 * - pods bound to it only (status and other updates, deletion), and it may
 *   create only mirror pods bound to itself.
 *
 * Checked on the stored object (`spec.nodeName` of the pod as it is), so
 * it holds however the request names things. Everyone else passes.
 */
export class NodeRestriction implements AdmissionPlugin {
  readonly name = 'NodeRestriction';

  validate(a: AdmissionAttributes): void {
    const { isNode, nodeName } = nodeIdentity(a.user);
    if (!isNode) return;
    const gr = { group: a.def.group, resource: a.def.resource };
    const deny = (message: string) => {
      throw forbidden(gr, a.name, message);
    };
    if (!nodeName) {
      if (this.restricted(a)) deny(`could not determine node from user ${JSON.stringify(a.user.username)}`);
      return;
    }
    if (a.def.group === '' && a.def.resource === 'nodes') {
      const name = a.name || a.object?.metadata?.name;
      if (name !== nodeName) deny(`node ${JSON.stringify(nodeName)} is not allowed to modify node ${JSON.stringify(name)}`);
    } else if (a.def.group === 'coordination.k8s.io' && a.def.resource === 'leases') {
      if (a.namespace !== NODE_LEASE_NAMESPACE) deny(`can only access leases in the ${NODE_LEASE_NAMESPACE} namespace`);
      const name = a.name || a.object?.metadata?.name;
      if (name !== nodeName) deny(`can only access node lease with the same name as the requesting node`);
    } else if (a.def.group === '' && a.def.resource === 'pods') {
      if (a.operation === 'CREATE' && a.subresource === '') {
        if (a.object?.metadata?.annotations?.[MIRROR_POD_ANNOTATION] === undefined) deny(`pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node ${JSON.stringify(nodeName)} can only create mirror pods`);
        if (a.object?.spec?.nodeName !== nodeName) deny(`node ${JSON.stringify(nodeName)} can only create pods with spec.nodeName set to itself`);
      } else if (a.oldObject && a.oldObject.spec?.nodeName !== nodeName) {
        const what = a.operation === 'DELETE' ? 'delete pods' : a.subresource === 'status' ? 'update pod status for pods' : 'update pods';
        deny(`node ${JSON.stringify(nodeName)} can only ${what} with spec.nodeName set to itself`);
      }
    }
  }

  private restricted(a: AdmissionAttributes): boolean {
    return (a.def.group === '' && (a.def.resource === 'nodes' || a.def.resource === 'pods')) || (a.def.group === 'coordination.k8s.io' && a.def.resource === 'leases');
  }
}
