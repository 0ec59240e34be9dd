import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '@logbook/api';
import type { UserInfo } from '../../storage/context';

type Binding = RoleBinding | ClusterRoleBinding;

/** `system:serviceaccount:<namespace>:<name>`, a ServiceAccount's user name. */
export const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/** The index keys a subject is found under. A RoleBinding's ServiceAccount subject without a namespace is in the binding's. */
function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User':
      return `u:${s.name}`;
    case 'Group':
      return `g:${s.name}`;
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns ? `u:${SERVICE_ACCOUNT_PREFIX}${ns}:${s.name}` : undefined;
    }
  }
  return undefined;
}

/** The keys a user matches: its name and each of its groups. */
function userKeys(user: UserInfo): string[] {
  return [`u:${user.username}`, ...user.groups.map((g) => `g:${g}`)];
}

/** Where a rule came from, for SelfSubjectRulesReview and error reasons. */
export interface ResolvedRules {
  rules: PolicyRule[];
  /** For each rule, the binding that grants it, as kube describes it: `ClusterRoleBinding "x" of ClusterRole "view" to User "jane"`. */
  sources: string[];
  /** Bindings whose role does not exist (kube reports them as RBAC errors). */
  errors: string[];
}

/**
 * The RBAC objects of the cluster, held in memory and indexed by subject so
 * that authorizing a request touches only the bindings naming its user or
 * one of its groups. Kept current from the watch on the four RBAC kinds;
 * the rules resolved for a user in a namespace are memoized until the next
 * change.
 */
export class PolicyCache {
  private readonly clusterRoles = new Map<string, ClusterRole>();
  private readonly roles = new Map<string, Role>();
  private readonly bindings = new Map<string, Binding>();
  /** subject key → binding keys, for ClusterRoleBindings ('' namespace) and RoleBindings (their namespace). */
  private readonly bySubject = new Map<string, Map<string, Set<string>>>();
  private readonly memo = new Map<string, ResolvedRules>();

  /** Applies an added, modified or deleted object of one of the four kinds. */
  apply(kind: string, obj: Role | ClusterRole | Binding, deleted: boolean): void {
    const ns = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    this.memo.clear();
    switch (kind) {
      case 'ClusterRole':
        if (deleted) this.clusterRoles.delete(name);
        else this.clusterRoles.set(name, obj as ClusterRole);
        return;
      case 'Role':
        if (deleted) this.roles.delete(`${ns}/${name}`);
        else this.roles.set(`${ns}/${name}`, obj as Role);
        return;
      case 'RoleBinding':
      case 'ClusterRoleBinding': {
        const key = `${kind}/${ns}/${name}`;
        this.unindex(key);
        if (!deleted) this.index(key, ns, obj as Binding);
        return;
      }
    }
  }

  private index(key: string, ns: string, b: Binding): void {
    this.bindings.set(key, b);
    for (const s of b.subjects ?? []) {
      const sk = subjectKey(s, ns);
      if (!sk) continue;
      let byNs = this.bySubject.get(sk);
      if (!byNs) this.bySubject.set(sk, (byNs = new Map()));
      let set = byNs.get(ns);
      if (!set) byNs.set(ns, (set = new Set()));
      set.add(key);
    }
  }

  private unindex(key: string): void {
    const old = this.bindings.get(key);
    if (!old) return;
    this.bindings.delete(key);
    const ns = old.metadata?.namespace ?? '';
    for (const s of old.subjects ?? []) {
      const sk = subjectKey(s, ns);
      const set = sk ? this.bySubject.get(sk)?.get(ns) : undefined;
      set?.delete(key);
    }
  }

  clusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.get(name);
  }

  /**
   * Every rule that applies to the user in `namespace` (cluster-wide rules
   * from ClusterRoleBindings, plus the namespace's RoleBindings); `''` is
   * the cluster scope.
   */
  rulesFor(user: UserInfo, namespace: string): ResolvedRules {
    const memoKey = `${user.username}\u0000${user.groups.join('\u0001')}\u0000${namespace}`;
    const hit = this.memo.get(memoKey);
    if (hit) return hit;
    const out: ResolvedRules = { rules: [], sources: [], errors: [] };
    const keys = new Set(userKeys(user));
    const seen = new Set<string>();
    for (const key of keys) {
      const byNs = this.bySubject.get(key);
      if (!byNs) continue;
      for (const scope of namespace ? ['', namespace] : ['']) {
        for (const bk of byNs.get(scope) ?? []) {
          if (seen.has(bk)) continue;
          seen.add(bk);
          this.collect(this.bindings.get(bk)!, keys, out);
        }
      }
    }
    if (this.memo.size > 10_000) this.memo.clear();
    this.memo.set(memoKey, out);
    return out;
  }

  private collect(b: Binding, keys: Set<string>, out: ResolvedRules): void {
    const ns = b.metadata?.namespace ?? '';
    const ref = b.roleRef;
    const role = ref?.kind === 'Role' ? this.roles.get(`${ns}/${ref.name}`) : this.clusterRoles.get(ref?.name ?? '');
    if (!role) {
      const what = ref?.kind === 'Role' ? 'role' : 'clusterrole';
      out.errors.push(`${what}.rbac.authorization.k8s.io ${JSON.stringify(ref?.name ?? '')} not found`);
      return;
    }
    const subject = (b.subjects ?? []).find((s) => keys.has(subjectKey(s, ns) ?? ''));
    const who = !subject ? '' : subject.kind === 'ServiceAccount' ? `ServiceAccount ${JSON.stringify(`${subject.name}/${subject.namespace || ns}`)}` : `${subject.kind} ${JSON.stringify(subject.name)}`;
    const source = ns
      ? `RoleBinding ${JSON.stringify(`${b.metadata?.name}/${ns}`)} of ${ref.kind} ${JSON.stringify(ref.name)} to ${who}`
      : `ClusterRoleBinding ${JSON.stringify(b.metadata?.name)} of ${ref.kind} ${JSON.stringify(ref.name)} to ${who}`;
    for (const rule of role.rules ?? []) {
      out.rules.push(rule);
      out.sources.push(source);
    }
  }

  /** The rules a binding's roleRef grants, in the binding's namespace. */
  roleRules(kind: string, name: string, namespace: string): PolicyRule[] | undefined {
    const role = kind === 'Role' ? this.roles.get(`${namespace}/${name}`) : this.clusterRoles.get(name);
    return role ? (role.rules ?? []) : undefined;
  }
}
