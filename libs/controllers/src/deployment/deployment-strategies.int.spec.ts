/**
 * Rollouts that do not simply succeed, on a simulated cluster with real
 * kubectl: the seed's kubia v3 (a readiness probe that never passes) stalls
 * at its progress deadline without taking old pods below replicas -
 * maxUnavailable; scaling in the middle of it is spread proportionally;
 * undo gets out of it. Also `kubectl rollout status` words while waiting,
 * Recreate (no old pod left when new ones start), revisionHistoryLimit, and
 * adoption of an orphaned ReplicaSet.
 */
import type { ReplicaSet } from '@logbook/api';
import { ControllerManager, kinds } from '@logbook/sdk';
import { ReplicaSetReconciler } from '../replicaset';
import { aNode, eventually, startSimulatedCluster, SimulatedCluster } from '../testing';
import { DeploymentReconciler } from './deployment.reconciler';
import { computePodTemplateHash } from './pod-template-hash';
import { imageOf, isReadyPod, Kubectl, RolloutObserver } from './testing/rollout-observer';

jest.setTimeout(180_000);

/**
 * The seed's kubia-deployment-v3-with-readinesscheck.yaml, with a shorter
 * minReadySeconds (3 instead of 10) and a progress deadline of 15 s
 * (instead of the default 10 minutes) so the test waits seconds, not minutes.
 */
const kubia = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: kubia
spec:
  replicas: 3
  minReadySeconds: 3
  progressDeadlineSeconds: 15
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      name: kubia
      labels:
        app: kubia
    spec:
      containers:
        - name: nodejs
          image: ${image}
          readinessProbe:
            periodSeconds: 1
            httpGet:
              port: 8080
              path: /
  selector:
    matchLabels:
      app: kubia
