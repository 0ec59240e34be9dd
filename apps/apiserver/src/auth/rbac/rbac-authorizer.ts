import type { PolicyRule } from '@logbook/api';
import type { UserInfo } from '../../storage/context';
import type { Attributes } from '../authorizer/attributes';
import { Authorizer, Decision, SYSTEM_MASTERS } from '../authorizer/authorizer';
import { PolicyCache } from './policy-cache';
import { ruleAllows } from './rules';

/**
 * kube's authorizer chain for this server: members of system:masters may do
 * anything (the privileged-groups authorizer), everyone else gets what their
 * RBAC bindings grant and nothing more. RBAC never denies outright; a request
 * no rule allows is "no opinion", which the server turns into a 403.
 */
export class RbacAuthorizer implements Authorizer {
  constructor(readonly policy: PolicyCache) {}

  authorize(a: Attributes): Decision {
    if (a.user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: '' };
    const { rules, sources, errors } = this.policy.rulesFor(a.user, a.isResourceRequest ? a.namespace : '');
    for (let i = 0; i < rules.length; i++) if (ruleAllows(a, rules[i])) return { allowed: true, reason: `RBAC: allowed by ${sources[i]}` };
    return { allowed: false, reason: errors.length ? `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}` : '' };
  }

  /** The rules the user holds in `namespace` (`''`: cluster-wide only), for rules reviews and escalation checks. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    if (user.groups.includes(SYSTEM_MASTERS)) {
      return { rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }], errors: [] };
    }
    return this.policy.rulesFor(user, namespace);
  }
}
