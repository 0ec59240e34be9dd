import { ago, headers, ref, row, table } from '../test-helpers';

const meta = (name: string) => ({ name, creationTimestamp: ago('2m') });

describe('leases', () => {
  const LEASE = ref('coordination.k8s.io', 'leases', 'Lease');
  it('NAME, HOLDER, AGE', () => {
    expect(headers(table(LEASE, [])).wide).toEqual(['NAME', 'HOLDER', 'AGE']);
    const lease = { metadata: meta('kube-scheduler'), spec: { holderIdentity: 'cp-1_6f1c', leaseDurationSeconds: 15 } };
    expect(row(LEASE, lease)).toEqual({ NAME: 'kube-scheduler', HOLDER: 'cp-1_6f1c', AGE: '2m' });
    expect(row(LEASE, { metadata: meta('free'), spec: {} }).HOLDER).toBe('');
  });
});

describe('role bindings', () => {
  it('ROLE and wide subjects', () => {
    const RB = ref('rbac.authorization.k8s.io', 'rolebindings', 'RoleBinding');
    expect(headers(table(RB, []))).toEqual({ normal: ['NAME', 'ROLE', 'AGE'], wide: ['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS'] });
    const rb = {
      metadata: meta('edit'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'User', name: 'bob' },
        { kind: 'Group', name: 'devs' },
        { kind: 'ServiceAccount', namespace: 'ci', name: 'deployer' },
      ],
    };
    expect(row(RB, rb)).toEqual({ NAME: 'edit', ROLE: 'ClusterRole/edit', AGE: '2m', USERS: 'alice, bob', GROUPS: 'devs', SERVICEACCOUNTS: 'ci/deployer' });
    const CRB = ref('rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding');
    expect(row(CRB, { metadata: meta('admin'), roleRef: { kind: 'ClusterRole', name: 'cluster-admin' } })).toMatchObject({ ROLE: 'ClusterRole/cluster-admin', USERS: '' });
  });
});

describe('poddisruptionbudgets, priorityclasses, runtimeclasses, webhooks', () => {
  it('pdb', () => {
    const PDB = ref('policy', 'poddisruptionbudgets', 'PodDisruptionBudget');
    const pdb = { metadata: meta('web'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } };
    expect(row(PDB, pdb)).toEqual({ NAME: 'web', 'MIN AVAILABLE': '50%', 'MAX UNAVAILABLE': 'N/A', 'ALLOWED DISRUPTIONS': 1, AGE: '2m' });
    expect(row(PDB, { metadata: meta('db'), spec: { maxUnavailable: 1 } })).toMatchObject({ 'MIN AVAILABLE': 'N/A', 'MAX UNAVAILABLE': '1', 'ALLOWED DISRUPTIONS': 0 });
  });

  it('priorityclass', () => {
    const PC = ref('scheduling.k8s.io', 'priorityclasses', 'PriorityClass');
    const pc = { metadata: meta('system-node-critical'), value: 2000001000 };
    expect(row(PC, pc)).toEqual({ NAME: 'system-node-critical', VALUE: 2000001000, 'GLOBAL-DEFAULT': false, AGE: '2m', PREEMPTIONPOLICY: 'PreemptLowerPriority' });
  });

  it('runtimeclass and webhook configurations', () => {
    expect(row(ref('node.k8s.io', 'runtimeclasses', 'RuntimeClass'), { metadata: meta('gvisor'), handler: 'runsc' })).toEqual({ NAME: 'gvisor', HANDLER: 'runsc', AGE: '2m' });
    const W = ref('admissionregistration.k8s.io', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration');
    expect(row(W, { metadata: meta('policy'), webhooks: [{ name: 'a' }, { name: 'b' }] })).toEqual({ NAME: 'policy', WEBHOOKS: 2, AGE: '2m' });
  });
});