`;

describe('Deployment rollouts that stall, Recreate, history limits and adoption', () => {
  let cluster: SimulatedCluster;
  let manager: ControllerManager;
  let kubectl: Kubectl;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({ nodes: 2 });
    manager = new ControllerManager({ server: cluster.url });
    manager.add(new ReplicaSetReconciler(manager.informers));
    manager.add(new DeploymentReconciler());
    await manager.start();
    kubectl = new Kubectl(cluster.url);
  });
  afterAll(async () => {
    await manager?.stop();
    await cluster?.stop();
    kubectl?.dispose();
  });

  const replicaSets = async (namespace: string) => (await cluster.client.list(kinds.ReplicaSet, { namespace, labelSelector: 'app=kubia' })).items;
  const replicaSetOf = async (namespace: string, image: string): Promise<ReplicaSet> => {
    const found = (await replicaSets(namespace)).filter((rs) => imageOf(rs.spec?.template?.spec) === image);
    expect(found).toHaveLength(1);
    return found[0];
  };
  /** spec.replicas by image, in image order (so that equal sizes give equal JSON). */
  const sizes = async (namespace: string) =>
    Object.fromEntries(
      (await replicaSets(namespace)).map((rs) => [imageOf(rs.spec?.template?.spec), rs.spec?.replicas] as const).sort(([a], [b]) => a.localeCompare(b)),
    );
  const rolledOut = async (namespace: string) => {
    const out = await kubectl.ok(['rollout', 'status', 'deployment', 'kubia', '-n', namespace, '--timeout=90s'], { timeoutMs: 100_000 });
    expect(out.trimEnd().split('\n').pop()).toBe('deployment "kubia" successfully rolled out');
  };
  const statusLine = async (namespace: string) => kubectl.ok(['rollout', 'status', 'deployment', 'kubia', '-n', namespace, '--watch=false']);

  describe("the seed's kubia v3", () => {
    const ns = 'default';
    let observer: RolloutObserver;

    it('stalls at its progress deadline: Progressing=False ProgressDeadlineExceeded, `kubectl rollout status` fails, old pods stay', async () => {
      expect(await kubectl.ok(['apply', '-f', kubectl.manifest('kubia-v2.yaml', kubia('yinzige/kubia:v2'))])).toBe('deployment.apps/kubia created\n');
      await rolledOut(ns);

      observer = await RolloutObserver.start(cluster.client, ns, 'app=kubia');
      expect(await kubectl.ok(['apply', '-f', kubectl.manifest('kubia-v3.yaml', kubia('yinzige/kubia:v3'))])).toBe('deployment.apps/kubia configured\n');
      // Before the deadline: one new pod, not ready; kubectl says so.
      await eventually(async () => {
        const d = await cluster.client.get(kinds.Deployment, { namespace: ns, name: 'kubia' });
        return d.status?.observedGeneration === d.metadata?.generation && d.status?.updatedReplicas === 1 && d.status.replicas === 4;
      }, { what: 'the first v3 pod' });
      expect(await statusLine(ns)).toBe('Waiting for deployment "kubia" rollout to finish: 1 out of 3 new replicas have been updated...\n');

      const started = Date.now();
      const status = await kubectl.run(['rollout', 'status', 'deployment', 'kubia', '--timeout=90s'], { timeoutMs: 100_000 });
      expect(status.code).not.toBe(0);
      expect(status.stderr).toContain('error: deployment "kubia" exceeded its progress deadline');
      expect(Date.now() - started).toBeLessThan(60_000);

      const v3 = await replicaSetOf(ns, 'yinzige/kubia:v3');
      const d = await cluster.client.get(kinds.Deployment, { namespace: ns, name: 'kubia' });
      expect(d.status).toMatchObject({ replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 });
      expect(d.status!.conditions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }),
          expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${v3.metadata!.name}" has timed out progressing.` }),
        ]),
      );
      // Not before the deadline: 15 s from the last progress (the new pod appearing), which came after the ReplicaSet.
      const timedOutAt = Date.parse(d.status!.conditions!.find((c) => c.type === 'Progressing')!.lastTransitionTime!);
      expect(timedOutAt - Date.parse(v3.metadata!.creationTimestamp!)).toBeGreaterThanOrEqual(15_000);
      expect(await sizes(ns)).toEqual({ 'yinzige/kubia:v2': 3, 'yinzige/kubia:v3': 1 });
      const pods = await kubectl.ok(['get', 'pods', '-l', 'app=kubia']);
      expect(pods).toMatch(new RegExp(`^${v3.metadata!.name}-\\S+\\s+0/1\\s+Running`, 'm'));
      // Once timed out, even a single look says so.
      const once = await kubectl.run(['rollout', 'status', 'deployment', 'kubia', '--watch=false']);
      expect(once.code).not.toBe(0);
      expect(once.stderr).toContain('error: deployment "kubia" exceeded its progress deadline');

      const { minReady, minAvailable, maxPods } = observer.extremes;
      expect(minReady).toBeGreaterThanOrEqual(3); // maxUnavailable 0: replicas - 0
      expect(minAvailable).toBeGreaterThanOrEqual(3);
      expect(maxPods).toBeLessThanOrEqual(4); // maxSurge 1
    });

    it('spreads a scale-up in the middle of the stalled rollout over both ReplicaSets in proportion', async () => {
      expect(await kubectl.ok(['scale', 'deployment', 'kubia', '--replicas=6'])).toBe('deployment.apps/kubia scaled\n');
      // 6 + maxSurge 1 = 7 pods for 3 + 1: v2 gets round(3 * 7/4) = 5, v3 round(1 * 7/4) = 2.
      await eventually(async () => JSON.stringify(await sizes(ns)) === JSON.stringify({ 'yinzige/kubia:v2': 5, 'yinzige/kubia:v3': 2 }) || undefined, {
        what: 'v2 at 5 and v3 at 2',
      }).catch(async (err) => {
        throw new Error(`${err.message}: ${JSON.stringify(await sizes(ns))}`);
      });
      for (const rs of await replicaSets(ns)) {
        expect(rs.metadata!.annotations).toMatchObject({ 'deployment.kubernetes.io/desired-replicas': '6', 'deployment.kubernetes.io/max-replicas': '7' });
      }
    });

    it('`kubectl rollout undo` gets out of the stalled rollout: v2 everywhere, Progressing again', async () => {
      expect(await kubectl.ok(['rollout', 'undo', 'deployment', 'kubia'])).toBe('deployment.apps/kubia rolled back\n');
      await rolledOut(ns);
      observer.stop();
      expect(await sizes(ns)).toEqual({ 'yinzige/kubia:v2': 6, 'yinzige/kubia:v3': 0 });
      const pods = (await cluster.client.list(kinds.Pod, { namespace: ns, labelSelector: 'app=kubia' })).items.filter(isReadyPod);
      expect(pods.map((p) => imageOf(p.spec))).toEqual(Array(6).fill('yinzige/kubia:v2'));
      expect((await replicaSetOf(ns, 'yinzige/kubia:v2')).metadata!.annotations!['deployment.kubernetes.io/revision']).toBe('3');
      const d = await cluster.client.get(kinds.Deployment, { namespace: ns, name: 'kubia' });
      expect(d.status!.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
      // The stall never cost availability: the old pods served throughout.
      expect(observer.extremes.minAvailable).toBeGreaterThanOrEqual(3);
    });
  });

  it('`kubectl rollout status` words where a rollout waits, as Kubernetes does', async () => {
    const ns = 'small';
    await kubectl.ok(['create', 'namespace', ns]);
    // One node with room for one pod of this Deployment.
    await cluster.addNode(aNode('small-node').withLabels({ size: 'small' }).withCapacity({ cpu: '1' }));
    const manifest = kubia('yinzige/kubia:v1')
      .replace('progressDeadlineSeconds: 15', 'progressDeadlineSeconds: 600')
      .replace('      containers:', '      nodeSelector:\n        size: small\n      containers:')
      .replace('          readinessProbe:', '          resources:\n            requests:\n              cpu: 600m\n          readinessProbe:');
    await kubectl.ok(['apply', '-n', ns, '-f', kubectl.manifest('kubia-small.yaml', manifest)]);
    await eventually(async () => (await cluster.client.get(kinds.Deployment, { namespace: ns, name: 'kubia' })).status?.availableReplicas === 1, {
      what: 'one pod available',
    });
    expect(await statusLine(ns)).toBe('Waiting for deployment "kubia" rollout to finish: 1 of 3 updated replicas are available...\n');

    expect(await kubectl.ok(['scale', 'deployment', 'kubia', '-n', ns, '--replicas=1'])).toBe('deployment.apps/kubia scaled\n');
    await rolledOut(ns);

    // The next version cannot even be scheduled while the old pod holds the node.
    expect(await kubectl.ok(['set', 'image', 'deployment', 'kubia', '-n', ns, 'nodejs=yinzige/kubia:v2'])).toBe('deployment.apps/kubia image updated\n');
    await eventually(async () => (await cluster.client.get(kinds.Deployment, { namespace: ns, name: 'kubia' })).status?.replicas === 2, { what: 'two pods' });
    expect(await statusLine(ns)).toBe('Waiting for deployment "kubia" rollout to finish: 1 old replicas are pending termination...\n');
  });

  it('Recreate removes every old pod before the first new one starts; revisionHistoryLimit deletes the oldest ReplicaSets', async () => {
    const ns = 'recreate';
    await kubectl.ok(['create', 'namespace', ns]);
    const manifest = kubia('yinzige/kubia:v1')
      .replace(/ {2}strategy:\n(?: {4}.*\n)+/, '  strategy:\n    type: Recreate\n  revisionHistoryLimit: 1\n')
      .replace('minReadySeconds: 3', 'minReadySeconds: 0');
    await kubectl.ok(['apply', '-n', ns, '-f', kubectl.manifest('kubia-recreate.yaml', manifest)]);
    await rolledOut(ns);

    const observer = await RolloutObserver.start(cluster.client, ns, 'app=kubia');
    try {
      await kubectl.ok(['set', 'image', 'deployment', 'kubia', '-n', ns, 'nodejs=yinzige/kubia:v2']);
      await rolledOut(ns);
    } finally {
      observer.stop();
    }
    const both = observer.samples.filter((s) => (s.liveByImage['yinzige/kubia:v1'] ?? 0) > 0 && (s.liveByImage['yinzige/kubia:v2'] ?? 0) > 0);
    expect(both).toEqual([]);
    expect(observer.samples.some((s) => Object.keys(s.liveByImage).length === 0)).toBe(true); // a moment with no pod at all
    expect(await sizes(ns)).toEqual({ 'yinzige/kubia:v1': 0, 'yinzige/kubia:v2': 3 });

    await kubectl.ok(['set', 'image', 'deployment', 'kubia', '-n', ns, 'nodejs=yinzige/kubia:v4']);
    await rolledOut(ns);
    // Two old ReplicaSets, a limit of one: the oldest (v1) goes.
    await eventually(async () => JSON.stringify(await sizes(ns)) === JSON.stringify({ 'yinzige/kubia:v2': 0, 'yinzige/kubia:v4': 3 }) || undefined, {
      what: 'only v2 (0) and v4 (3) left',
    });
    const history = (await kubectl.ok(['rollout', 'history', 'deployment', 'kubia', '-n', ns])).trimEnd().split('\n');
    expect(history.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['2', '3']);
  });

  it('adopts an orphaned ReplicaSet with its template instead of creating another', async () => {
    const ns = 'adopt';
    await kubectl.ok(['create', 'namespace', ns]);
    const template = {
      metadata: { labels: { app: 'kubia', 'pod-template-hash': 'orphan' } },
      spec: { containers: [{ name: 'nodejs', image: 'yinzige/kubia:v1' }] },
    };
    const orphan = await cluster.client.create(kinds.ReplicaSet, {
      metadata: { name: 'kubia-orphan', namespace: ns, labels: { app: 'kubia', 'pod-template-hash': 'orphan' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'kubia', 'pod-template-hash': 'orphan' } }, template },
    });
    await cluster.client.create(kinds.Deployment, {
      metadata: { name: 'kubia', namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'kubia' } },
        template: { metadata: { labels: { app: 'kubia' } }, spec: { containers: [{ name: 'nodejs', image: 'yinzige/kubia:v1' }] } },
      },
    });
    await rolledOut(ns);
    const [rs, ...others] = await replicaSets(ns);
    expect(others).toEqual([]);
    expect(rs.metadata!.uid).toBe(orphan.metadata!.uid);
    expect(rs.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'kubia', controller: true })]);
    expect(rs.spec!.replicas).toBe(2);
    expect(rs.metadata!.annotations!['deployment.kubernetes.io/revision']).toBe('1');

    // An orphan that appears later, with another template, is adopted as an old ReplicaSet and scaled away.
    const late = await cluster.client.create(kinds.ReplicaSet, {
      metadata: { name: 'kubia-late', namespace: ns, labels: { app: 'kubia', 'pod-template-hash': 'late' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'kubia', 'pod-template-hash': 'late' } },
        template: { metadata: { labels: { app: 'kubia', 'pod-template-hash': 'late' } }, spec: { containers: [{ name: 'nodejs', image: 'yinzige/kubia:v0' }] } },
      },
    });
    await eventually(
      async () => {
        const now = await cluster.client.get(kinds.ReplicaSet, { namespace: ns, name: 'kubia-late' });
        return now.metadata?.uid === late.metadata?.uid && now.metadata?.ownerReferences?.[0]?.name === 'kubia' && now.spec?.replicas === 0;
      },
      { what: 'the late orphan adopted and scaled to 0' },
    );
    expect(await sizes(ns)).toEqual({ 'yinzige/kubia:v0': 0, 'yinzige/kubia:v1': 2 });
  });

  it('names the new ReplicaSet with collisionCount in the hash when its name is taken by a ReplicaSet of another template', async () => {
    const ns = 'collision';
    await kubectl.ok(['create', 'namespace', ns]);
    // Paused: the controller creates no ReplicaSet yet, so the name can be taken first.
    const d = await cluster.client.create(kinds.Deployment, {
      metadata: { name: 'kubia', namespace: ns },
      spec: {
        replicas: 1,
        paused: true,
        selector: { matchLabels: { app: 'kubia' } },
        template: { metadata: { labels: { app: 'kubia' } }, spec: { containers: [{ name: 'nodejs', image: 'yinzige/kubia:v1' }] } },
      },
    });
    const taken = `kubia-${computePodTemplateHash(d.spec!.template)}`;
    await cluster.client.create(kinds.ReplicaSet, {
      metadata: { name: taken, namespace: ns, labels: { app: 'squatter' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'squatter' } },
        template: { metadata: { labels: { app: 'squatter' } }, spec: { containers: [{ name: 'other', image: 'busybox' }] } },
      },
    });
    await kubectl.ok(['rollout', 'resume', 'deployment', 'kubia', '-n', ns]);
    await rolledOut(ns);
    const after = await cluster.client.get(kinds.Deployment, { namespace: ns, name: 'kubia' });
    expect(after.status!.collisionCount).toBe(1);
    const [rs] = await replicaSets(ns);
    expect(rs.metadata!.name).toBe(`kubia-${computePodTemplateHash(d.spec!.template, 1)}`);
    expect(rs.metadata!.name).not.toBe(taken);
    // The squatter is left alone.
    expect((await cluster.client.get(kinds.ReplicaSet, { namespace: ns, name: taken })).metadata!.ownerReferences).toBeUndefined();
  });

  it('honours the deprecated rollbackTo annotation (revision 0: the previous one) and clears it', async () => {
    const ns = 'rollback-to';
    await kubectl.ok(['create', 'namespace', ns]);
    await cluster.client.create(kinds.Deployment, {
      metadata: { name: 'kubia', namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'kubia' } },
        template: { metadata: { labels: { app: 'kubia' } }, spec: { containers: [{ name: 'nodejs', image: 'yinzige/kubia:v1' }] } },
      },
    });
    await rolledOut(ns);
    await kubectl.ok(['set', 'image', 'deployment', 'kubia', '-n', ns, 'nodejs=yinzige/kubia:v2']);
    await rolledOut(ns);
    await kubectl.ok(['annotate', 'deployment', 'kubia', '-n', ns, 'deprecated.deployment.rollback.to=0']);
    const back = await eventually(
      async () => {
        const d = await cluster.client.get(kinds.Deployment, { namespace: ns, name: 'kubia' });
        return imageOf(d.spec?.template?.spec) === 'yinzige/kubia:v1' ? d : undefined;
      },
      { what: 'the v1 template back' },
    );
    expect(back.metadata!.annotations!['deprecated.deployment.rollback.to']).toBeUndefined();
    await rolledOut(ns);
    expect(await sizes(ns)).toEqual({ 'yinzige/kubia:v1': 2, 'yinzige/kubia:v2': 0 });
    expect((await replicaSetOf(ns, 'yinzige/kubia:v1')).metadata!.annotations!['deployment.kubernetes.io/revision']).toBe('3');
    const events = (await cluster.client.list(kinds.Event, { namespace: ns, fieldSelector: 'involvedObject.kind=Deployment' })).items;
    expect(events.map((e) => e.message)).toContain('Rolled back deployment "kubia" to revision 1');
  });
});
