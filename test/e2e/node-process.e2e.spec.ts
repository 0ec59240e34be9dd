import { canIsolatePods } from '../../apps/node-agent/src/runtime/process/command';
import { seed } from '../../libs/api/src/testing/seed-manifests';
import { TestCluster } from './cluster';
import { podProcesses } from './pod-host';
import { RunningProcess, startCompiled } from './processes';

/**
 * The `process` runtime end to end, as root: the all-in-one process runs
 * node-a, a separate node agent process runs node-b, real kubectl drives
 * the seed's examples, and the pods are real processes in their own network
 * namespaces. (Without root the runtime cannot give pods their own IPs, and
 * these tests are skipped; node-process-hostnet.e2e covers that mode.)
 */
const describeAsRoot = canIsolatePods() ? describe : describe.skip;

/** A /24 no other test run on this machine is likely to use (a clash is refused, never shared). */
const randomCidr = (second: number) => `10.${second}.${1 + Math.floor(Math.random() * 250)}.0/24`;

async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: await res.text() };
}

describeAsRoot('the process runtime (as root)', () => {
  let c: TestCluster;
  let nodeB: RunningProcess;
  const cidrA = randomCidr(100 + Math.floor(Math.random() * 50));
  const cidrB = randomCidr(150 + Math.floor(Math.random() * 50));
  const nodeA = `proc-a-${process.pid}`;
  const nodeBName = `proc-b-${process.pid}`;

  const json = async (args: string[]) => JSON.parse(await c.ok([...args, '-o', 'json']));

  beforeAll(async () => {
    c = await TestCluster.start({ LOGBOOK_NODES: JSON.stringify([{ name: nodeA, podCIDR: cidrA }]), LOGBOOK_RESTART_BACKOFF_MS: '2000' }, { allInOne: true });
    nodeB = startCompiled('apps/node-agent/src/main.js', { LOGBOOK_SERVER: c.url, LOGBOOK_NODES: JSON.stringify([{ name: nodeBName, podCIDR: cidrB }]) });
    await c.until(['get', 'nodes'], (out) => new RegExp(`${nodeA}\\s+Ready`).test(out) && new RegExp(`${nodeBName}\\s+Ready`).test(out), 90_000);
  });

  afterAll(async () => {
    if (nodeB && nodeB.child.exitCode === null) {
      nodeB.child.kill('SIGTERM');
      await nodeB.exited;
    }
    await c?.stop();
  });

  it("runs the seed's kubia pod and RC: every replica serves on 8080 of its own IP, and kubectl logs shows its requests", async () => {
    for (const manifest of [seed.kubiaManualPod(), seed.replicationController()]) await c.ok(['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    await c.until(['get', 'pods', '-l', 'app=kubia', '-o', 'jsonpath={range .items[*]}{.status.containerStatuses[0].ready}{"\\n"}{end}'], (out) => out.trim().split('\n').filter((l) => l === 'true').length === 3, 90_000);
    await c.until(['get', 'pod', 'kubia-manual', '-o', 'jsonpath={.status.containerStatuses[0].ready}'], /true/, 60_000);
    const pods = (await json(['get', 'pods'])).items as { metadata: { name: string }; spec: { nodeName: string }; status: { podIP: string; hostIP: string } }[];
    const ips = pods.map((p) => p.status.podIP);
    expect(new Set(ips).size).toBe(4);
    for (const p of pods) {
      const cidr = p.spec.nodeName === nodeA ? cidrA : cidrB;
      expect(p.status.podIP.split('.').slice(0, 3).join('.')).toBe(cidr.split('.').slice(0, 3).join('.'));
      expect(p.status.hostIP).toBe(`${cidr.split('.').slice(0, 3).join('.')}.1`);
      const res = await httpGet(`http://${p.status.podIP}:8080/`);
      expect(res).toEqual({ status: 200, body: `You've hit ${p.metadata.name}\n` });
    }
    const logs = await c.ok(['logs', 'kubia-manual', '-c', 'kubia']);
    expect(logs).toContain('Kubia server starting...');
    expect(logs).toMatch(/Received request from \S+/);
    const stamped = await c.ok(['logs', 'kubia-manual', '--timestamps', '--tail', '1']);
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z Received request from \S+\n$/);
    // A pod on one node reaches a pod on the other by IP (the busybox image is the host's tools).
    const other = pods.find((p) => p.spec.nodeName !== pods[0].spec.nodeName);
    if (other) {
      const target = pods[0];
      await c.ok(['run', 'client', '--image=busybox', '--restart=Never', `--overrides={"spec":{"nodeName":"${other.spec.nodeName}"}}`, '--', 'curl', '-s', '--max-time', '10', `http://${target.status.podIP}:8080/`]);
      await c.until(['get', 'pod', 'client', '-o', 'jsonpath={.status.phase}'], /Succeeded|Failed/, 60_000);
      expect(await c.ok(['logs', 'client'])).toContain(`You've hit ${target.metadata.name}`);
    }
  });

  it('restarts the seed\'s kubia-liveness container when its liveness probe fails, counting restarts; --previous shows the old run', async () => {
    // The seed's manifest with a 1 s probe period (10 s by default) so the fifth request comes within seconds.
    const liveness = seed.livenessPod();
    Object.assign(liveness.spec.containers[0].livenessProbe, { initialDelaySeconds: 1, periodSeconds: 1 });
    await c.ok(['apply', '-f', '-'], { stdin: JSON.stringify(liveness) });
    await c.until(['get', 'pod', 'kubia-liveness', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'], (out) => Number(out) >= 2, 90_000);
    const pod = await json(['get', 'pod', 'kubia-liveness']);
    const st = pod.status.containerStatuses[0];
    expect(st.lastState.terminated).toMatchObject({ reason: 'Error', exitCode: 143 });
    const previous = await c.ok(['logs', 'kubia-liveness', '--previous']);
    expect(previous.match(/Received request from/g)!.length).toBeGreaterThanOrEqual(7);
  });

  it('gives a container the Downward API, ConfigMap and Secret values in its environment', async () => {
    // A Service that exists before the pod: its link variables come too (kubectl expose makes it).
    await c.ok(['create', 'deployment', 'env-target', '--image=luksa/kubia', '--replicas=0']);
    await c.ok(['expose', 'deployment', 'env-target', '--name=env-svc', '--port=80', '--target-port=8080']);
    const envSvc = await json(['get', 'service', 'env-svc']);
    await c.ok(['create', 'configmap', 'fortune-config', '--from-literal=sleep-interval=25', '--from-literal=mode=fast']);
    await c.ok(['create', 'secret', 'generic', 'auth', '--from-literal=password=s3cret']);
    await c.ok(['apply', '-f', '-'], {
      stdin: `apiVersion: v1
kind: Pod
metadata:
  name: downward
spec:
  containers:
    - name: main
      image: busybox
      command: ["sh", "-c", "env | sort; sleep 1000"]
      resources:
        requests: { cpu: 15m, memory: 100Ki }
        limits: { cpu: 100m, memory: 4Mi }
      env:
        - name: E_POD_NAMESPACE
          valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
        - name: E_POD_IP
          valueFrom: { fieldRef: { fieldPath: status.podIP } }
        - name: E_NODE_NAME
          valueFrom: { fieldRef: { fieldPath: spec.nodeName } }
        - name: E_REQ_CPU
          valueFrom: { resourceFieldRef: { resource: requests.cpu, divisor: 1m } }
        - name: E_LIMIT_MEM
          valueFrom: { resourceFieldRef: { resource: limits.memory, divisor: 1Ki } }
        - name: INTERVAL
          valueFrom: { configMapKeyRef: { name: fortune-config, key: sleep-interval } }
        - name: NESTED_VAR
          value: "$(INTERVAL)_1"
        - name: PASSWORD
          valueFrom: { secretKeyRef: { name: auth, key: password } }
      envFrom:
        - prefix: CONF_
          configMapRef: { name: fortune-config }
`,
    });
    await c.until(['get', 'pod', 'downward', '-o', 'jsonpath={.status.phase}'], /Running/, 60_000);
    const pod = await json(['get', 'pod', 'downward']);
    const logs = await c.until(['logs', 'downward'], /E_POD_IP/, 30_000);
    expect(logs).toContain('E_POD_NAMESPACE=default\n');
    expect(logs).toContain(`E_POD_IP=${pod.status.podIP}\n`);
    expect(logs).toContain(`E_NODE_NAME=${pod.spec.nodeName}\n`);
    expect(logs).toContain('E_REQ_CPU=15\n');
    expect(logs).toContain('E_LIMIT_MEM=4096\n');
    expect(logs).toContain('INTERVAL=25\n');
    expect(logs).toContain('NESTED_VAR=25_1\n');
    expect(logs).toContain('PASSWORD=s3cret\n');
    // envFrom with a prefix (the shell drops CONF_sleep-interval: not a valid shell name).
    expect(logs).toContain('CONF_mode=fast\n');
    expect(logs).toContain('HOSTNAME=downward\n');
    expect(logs).toContain(`ENV_SVC_SERVICE_HOST=${envSvc.spec.clusterIP}\nENV_SVC_SERVICE_PORT=80\n`);
    expect(logs).toContain(`ENV_SVC_PORT_80_TCP=tcp://${envSvc.spec.clusterIP}:80\n`);
    expect(logs).toContain('KUBERNETES_SERVICE_HOST=10.96.0.1\n');
    expect(logs).not.toContain('DATABASE_URL');
  });

  it('stops a deleted pod\'s processes: at once when they heed SIGTERM, with SIGKILL after the grace period when they do not', async () => {
    await c.ok(['apply', '-f', '-'], {
      stdin: `apiVersion: v1
kind: Pod
metadata:
  name: stubborn
spec:
  terminationGracePeriodSeconds: 3
  containers:
    - name: main
      image: busybox
      command: ["sh", "-c", "trap 'echo got TERM' TERM; while true; do sleep 1; done"]
`,
    });
    await c.until(['get', 'pod', 'stubborn', '-o', 'jsonpath={.status.phase}'], /Running/, 60_000);
    expect(podProcesses('stubborn').length).toBeGreaterThan(0);
    const started = Date.now();
    await c.ok(['delete', 'pod', 'stubborn']);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(3_000);
    expect(podProcesses('stubborn')).toEqual([]);

    expect(podProcesses('kubia-manual').length).toBeGreaterThan(0);
    await c.ok(['delete', 'pod', 'kubia-manual']);
    expect(podProcesses('kubia-manual')).toEqual([]);
  });

  it("runs the seed's batch Job (5 completions, 2 at a time): its pods really run and exit 0, and completions count those exits", async () => {
    await c.ok(['apply', '-f', '-'], { stdin: JSON.stringify(seed.job()) });
    await c.until(['get', 'job', 'batch-job', '-o', 'jsonpath={.status.succeeded}'], /^5$/, 150_000);
    const pods = (await json(['get', 'pods', '-l', 'app=batch-job'])).items;
    const done = pods.filter((p: { status: { phase: string } }) => p.status.phase === 'Succeeded');
    expect(done.length).toBe(5);
    for (const p of done) {
      const t = p.status.containerStatuses[0].state.terminated;
      expect(t).toMatchObject({ exitCode: 0, reason: 'Completed' });
      // The image works a few seconds: a real run, not a stand-in.
      expect(Date.parse(t.finishedAt) - Date.parse(t.startedAt)).toBeGreaterThanOrEqual(2_000);
      expect(await c.ok(['logs', p.metadata.name])).toMatch(/Batch job starting[\s\S]*Finished succesfully/);
    }
  });

  it('reports a missing image as Kubernetes does: ErrImagePull, then ImagePullBackOff', async () => {
    await c.ok(['run', 'ghost', '--image=example.com/nobody/ghost:1']);
    await c.until(['get', 'pod', 'ghost'], /ErrImagePull|ImagePullBackOff/, 30_000);
    await c.until(['get', 'pod', 'ghost'], /ImagePullBackOff/, 30_000);
    const pod = await json(['get', 'pod', 'ghost']);
    expect(pod.status.phase).toBe('Pending');
    await c.ok(['delete', 'pod', 'ghost', '--wait=false']);
  });

  it('when a node agent is stopped, its node goes NotReady and its pods are replaced on the other node', async () => {
    const onB = async () => ((await json(['get', 'pods', '-l', 'app=kubia'])).items as { metadata: { name: string }; spec: { nodeName: string } }[]).filter((p) => p.spec.nodeName === nodeBName);
    // Short not-ready/unreachable tolerations so the eviction follows NotReady at once (the default is 300 s).
    await c.ok(['patch', 'rc', 'kubia', '--type=merge', '-p', JSON.stringify({ spec: { template: { spec: { tolerations: ['not-ready', 'unreachable'].map((t) => ({ key: `node.kubernetes.io/${t}`, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 })) } } } })]);
    await c.ok(['delete', 'pods', '-l', 'app=kubia', '--wait=true']);
    await c.until(['get', 'pods', '-l', 'app=kubia', '-o', 'jsonpath={range .items[*]}{.status.containerStatuses[0].ready}{"\\n"}{end}'], (out) => out.trim().split('\n').filter((l) => l === 'true').length === 3, 90_000);
    let victims = await onB();
    if (!victims.length) {
      // All three landed on node-a: cordon it and replace one, so node-b has a pod to lose.
      await c.ok(['cordon', nodeA]);
      const one = (await json(['get', 'pods', '-l', 'app=kubia'])).items[0].metadata.name;
      await c.ok(['delete', 'pod', one]);
      await c.until(['get', 'pods', '-l', 'app=kubia', '-o', 'wide'], new RegExp(`Running\\s+\\d+\\s+\\S+\\s+\\S+\\s+${nodeBName}`), 60_000);
      await c.ok(['uncordon', nodeA]);
      victims = await onB();
    }
    expect(victims.length).toBeGreaterThan(0);
    nodeB.child.kill('SIGTERM');
    expect(await nodeB.exited).toBe(0);
    for (const v of victims) expect(podProcesses(v.metadata.name)).toEqual([]);
    await c.until(['get', 'node', nodeBName], /NotReady/, 90_000);
    await c.until(
      ['get', 'pods', '-l', 'app=kubia', '-o', 'json'],
      (out) => {
        const items = JSON.parse(out).items as { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName: string }; status: { containerStatuses?: { ready: boolean }[] } }[];
        const live = items.filter((p) => !p.metadata.deletionTimestamp && p.spec.nodeName === nodeA && p.status.containerStatuses?.[0]?.ready);
        return live.length === 3 && victims.every((v) => !live.some((p) => p.metadata.name === v.metadata.name));
      },
      120_000,
    );
  });
});
