import * as path from 'path';
import { TestCluster } from './cluster';

const manifest = (name: string) => path.join(__dirname, 'manifests', name);

/**
 * The seed's chapters 4 and 9 through real kubectl against the all-in-one
 * control plane with simulated nodes: ReplicationControllers, scaling,
 * cascading deletion, Deployments, rollouts and rollbacks.
 */
describe('kubectl workloads on the all-in-one', () => {
  // Rollouts take real (simulated) time; this machine may be shared and slow.
  jest.setTimeout(240_000);
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start({ LOGBOOK_RUNTIME: 'simulated', LOGBOOK_SIMULATED_NODES: '2' }, { allInOne: true });
    await c.until(['get', 'nodes'], /node-1\s+Ready/);
  }, 120_000);
  afterAll(async () => c.stop());

  const podNames = async (selector: string) =>
    (await c.ok(['get', 'pods', '-l', selector, '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter(Boolean);

  it('keeps a ReplicationController at its replicas, replaces deleted pods and releases relabelled ones', async () => {
    expect(await c.ok(['create', '-f', manifest('kubia-rc.yaml')])).toBe('replicationcontroller/kubia created\n');
    await c.until(['get', 'rc', 'kubia'], /kubia\s+3\s+3\s+3\s/);
    const pods = await podNames('app=kubia');
    expect(pods).toHaveLength(3);
    expect(await c.ok(['get', 'pods', '-l', 'app=kubia'])).toMatch(/kubia-\w{5}\s+1\/1\s+Running\s+0/);

    await c.ok(['delete', 'pod', pods[0]]);
    await c.until(['get', 'pods', '-l', 'app=kubia', '-o', 'name'], (out) => out.trim().split('\n').length === 3 && !out.includes(pods[0]));

    await c.ok(['label', 'pod', pods[1], 'app=foo', '--overwrite']);
    await c.until(['get', 'pods', '-l', 'app=kubia', '-o', 'name'], (out) => out.trim().split('\n').length === 3 && !out.includes(pods[1]));
    expect(await c.ok(['get', 'pod', pods[1], '-o', 'jsonpath={.metadata.ownerReferences}'])).toBe('');

    expect(await c.ok(['scale', 'rc', 'kubia', '--replicas=5'])).toBe('replicationcontroller/kubia scaled\n');
    await c.until(['get', 'rc', 'kubia'], /kubia\s+5\s+5\s+5\s/);
    const described = await c.ok(['describe', 'rc', 'kubia']);
    expect(described).toMatch(/Replicas:\s+5 current \/ 5 desired/);
    expect(described).toMatch(/SuccessfulCreate.*Created pod: kubia-\w{5}/);
  });

  it('orphans pods with --cascade=orphan, and deletes them with the default cascade', async () => {
    expect(await c.ok(['delete', 'rc', 'kubia', '--cascade=orphan'])).toBe('replicationcontroller "kubia" deleted\n');
    await c.until(['get', 'rc'], (out) => !out.includes('kubia'));
    const orphans = await podNames('app=kubia');
    expect(orphans).toHaveLength(5);
    for (const p of orphans) expect(await c.ok(['get', 'pod', p, '-o', 'jsonpath={.metadata.ownerReferences}'])).toBe('');

    // A new RC adopts the orphans instead of creating pods.
    await c.ok(['create', '-f', manifest('kubia-rc.yaml')]);
    await c.until(['get', 'pods', '-l', 'app=kubia', '-o', 'name'], (out) => out.trim().split('\n').length === 3);
    await c.ok(['delete', 'rc', 'kubia']);
    await c.until(['get', 'pods', '-l', 'app=kubia', '-o', 'name'], (out) => out.trim() === '', 60_000);
  });

  it('rolls a Deployment out, through set image, history, undo, pause and resume', async () => {
    expect(await c.ok(['create', '-f', manifest('kubia-deployment.yaml')])).toBe('deployment.apps/kubia created\n');
    const status = await c.kubectl(['rollout', 'status', 'deployment', 'kubia', '--timeout=90s'], { timeoutMs: 100_000 });
    expect(status.stdout).toContain('deployment "kubia" successfully rolled out');
    await c.until(['get', 'deploy', 'kubia'], /kubia\s+3\/3\s+3\s+3\s/);

    expect(await c.ok(['set', 'image', 'deployment', 'kubia', 'nodejs=luksa/kubia:v2'])).toBe('deployment.apps/kubia image updated\n');
    // As `--record` did: the change-cause goes on the Deployment, and the
    // controller copies it to the newest ReplicaSet (revision 2).
    await c.ok(['annotate', 'deployment', 'kubia', 'kubernetes.io/change-cause=image v2']);
    const v2 = await c.kubectl(['rollout', 'status', 'deployment', 'kubia', '--timeout=120s'], { timeoutMs: 130_000 });
    expect(v2.stdout).toContain('deployment "kubia" successfully rolled out');
    expect(await c.ok(['get', 'deploy', 'kubia', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe('luksa/kubia:v2');
    const history = await c.ok(['rollout', 'history', 'deployment', 'kubia']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE/);
    expect(history).toMatch(/^1\s+<none>$/m);
    expect(history).toMatch(/^2\s+image v2$/m);
    const rs = await c.ok(['get', 'rs', '-l', 'app=kubia']);
    expect(rs.trim().split('\n')).toHaveLength(3); // header + the v1 and v2 ReplicaSets

    expect(await c.ok(['rollout', 'undo', 'deployment', 'kubia'])).toBe('deployment.apps/kubia rolled back\n');
    await c.kubectl(['rollout', 'status', 'deployment', 'kubia', '--timeout=120s'], { timeoutMs: 130_000 });
    expect(await c.ok(['get', 'deploy', 'kubia', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe('luksa/kubia:v1');
    expect(await c.ok(['rollout', 'history', 'deployment', 'kubia'])).toMatch(/^3\s+/m);

    expect(await c.ok(['rollout', 'pause', 'deployment', 'kubia'])).toBe('deployment.apps/kubia paused\n');
    await c.ok(['set', 'image', 'deployment', 'kubia', 'nodejs=luksa/kubia:v2']);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await c.ok(['get', 'rs', '-l', 'app=kubia', '-o', 'jsonpath={.items[*].spec.replicas}'])).toMatch(/^(0 3|3 0)$/);
    expect(await c.ok(['rollout', 'resume', 'deployment', 'kubia'])).toBe('deployment.apps/kubia resumed\n');
    const resumed = await c.kubectl(['rollout', 'status', 'deployment', 'kubia', '--timeout=120s'], { timeoutMs: 130_000 });
    expect(resumed.stdout).toContain('successfully rolled out');
  });
});
