import type { UserInfo } from '../../storage/context';
import type { Attributes } from '../authorizer/attributes';
import type { Decision } from '../authorizer/authorizer';
import { RbacAuthorizer } from '../rbac/rbac-authorizer';
import type { PolicyCache } from '../rbac/policy-cache';
import type { NodeGraph, NodeObjectKind } from './node-graph';

export const NODES_GROUP = 'system:nodes';
const NODE_USER_PREFIX = 'system:node:';

/**
 * Whether the user is a node (in `system:nodes`), and which: the name after
 * `system:node:`, or '' for a member of the group with another name (kube's
 * NodeIdentifier; such a "node" is refused what only a node may have).
 */
export function nodeIdentity(user: UserInfo): { isNode: boolean; nodeName: string } {
  if (!user.groups.includes(NODES_GROUP)) return { isNode: false, nodeName: '' };
  return { isNode: true, nodeName: user.username.startsWith(NODE_USER_PREFIX) ? user.username.slice(NODE_USER_PREFIX.length) : '' };
}

const READ = new Set(['get', 'list', 'watch']);
const GRAPH_KINDS: ReadonlySet<string> = new Set<NodeObjectKind>(['secrets', 'configmaps', 'persistentvolumeclaims']);

/**
 * kube-apiserver's `--authorization-mode=Node,RBAC`: for a node's requests
 * (`system:node:<name>` in `system:nodes`), the Node authorizer decides
 * first on what only its pods may give it —
 *
 * - get, and list/watch of one object by name, of a Secret, ConfigMap or
 *   PersistentVolumeClaim: only one a pod bound to the node refers to;
 *   a PersistentVolume: only one bound to such a claim;
 * - a token of a ServiceAccount (TokenRequest): only an account a pod bound
 *   to the node runs as —
 *
 * and refuses anything else of those (kube's `no relationship found between
 * node 'x' and this object`), whatever RBAC says. Everything else goes to
 * RBAC (the `system:node` ClusterRole), and what a node may write of Nodes,
 * Leases and Pods is narrowed further by the NodeRestriction admission
 * plugin. Everyone who is not a node is RBAC's alone.
 */
export class NodeAuthorizer extends RbacAuthorizer {
  constructor(
    policy: PolicyCache,
    private readonly graph: NodeGraph,
  ) {
    super(policy);
  }

  override authorize(a: Attributes): Decision {
    const node = a.isResourceRequest && a.apiGroup === '' ? nodeIdentity(a.user) : undefined;
    if (node?.isNode) {
      const decision = this.nodeDecision(node.nodeName, a);
      if (decision) return decision;
    }
    return super.authorize(a);
  }

  private nodeDecision(nodeName: string, a: Attributes): Decision | undefined {
    const reads = READ.has(a.verb) && a.subresource === '';
    const tokenRequest = a.resource === 'serviceaccounts' && a.subresource === 'token' && a.verb === 'create';
    const volumeRead = a.resource === 'persistentvolumes' && reads;
    if (!(GRAPH_KINDS.has(a.resource) && reads) && !tokenRequest && !volumeRead) return undefined;
    if (!nodeName) return { allowed: false, reason: 'unknown node for user ' + JSON.stringify(a.user.username) };
    if (!a.name) return { allowed: false, reason: `can only read individual ${a.resource} referenced by pods bound to node '${nodeName}'` };
    const related = volumeRead
      ? this.graph.relatedVolume(nodeName, a.name)
      : this.graph.related(nodeName, (tokenRequest ? 'serviceaccounts' : a.resource) as NodeObjectKind, a.namespace, a.name);
    if (related) return { allowed: true, reason: `Node: ${a.resource} ${a.namespace}/${a.name} is used by a pod bound to node '${nodeName}'` };
    return { allowed: false, reason: `no relationship found between node '${nodeName}' and this object` };
  }
}
