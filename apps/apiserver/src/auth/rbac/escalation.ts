import type { PolicyRule } from '@logbook/api';
import { forbidden, notFound } from '@logbook/machinery';
import type { AdmissionAttributes, AdmissionPlugin } from '../../admission/admission';
import type { UserInfo } from '../../storage/context';
import type { Attributes } from '../authorizer/attributes';
import { SYSTEM_MASTERS } from '../authorizer/authorizer';
import type { RbacAuthorizer } from './rbac-authorizer';
import { covers, describeRule } from './rules';

const RBAC = 'rbac.authorization.k8s.io';
const FULL_AUTHORITY: PolicyRule[] = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

/**
 * RBAC's escalation prevention (kube's policybased role and binding
 * storage), run as a validating step on writes of the four RBAC kinds:
 *
 * - a Role or ClusterRole may only hold rules its writer holds, unless the
 *   writer may `escalate` roles/clusterroles; an aggregationRule can gather
 *   anything, so it needs full authority;
 * - a RoleBinding or ClusterRoleBinding may only grant a role whose rules
 *   its writer holds (in the binding's namespace), unless the writer may
 *   `bind` that role;
 * - system:masters may do both.
 *
 * An update that changes none of what grants access (only labels,
 * annotations, owner references...) is not checked.
 */
export class RbacEscalationCheck implements AdmissionPlugin {
  readonly name = 'RBACEscalation';

  constructor(private readonly authz: RbacAuthorizer) {}

  validate(a: AdmissionAttributes): void {
    if (a.def.group !== RBAC || (a.operation !== 'CREATE' && a.operation !== 'UPDATE') || !a.object) return;
    if (a.user.groups.includes(SYSTEM_MASTERS)) return;
    if (a.oldObject && !grantsChanged(a.object, a.oldObject)) return;
    const o = a.object;
    const name = o.metadata?.name ?? a.name;
    const gr = { group: RBAC, resource: a.def.resource };
    switch (a.def.resource) {
      case 'roles':
      case 'clusterroles': {
        if (this.allowed(a.user, 'escalate', a.def.resource, a.namespace, name)) return;
        this.confirmNoEscalation(a.user, a.namespace, (o.rules ?? []) as PolicyRule[], gr, name);
        if (o.aggregationRule && !covers(this.authz.rulesFor(a.user, '').rules, FULL_AUTHORITY).covered) {
          throw forbidden(gr, name, 'must have cluster-admin privileges to use the aggregationRule');
        }
        return;
      }
      case 'rolebindings':
      case 'clusterrolebindings': {
        const ref = o.roleRef ?? {};
        const roleResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
        if (this.allowed(a.user, 'bind', roleResource, a.namespace, ref.name ?? '')) return;
        const rules = this.authz.policy.roleRules(ref.kind, ref.name, a.namespace);
        if (!rules) throw notFound({ group: RBAC, resource: roleResource }, ref.name ?? '');
        this.confirmNoEscalation(a.user, a.namespace, rules, gr, name);
        return;
      }
    }
  }

  private allowed(user: UserInfo, verb: string, resource: string, namespace: string, name: string): boolean {
    const attrs: Attributes = { user, verb, isResourceRequest: true, path: '', apiGroup: RBAC, apiVersion: 'v1', resource, subresource: '', namespace, name };
    return this.authz.authorize(attrs).allowed;
  }

  /** ConfirmNoEscalation: the writer's own rules in the namespace must cover `rules`. */
  private confirmNoEscalation(user: UserInfo, namespace: string, rules: PolicyRule[], gr: { group: string; resource: string }, name: string): void {
    const held = this.authz.rulesFor(user, namespace);
    const { covered, uncovered } = covers(held.rules, rules);
    if (covered) return;
    let msg = `user ${JSON.stringify(user.username)} (groups=[${user.groups.map((g) => JSON.stringify(g)).join(' ')}]) is attempting to grant RBAC permissions not currently held:\n${compact(uncovered).map(describeRule).join('\n')}`;
    if (held.errors.length) msg += `; resolution errors: [${held.errors.join(' ')}]`;
    throw forbidden(gr, name, msg);
  }
}

/** Whether an update touches what grants access: rules, aggregation, roleRef, subjects. */
function grantsChanged(next: Obj, old: Obj): boolean {
  const grants = (o: Obj) => JSON.stringify([o.rules ?? [], o.aggregationRule ?? null, o.roleRef ?? null, o.subjects ?? []]);
  return grants(next) !== grants(old);
}

/** Merges broken-down rules that differ only in verb, as kube's CompactRules does. */
function compact(rules: PolicyRule[]): PolicyRule[] {
  const byTarget = new Map<string, PolicyRule>();
  for (const r of rules) {
    const key = JSON.stringify([r.apiGroups, r.resources, r.resourceNames, r.nonResourceURLs]);
    const seen = byTarget.get(key);
    if (seen) seen.verbs = [...seen.verbs, ...r.verbs.filter((v) => !seen.verbs.includes(v))];
    else byTarget.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...byTarget.values()];
}
