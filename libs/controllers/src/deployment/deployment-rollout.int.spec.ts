/**
 * The seed's chapter 9 on a simulated cluster — the ReplicaSet and
 * Deployment controllers, the scheduler and simulated nodes — driven with
 * real kubectl: a rolling update from v1 to v2 sampled at every change,
 * rollout history with change-causes, undo (to the previous revision and
 * `--to-revision`), pause/resume and scaling while paused.
 */
import type { Deployment, ReplicaSet } from '@logbook/api';
import { ControllerManager, kinds } from '@logbook/sdk';
import { ReplicaSetReconciler } from '../replicaset';
import { eventually, startSimulatedCluster, SimulatedCluster } from '../testing';
import { DeploymentReconciler } from './deployment.reconciler';
import { imageOf, isReadyPod, Kubectl, RolloutObserver } from './testing/rollout-observer';

jest.setTimeout(180_000);

/** The seed's kubia-deployment-v1.yaml. */
const KUBIA_V1 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: kubia
spec:
  replicas: 3
  template:
    metadata:
      name: kubia
      labels:
        app: kubia
    spec:
      containers:
        - name: nodejs
          image: yinzige/kubia:v1
  selector:
    matchLabels:
      app: kubia
`;

const HASH = /^[bcdfghjklmnpqrstvwxz2456789]+$/;
const key = { namespace: 'default', name: 'kubia' };
const WAITING_LINE =
  /^(Waiting for deployment "kubia" rollout to finish: (\d+ out of \d+ new replicas have been updated|\d+ old replicas are pending termination|\d+ of \d+ updated replicas are available)\.\.\.|Waiting for deployment spec update to be observed\.\.\.|deployment "kubia" successfully rolled out)$/;

describe('Deployment rollouts with kubectl (seed chapter 9)', () => {
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

  const deployment = () => cluster.client.get(kinds.Deployment, key);
  const replicaSets = async () =>
    (await cluster.client.list(kinds.ReplicaSet, { namespace: 'default', labelSelector: 'app=kubia' })).items.sort((a, b) =>
      (a.metadata!.annotations!['deployment.kubernetes.io/revision'] ?? '').localeCompare(b.metadata!.annotations!['deployment.kubernetes.io/revision'] ?? ''),
    );
  const replicaSetOf = async (image: string): Promise<ReplicaSet> => {
    const found = (await replicaSets()).filter((rs) => imageOf(rs.spec?.template?.spec) === image);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const revision = (o: { metadata?: { annotations?: Record<string, string> } }) => o.metadata?.annotations?.['deployment.kubernetes.io/revision'];
  const readyPodImages = async () =>
    (await cluster.client.list(kinds.Pod, { namespace: 'default', labelSelector: 'app=kubia' })).items
      .filter(isReadyPod)
      .map((p) => imageOf(p.spec))
      .sort();

  /** `kubectl rollout status` until done: every line it printed is one of kubectl's, the last one the success. */
  async function rolloutStatus(): Promise<string[]> {
    const out = await kubectl.ok(['rollout', 'status', 'deployment', 'kubia', '--timeout=90s'], { timeoutMs: 100_000 });
    const lines = out.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(WAITING_LINE);
    expect(lines[lines.length - 1]).toBe('deployment "kubia" successfully rolled out');
    return lines;
  }

  it("creates the seed's kubia v1 Deployment: one ReplicaSet named by its pod-template hash, revision 1", async () => {
    const file = kubectl.manifest('kubia-deployment-v1.yaml', KUBIA_V1);
    const created = await kubectl.run(['create', '-f', file, '--record']);
    expect(created.code).toBe(0);
    expect(created.stdout).toBe('deployment.apps/kubia created\n');
    await rolloutStatus();

    const [rs] = await replicaSets();
    const hash = rs.metadata!.labels!['pod-template-hash'];
    expect(hash).toMatch(HASH);
    expect(rs.metadata!.name).toBe(`kubia-${hash}`);
    expect(rs.spec!.selector!.matchLabels).toEqual({ app: 'kubia', 'pod-template-hash': hash });
    expect(rs.spec!.template!.metadata!.labels).toEqual({ app: 'kubia', 'pod-template-hash': hash });
    expect(rs.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'kubia', controller: true, blockOwnerDeletion: true })]);
    expect(rs.metadata!.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
      'kubernetes.io/change-cause': expect.stringContaining('kubectl create'),
    });
    expect(await readyPodImages()).toEqual(['yinzige/kubia:v1', 'yinzige/kubia:v1', 'yinzige/kubia:v1']);
    const pods = (await cluster.client.list(kinds.Pod, { namespace: 'default', labelSelector: 'app=kubia' })).items;
    for (const p of pods) expect(p.metadata!.name).toMatch(new RegExp(`^kubia-${hash}-[a-z0-9]{5}$`));

    const d = await deployment();
    expect(revision(d)).toBe('1');
    expect(d.status).toMatchObject({ observedGeneration: d.metadata!.generation, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(d.status!.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }),
        expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "kubia-${hash}" has successfully progressed.` }),
      ]),
    );
    const rsTable = await kubectl.ok(['get', 'rs']);
    expect(rsTable).toMatch(new RegExp(`^kubia-${hash}\\s+3\\s+3\\s+3\\s+`, 'm'));
  });

  it('rolls from v1 to v2 with `kubectl set image`, never below replicas - maxUnavailable available nor above replicas + maxSurge pods', async () => {
    expect(await kubectl.ok(['patch', 'deployment', 'kubia', '-p', '{"spec": {"minReadySeconds": 1}}'])).toBe('deployment.apps/kubia patched\n');
    // minReadySeconds counts from each pod's Ready time: pods that became Ready less than a second ago are not
    // available yet, and the ReplicaSet says so. The rollout starts from a fully available Deployment, so that
    // the availability it keeps is measured from there.
    await eventually(
      async () => {
        const rs = await replicaSetOf('yinzige/kubia:v1');
        return rs.spec?.minReadySeconds === 1 && rs.status?.observedGeneration === rs.metadata?.generation && rs.status?.availableReplicas === 3;
      },
      { what: 'minReadySeconds on the ReplicaSet, and its 3 pods available under it' },
    );

    const observer = await RolloutObserver.start(cluster.client, 'default', 'app=kubia');
    try {
      expect(await kubectl.ok(['set', 'image', 'deployment', 'kubia', 'nodejs=yinzige/kubia:v2', '--record'])).toBe('deployment.apps/kubia image updated\n');
      const lines = await rolloutStatus();
      expect(lines.length).toBeGreaterThan(1); // it waited for something
    } finally {
      observer.stop();
    }
    // Defaults for 3 replicas: maxSurge 25% → 1, maxUnavailable 25% → 0.
    const { minReady, minAvailable, maxPods } = observer.extremes;
    expect(minReady).toBeGreaterThanOrEqual(3);
    expect(minAvailable).toBeGreaterThanOrEqual(3);
    expect(maxPods).toBeLessThanOrEqual(4);
    // Both versions ran side by side at some point: a rolling update, not a recreate.
    expect(observer.samples.some((s) => (s.liveByImage['yinzige/kubia:v1'] ?? 0) > 0 && (s.liveByImage['yinzige/kubia:v2'] ?? 0) > 0)).toBe(true);

    expect(await readyPodImages()).toEqual(['yinzige/kubia:v2', 'yinzige/kubia:v2', 'yinzige/kubia:v2']);
    const v1 = await replicaSetOf('yinzige/kubia:v1');
    const v2 = await replicaSetOf('yinzige/kubia:v2');
    expect(v1.spec!.replicas).toBe(0); // kept for rollbacks
    expect(v2.spec!.replicas).toBe(3);
    expect(revision(v2)).toBe('2');
    expect(revision(await deployment())).toBe('2');
    const events = (await cluster.client.list(kinds.Event, { namespace: 'default', fieldSelector: 'involvedObject.name=kubia' })).items;
    expect(events.map((e) => e.message)).toEqual(
      expect.arrayContaining([`Scaled up replica set ${v2.metadata!.name} from 0 to 1`, expect.stringMatching(new RegExp(`^Scaled down replica set ${v1.metadata!.name} from \\d to \\d$`))]),
    );
  });

  it('shows revisions 1 and 2 with their change-cause in `kubectl rollout history`', async () => {
    const out = await kubectl.ok(['rollout', 'history', 'deployment', 'kubia']);
    const lines = out.trimEnd().split('\n');
    expect(lines[0].trim()).toBe('deployment.apps/kubia');
    expect(lines[1]).toMatch(/^REVISION\s+CHANGE-CAUSE$/);
    expect(lines[2]).toMatch(/^1\s+kubectl create .*--record=true$/);
    expect(lines[3]).toMatch(/^2\s+kubectl set image deployment kubia nodejs=yinzige\/kubia:v2 .*--record=true$/);
    expect(lines).toHaveLength(4);
    const detail = await kubectl.ok(['rollout', 'history', 'deployment', 'kubia', '--revision=1']);
    expect(detail).toContain('Image:\tyinzige/kubia:v1');
  });

  it('`kubectl rollout undo` restores the v1 template and reuses its ReplicaSet as revision 3', async () => {
    const v1Before = await replicaSetOf('yinzige/kubia:v1');
    expect(await kubectl.ok(['rollout', 'undo', 'deployment', 'kubia'])).toBe('deployment.apps/kubia rolled back\n');
    await rolloutStatus();

    const d = await deployment();
    expect(imageOf(d.spec!.template!.spec)).toBe('yinzige/kubia:v1');
    expect(d.spec!.template!.metadata!.labels).toEqual({ app: 'kubia' });
    const v1 = await replicaSetOf('yinzige/kubia:v1');
    expect(v1.metadata!.uid).toBe(v1Before.metadata!.uid); // the same ReplicaSet, no new one
    expect((await replicaSets()).length).toBe(2);
    expect(v1.metadata!.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(v1.spec!.replicas).toBe(3);
    expect((await replicaSetOf('yinzige/kubia:v2')).spec!.replicas).toBe(0);
    expect(revision(d)).toBe('3');
    expect(await readyPodImages()).toEqual(['yinzige/kubia:v1', 'yinzige/kubia:v1', 'yinzige/kubia:v1']);

    const history = (await kubectl.ok(['rollout', 'history', 'deployment', 'kubia'])).trimEnd().split('\n');
    expect(history.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['2', '3']);
    // The change-cause came back with the template.
    expect(history[3]).toMatch(/^3\s+kubectl create /);
  });

  it('`kubectl rollout undo --to-revision=2` goes to v2 again as revision 4; a revision no longer in history is refused', async () => {
    expect(await kubectl.ok(['rollout', 'undo', 'deployment', 'kubia', '--to-revision=2'])).toBe('deployment.apps/kubia rolled back\n');
    await rolloutStatus();
    const v2 = await replicaSetOf('yinzige/kubia:v2');
    expect(v2.metadata!.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '4', 'deployment.kubernetes.io/revision-history': '2' });
    expect(await readyPodImages()).toEqual(['yinzige/kubia:v2', 'yinzige/kubia:v2', 'yinzige/kubia:v2']);

    const gone = await kubectl.run(['rollout', 'undo', 'deployment', 'kubia', '--to-revision=1']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('unable to find specified revision 1 in history');
  });

  it('`kubectl rollout pause` holds a rollout (scaling still applies); `resume` lets it finish', async () => {
    expect(await kubectl.ok(['rollout', 'pause', 'deployment', 'kubia'])).toBe('deployment.apps/kubia paused\n');
    expect(await kubectl.ok(['set', 'image', 'deployment', 'kubia', 'nodejs=yinzige/kubia:v4'])).toBe('deployment.apps/kubia image updated\n');
    expect(await kubectl.ok(['scale', 'deployment', 'kubia', '--replicas=4'])).toBe('deployment.apps/kubia scaled\n');

    // The controller has seen the paused spec: Progressing says so, and it scaled the current ReplicaSet only.
    const paused = await eventually(
      async () => {
        const d = await deployment();
        const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
        return d.status?.observedGeneration === d.metadata?.generation && progressing?.reason === 'DeploymentPaused' && (d.status?.availableReplicas ?? 0) === 4 ? d : undefined;
      },
      { what: 'the paused Deployment observed and scaled to 4' },
    );
    expect(paused.status!.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'Unknown', message: 'Deployment is paused' });
    expect((await replicaSets()).some((rs) => imageOf(rs.spec?.template?.spec) === 'yinzige/kubia:v4')).toBe(false);
    expect((await replicaSetOf('yinzige/kubia:v2')).spec!.replicas).toBe(4);
    const undoWhilePaused = await kubectl.run(['rollout', 'undo', 'deployment', 'kubia']);
    expect(undoWhilePaused.code).not.toBe(0);
    expect(undoWhilePaused.stderr).toContain('you cannot rollback a paused deployment');

    expect(await kubectl.ok(['rollout', 'resume', 'deployment', 'kubia'])).toBe('deployment.apps/kubia resumed\n');
    await rolloutStatus();
    expect(await readyPodImages()).toEqual(Array(4).fill('yinzige/kubia:v4'));
    const v4 = await replicaSetOf('yinzige/kubia:v4');
    expect(revision(v4)).toBe('5');
    const d: Deployment = await deployment();
    expect(d.status!.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });
});
