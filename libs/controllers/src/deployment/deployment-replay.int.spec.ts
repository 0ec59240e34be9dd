/**
 * Dry-run replay (@logbook/sdk) of the Deployment controller on a simulated
 * cluster: at the moment a user changed the image it would create the new
 * ReplicaSet — the one the controller then really created — and nothing is
 * sent; at the stall (the seed's kubia v3, never ready) it writes nothing
 * and the Deployment it read says why: one updated replica, unavailable.
 * Stepping through the window replays at every change.
 */
import type { Deployment, ReplicaSet } from '@logbook/api';
import { ControllerManager, kinds, replayReconcile, replaySteps, timelineResourceVersions } from '@logbook/sdk';
import { ReplicaSetReconciler } from '../replicaset';
import { aDeployment, eventually, startSimulatedCluster, SimulatedCluster } from '../testing';
import { DeploymentReconciler } from './deployment.reconciler';

jest.setTimeout(180_000);

const key = { namespace: 'default', name: 'kubia' };
const imageOf = (rs: ReplicaSet | undefined) => rs?.spec?.template?.spec?.containers?.[0]?.image;

describe('replay of the Deployment controller', () => {
  let cluster: SimulatedCluster;
  let manager: ControllerManager | undefined;

  const startControllers = async () => {
    manager = new ControllerManager({ server: cluster.url });
    manager.add(new ReplicaSetReconciler(manager.informers));
    manager.add(new DeploymentReconciler());
    await manager.start();
  };
  const replicaSets = async () => (await cluster.client.list(kinds.ReplicaSet, { namespace: 'default' })).items;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ nodes: 1 });
    await startControllers();
  });
  afterAll(async () => {
    await manager?.stop();
    await cluster?.stop();
  });

  let patchedAt: string;
  let stallAt: string;

  it('at the image change, would create the new ReplicaSet the controller then created — and sends nothing', async () => {
    const d: Deployment = aDeployment('kubia').withReplicas(3).withImage('yinzige/kubia:v2').withReadinessProbe().rollingUpdate({ maxSurge: 1, maxUnavailable: 0 }).build();
    await cluster.client.create(kinds.Deployment, d);
    await eventually(async () => (await cluster.client.get(kinds.Deployment, key)).status?.availableReplicas === 3, { what: 'v2 rolled out', timeoutMs: 60_000 });

    // The controllers stop: the replay is the only one to look at the change.
    await manager!.stop();
    manager = undefined;
    const patched = await cluster.client.patch(kinds.Deployment, key, { spec: { template: { spec: { containers: [{ name: 'kubia', image: 'yinzige/kubia:v3' }] } } } }, { type: 'strategic' });
    patchedAt = patched.metadata!.resourceVersion!;
    const before = await replicaSets();

    const report = await replayReconcile({ source: cluster.client, resourceVersion: patchedAt, reconciler: new DeploymentReconciler(), request: key });
    expect(report).toMatchObject({ controller: 'deployment', resourceVersion: patchedAt, outcome: expect.stringMatching(/^(done|requeueAfter)$/) });
    expect(report.object?.metadata?.resourceVersion).toBe(patchedAt);
    const created = report.writes.filter((w) => w.verb === 'create' && w.kind === 'ReplicaSet');
    expect(created).toHaveLength(1);
    expect(imageOf(created[0].after as ReplicaSet)).toBe('yinzige/kubia:v3');
    expect(created[0].diff.summary).toEqual(['created']);
    expect(created[0].fieldManager).toBe('deployment');
    expect(report.reads).toEqual(expect.arrayContaining([expect.objectContaining({ verb: 'get', kind: 'Deployment', name: 'kubia', count: 1 })]));
    // The Deployment's own status write is there too, as a diff.
    const status = report.writes.find((w) => w.kind === 'Deployment' && w.subresource === 'status');
    expect(status?.changed).toBe(true);
    expect(status?.diff.summary.some((l) => l.startsWith('status.'))).toBe(true);
    expect(report.events).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'ScalingReplicaSet', object: 'Deployment default/kubia' })]));

    // Nothing reached the server.
    expect((await replicaSets()).map((rs) => rs.metadata?.uid).sort()).toEqual(before.map((rs) => rs.metadata?.uid).sort());
    expect((await cluster.client.get(kinds.Deployment, key)).status).toEqual(patched.status);

    // The controller, started again, does what the replay said it would.
    await startControllers();
    await eventually(async () => (await replicaSets()).some((rs) => imageOf(rs) === 'yinzige/kubia:v3'), { what: 'the v3 ReplicaSet' });
    const real = (await replicaSets()).find((rs) => imageOf(rs) === 'yinzige/kubia:v3')!;
    const wouldBe = created[0].after as ReplicaSet;
    expect(wouldBe.metadata?.name).toBe(real.metadata?.name);
    expect(wouldBe.spec).toEqual(real.spec);
    expect(wouldBe.metadata?.ownerReferences).toEqual(real.metadata?.ownerReferences);
  });

  it('at the stall, writes nothing: the Deployment it read has one updated replica, unavailable', async () => {
    await eventually(
      async () => {
        const d = await cluster.client.get(kinds.Deployment, key);
        const v3 = (await replicaSets()).find((rs) => imageOf(rs) === 'yinzige/kubia:v3');
        const pods = (await cluster.client.list(kinds.Pod, { namespace: 'default', labelSelector: `pod-template-hash=${v3?.metadata?.labels?.['pod-template-hash']}` })).items;
        return (
          d.status?.observedGeneration === d.metadata?.generation &&
          d.status?.updatedReplicas === 1 &&
          d.status?.unavailableReplicas === 1 &&
          pods.length === 1 &&
          pods[0].status?.phase === 'Running'
        );
      },
      { what: 'the stalled v3 rollout', timeoutMs: 60_000 },
    );
    stallAt = (await cluster.client.list(kinds.Namespace, { limit: 1 })).resourceVersion;

    const report = await replayReconcile({ source: cluster.client, resourceVersion: stallAt, reconciler: new DeploymentReconciler(), request: key });
    expect(report.error).toBeUndefined();
    expect(report.writes.filter((w) => w.changed)).toEqual([]);
    expect(report.events).toEqual([]);
    const seen = report.object as Deployment;
    expect(seen.status).toMatchObject({ replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 });
    expect(seen.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' })]));
    expect(report.reads).toEqual(expect.arrayContaining([expect.objectContaining({ verb: 'list', kind: 'ReplicaSet', namespace: 'default', count: 2 })]));
  });

  it('steps through the window: one replay per change, each against the state of its moment', async () => {
    const rvs = await timelineResourceVersions(cluster.client, { kind: kinds.Deployment, ...key }, { fromResourceVersion: patchedAt, toResourceVersion: stallAt });
    expect(rvs[0]).toBe(patchedAt);
    expect(rvs.length).toBeGreaterThan(3);
    const seen: number[] = [];
    const reports = await replaySteps({ source: cluster.client, resourceVersions: rvs, reconciler: new DeploymentReconciler(), request: key, onStep: (_, i) => seen.push(i) });
    expect(seen).toEqual(rvs.map((_, i) => i));
    expect(reports.map((r) => r.resourceVersion)).toEqual(rvs);
    // Only the first step creates the ReplicaSet; later ones find it.
    expect(reports[0].writes.some((w) => w.verb === 'create' && w.kind === 'ReplicaSet')).toBe(true);
    expect(reports.slice(1).some((r) => r.writes.some((w) => w.verb === 'create' && w.kind === 'ReplicaSet'))).toBe(false);
    expect(reports[reports.length - 1].writes.filter((w) => w.changed)).toEqual([]);
  });
});
