/**
 * rbac/v1 SetDefaults_RoleBinding/_ClusterRoleBinding/_Subject: the roleRef's
 * apiGroup, and a subject's apiGroup by its kind (rbac for User and Group,
 * core for ServiceAccount).
 */
import { RBAC_GROUP } from './types';

type Obj = Record<string, any>;

export function defaultRoleBinding(rb: Obj): void {
  if (rb.roleRef && typeof rb.roleRef === 'object' && !rb.roleRef.apiGroup) rb.roleRef.apiGroup = RBAC_GROUP;
  if (!Array.isArray(rb.subjects)) return;
  for (const s of rb.subjects) {
    if (!s || typeof s !== 'object' || s.apiGroup) continue;
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
    else if (s.kind === 'ServiceAccount') s.apiGroup = '';
  }
}
