import type { ControllerRevision, DaemonSet, Pod } from '@logbook/api';
import { matchesRevision, newRevision, revisionData, revisionsToDelete, templateHash } from './daemonset-history';
import { CONTROLLER_REVISION_HASH_LABEL } from './daemonset-plan';
import { podTemplate } from './daemonset-sync';

const ds = (image: string, extra: Partial<NonNullable<DaemonSet['spec']>> = {}, collisionCount?: number): DaemonSet => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid', annotations: { team: 'infra' } },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'main', image }] } },
    ...extra,
  },
  status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, collisionCount },
});

const revision = (n: number, hash: string): ControllerRevision => ({ metadata: { name: `agent-${hash}`, labels: { [CONTROLLER_REVISION_HASH_LABEL]: hash } }, revision: n });
const podOf = (hash: string): Pod => ({ metadata: { labels: { [CONTROLLER_REVISION_HASH_LABEL]: hash } } });

describe('DaemonSet revisions', () => {
  it('snapshot the template as a replacing patch, named and labelled by its hash, owned by the DaemonSet', () => {
    const r = newRevision(ds('agent:v1'), 3);
    const hash = templateHash(ds('agent:v1'));
    expect(r.metadata).toEqual({
      name: `agent-${hash}`,
      namespace: 'default',
      labels: { app: 'agent', [CONTROLLER_REVISION_HASH_LABEL]: hash },
      annotations: { team: 'infra' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(r.data).toEqual({ spec: { template: { $patch: 'replace', metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'main', image: 'agent:v1' }] } } } });
    expect(r.revision).toBe(3);
  });

  it('hash changes with the template and the collision count, not with other fields', () => {
    expect(templateHash(ds('agent:v1'))).toBe(templateHash(ds('agent:v1', { minReadySeconds: 30 })));
    expect(templateHash(ds('agent:v1'))).not.toBe(templateHash(ds('agent:v2')));
    expect(templateHash(ds('agent:v1'))).not.toBe(templateHash(ds('agent:v1', {}, 1)));
  });

  it('a revision matches the DaemonSet whose template it recorded', () => {
    const r = { ...revision(1, 'x'), data: revisionData(ds('agent:v1')) };
    expect(matchesRevision(ds('agent:v1'), r)).toBe(true);
    expect(matchesRevision(ds('agent:v2'), r)).toBe(false);
  });

  it('keeps revisionHistoryLimit old revisions, deleting the oldest that no pod runs', () => {
    const old = [revision(3, 'c'), revision(1, 'a'), revision(2, 'b'), revision(4, 'd')];
    const set = ds('agent:v5', { revisionHistoryLimit: 2 });
    expect(revisionsToDelete(set, old, []).map((r) => r.revision)).toEqual([1, 2]);
    expect(revisionsToDelete(set, old, [podOf('a')]).map((r) => r.revision)).toEqual([2, 3]);
    expect(revisionsToDelete(ds('agent:v5'), old, [])).toEqual([]); // default limit 10
  });

  it('pods are made with the daemon tolerations and the revision hash label', () => {
    const t = podTemplate(ds('agent:v1'), 'h1');
    expect(t.metadata!.labels).toEqual({ app: 'agent', [CONTROLLER_REVISION_HASH_LABEL]: 'h1' });
    expect(t.spec!.tolerations!.map((x) => `${x.key}:${x.effect}`)).toEqual([
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
  });
});
