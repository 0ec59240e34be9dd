import { ChildProcess, spawn } from 'child_process';
import * as net from 'net';
import * as path from 'path';
import { canIsolatePods } from '../../apps/node-agent/src/runtime/process/command';
import { seed } from '../../libs/api/src/testing/seed-manifests';
import { WebSocket } from 'ws';
import { TestCluster } from './cluster';
import { freePort, startCompiled } from './processes';

/**
 * `kubectl exec`, `kubectl port-forward` and the kubelet's events with real
 * kubectl over TLS against process-runtime pods in their own network
 * namespaces (as root; skipped otherwise, like node-process.e2e).
 */
const describeAsRoot = canIsolatePods() ? describe : describe.skip;

const randomCidr = () => `10.${200 + Math.floor(Math.random() * 50)}.${1 + Math.floor(Math.random() * 250)}.0/24`;

describeAsRoot('kubectl exec, port-forward and describe on the process runtime (as root)', () => {
  let c: TestCluster;
  const node = `stream-${process.pid}`;

  beforeAll(async () => {
    c = await TestCluster.start({ LOGBOOK_NODES: JSON.stringify([{ name: node, podCIDR: randomCidr() }]) }, { allInOne: true });
    await c.until(['get', 'nodes'], new RegExp(`${node}\\s+Ready`), 90_000);
    await c.ok(['apply', '-f', '-'], { stdin: JSON.stringify(seed.kubiaManualPod()) });
    await c.ok(['apply', '-f', '-'], {
      stdin: `apiVersion: v1
kind: Pod
metadata:
  name: shell
  labels: { app: shell }
spec:
  containers:
    - name: main
      image: busybox
      command: ["sleep", "1000"]
      workingDir: /tmp
      env: [{ name: GREETING, value: hello-from-env }]
    - name: side
      image: busybox
      command: ["sleep", "1000"]
`,
    });
    await c.until(['get', 'pod', 'kubia-manual', 'shell', '-o', 'jsonpath={.items[*].status.phase}'], /^Running Running$/, 90_000);
  });

  afterAll(async () => {
    await c?.stop();
  });

  it('runs a command in the container: its output, its environment and working directory, its hostname and network', async () => {
    const pod = JSON.parse(await c.ok(['get', 'pod', 'shell', '-o', 'json']));
    const r = await c.kubectl(['exec', 'shell', '-c', 'main', '--', 'sh', '-c', 'echo "$GREETING"; pwd; hostname; ip -4 -o addr show eth0; echo oops >&2']);
    expect(r.code).toBe(0);
    const [greeting, wd, hostname, addr] = r.stdout.split('\n');
    expect(greeting).toBe('hello-from-env');
    expect(wd).toBe('/tmp');
    expect(hostname).toBe('shell');
    expect(addr).toContain(`inet ${pod.status.podIP}/`);
    expect(r.stderr).toContain('oops');
  });

  it("passes the command's exit code on: kubectl exits with it", async () => {
    const r = await c.kubectl(['exec', 'shell', '-c', 'main', '--', 'sh', '-c', 'echo partial; exit 7']);
    expect(r.stdout).toBe('partial\n');
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('command terminated with exit code 7');
  });

  it('feeds stdin with -i and closes it at its end (the command sees EOF)', async () => {
    const input = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const r = await c.kubectl(['exec', '-i', 'shell', '-c', 'main', '--', 'sh', '-c', 'wc -l; echo done'], { stdin: input });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['2000', 'done']);
  });

  it('runs the command on a terminal with -it (a pty from script), with the size kubectl sends', async () => {
    // kubectl only asks for a TTY when its own stdin is a terminal: give it one with script.
    const cmd = `kubectl --kubeconfig ${c.kubeconfig} --cache-dir ${path.join(path.dirname(c.kubeconfig), 'cache')} exec -it shell -c main -- sh -c 'tty; stty size; exit 3'`;
    const r = await new Promise<{ out: string; code: number | null }>((resolve) => {
      const child = spawn('script', ['--quiet', '--return', '--command', `stty rows 33 cols 99; ${cmd}`, '/dev/null'], { env: { PATH: process.env.PATH, HOME: path.dirname(c.kubeconfig) } });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const timer = setTimeout(() => child.kill(), 30_000);
      child.on('close', (code) => (clearTimeout(timer), resolve({ out, code })));
    });
    expect(r.out).toMatch(/\/dev\/pts\/\d+/);
    expect(r.out).toContain('33 99');
    expect(r.code).toBe(3);
  });

  it('refuses what Kubernetes refuses: a container that does not exist, a pod with several containers and none named', async () => {
    const missing = await c.kubectl(['exec', 'shell', '-c', 'nope', '--', 'true']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('container nope is not valid for pod shell');
    // Straight to the API: a plain POST is not an upgrade.
    const res = await fetch(`${c.url}/api/v1/namespaces/default/pods/shell/exec?command=true&stdout=true`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toBe('Upgrade request required');
  });

  it('needs pods/exec under RBAC: get is enough for the WebSocket (a GET, as in Kubernetes 1.32)', async () => {
    const bob = await c.kubeconfigFor('bob');
    await c.grant('pod-reader', ['bob'], [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    const denied = await c.kubectl(['exec', 'shell', '-c', 'main', '--', 'true'], { kubeconfig: bob });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/cannot (get|create) resource "pods\/exec"/);
    // One role: the authorizer has the exec rule once it answers for the first (grant waits for that one).
    await c.grant('pod-exec', ['bob'], [
      { apiGroups: [''], resources: ['pods'], verbs: ['watch'] },
      { apiGroups: [''], resources: ['pods/exec'], verbs: ['get'] },
    ]);
    expect(await c.ok(['exec', 'shell', '-c', 'main', '--', 'echo', 'bob was here'], { kubeconfig: bob })).toBe('bob was here\n');
  });

  /** Starts `kubectl port-forward`; `stop` interrupts it and waits for it to exit. */
  it("serves the kubelet's endpoints to the API server only: a request straight to the kubelet without its ticket gets 401", async () => {
    const n = JSON.parse(await c.ok(['get', 'node', node, '-o', 'json']));
    const address = n.status.addresses.find((a: { type: string }) => a.type === 'InternalIP').address;
    const kubelet = `${address}:${n.status.daemonEndpoints.kubeletEndpoint.Port}`;
    const logs = await fetch(`http://${kubelet}/containerLogs/default/shell/main`);
    expect(logs.status).toBe(401);
    expect((await logs.json()).message).toContain('the kubelet serves the API server only');
    const forged = await fetch(`http://${kubelet}/containerLogs/default/shell/main`, { headers: { Authorization: 'Bearer e30.AAAA' } });
    expect((await forged.json()).message).toContain('not signed by the cluster CA');
    const upgrade = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://${kubelet}/exec/default/shell/main?command=id&stdout=true`, ['v5.channel.k8s.io']);
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
    });
    expect(upgrade).toBe(401);
    // Through the API server the same endpoints answer.
    expect(await c.ok(['logs', 'shell', '-c', 'main'])).toBe('');
  });

  async function portForward(args: string[], localPort: number, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; output: () => string; stop: () => Promise<void> }> {
    const child = spawn('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', path.join(path.dirname(c.kubeconfig), 'cache'), 'port-forward', ...args], {
      env: { PATH: process.env.PATH, HOME: path.dirname(c.kubeconfig), ...env },
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const stop = async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
    };
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const deadline = Date.now() + 30_000;
    while (!out.includes(`127.0.0.1:${localPort}`)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`kubectl port-forward did not start:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return { child, output: () => out, stop };
  }

  it('forwards a local port to the kubia pod: HTTP requests through it reach the pod, one after another', async () => {
    const local = await freePort();
    const pf = await portForward(['pod/kubia-manual', `${local}:8080`], local);
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`http://127.0.0.1:${local}/`, { signal: AbortSignal.timeout(10_000), headers: { Connection: 'close' } });
        expect(res.status).toBe(200);
        expect(await res.text()).toBe("You've hit kubia-manual\n");
      }
      // A large body both ways (kubia-pet would store it; kubia answers any method the same way).
      const big = 'x'.repeat(300_000);
      const res = await fetch(`http://127.0.0.1:${local}/`, { method: 'POST', body: big, signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(200);
      expect(pf.output()).toContain(`Forwarding from 127.0.0.1:${local} -> 8080`);
    } finally {
      await pf.stop();
    }
    const logs = await c.ok(['logs', 'kubia-manual']);
    expect(logs).toMatch(/Received request from ::ffff:127\.0\.0\.1/);
  });

  it('forwards over plain SPDY too (kubectl without WebSockets, its fallback when a server refuses them)', async () => {
    const local = await freePort();
    const pf = await portForward(['pod/kubia-manual', `${local}:8080`], local, { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`http://127.0.0.1:${local}/`, { signal: AbortSignal.timeout(10_000), headers: { Connection: 'close' } });
        expect(await res.text()).toBe("You've hit kubia-manual\n");
      }
    } finally {
      await pf.stop();
    }
  });

  it('forwards to a Service: kubectl picks a pod of its selector and maps the service port to the target port', async () => {
    await c.ok(['label', 'pod', 'kubia-manual', 'app=kubia-manual']);
    await c.ok(['expose', 'pod', 'kubia-manual', '--name=kubia-svc', '--port=80', '--target-port=8080']);
    const local = await freePort();
    const pf = await portForward(['svc/kubia-svc', `${local}:80`], local);
    try {
      const res = await fetch(`http://127.0.0.1:${local}/`, { signal: AbortSignal.timeout(10_000) });
      expect(await res.text()).toBe("You've hit kubia-manual\n");
    } finally {
      await pf.stop();
    }
  });

  it('reports a port nothing listens on through the error stream', async () => {
    const local = await freePort();
    const pf = await portForward(['pod/shell', `${local}:9999`], local);
    try {
      await expect(fetch(`http://127.0.0.1:${local}/`, { signal: AbortSignal.timeout(10_000) })).rejects.toThrow();
      const deadline = Date.now() + 10_000;
      while (!/error forwarding port 9999 to pod shell/.test(pf.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(pf.output()).toMatch(/error forwarding port 9999 to pod shell, uid [0-9a-f-]+: failed to connect to localhost:9999 inside namespace/);
    } finally {
      await pf.stop();
    }
  });

  it("shows the kubelet's events in describe: Unhealthy liveness probes, Killing, and the containers' start", async () => {
    const liveness = seed.livenessPod();
    Object.assign(liveness.spec.containers[0].livenessProbe, { initialDelaySeconds: 1, periodSeconds: 1 });
    await c.ok(['apply', '-f', '-'], { stdin: JSON.stringify(liveness) });
    await c.until(['get', 'pod', 'kubia-liveness', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'], (out) => Number(out) >= 1, 90_000);
    const described = await c.until(['describe', 'pod', 'kubia-liveness'], /Killing/, 30_000);
    expect(described).toMatch(/Warning\s+Unhealthy\s+\S+( \(x\d+ over \S+\))?\s+kubelet\s+Liveness probe failed: HTTP probe failed with statuscode: 500/);
    expect(described).toMatch(/Normal\s+Killing\s+\S+( \(x\d+ over \S+\))?\s+kubelet\s+Container kubia failed liveness probe, will be restarted/);
    expect(described).toMatch(/Normal\s+Started\s+\S+( \(x\d+ over \S+\))?\s+kubelet\s+Started container kubia/);
  });

  it('records Failed and BackOff events for an image that cannot be pulled', async () => {
    await c.ok(['run', 'ghost', '--image=example.com/nobody/ghost:1']);
    const described = await c.until(['describe', 'pod', 'ghost'], /Back-off pulling image/, 60_000);
    expect(described).toMatch(/Warning\s+Failed\s+.*kubelet\s+Failed to pull image "example.com\/nobody\/ghost:1"/);
    expect(described).toMatch(/Warning\s+Failed\s+.*kubelet\s+Error: ErrImagePull/);
    expect(described).toMatch(/Normal\s+BackOff\s+.*kubelet\s+Back-off pulling image "example.com\/nobody\/ghost:1"/);
  });

  // Last: it stops the cluster.
  it('shuts down promptly and cleanly with a port-forward session to another node agent open (sessions are ended, not waited for)', async () => {
    // A pod on a node agent of its own, which keeps running while the API server stops.
    const far = `stream-far-${process.pid}`;
    const agent = startCompiled('apps/node-agent/src/main.js', { LOGBOOK_SERVER: c.url, LOGBOOK_NODES: JSON.stringify([{ name: far, podCIDR: randomCidr() }]) });
    try {
      await c.until(['get', 'nodes'], new RegExp(`${far}\\s+Ready`), 90_000);
      await c.ok(['run', 'far', '--image=luksa/kubia', `--overrides={"spec":{"nodeName":"${far}"}}`]);
      await c.until(['get', 'pod', 'far', '-o', 'jsonpath={.status.containerStatuses[0].ready}'], /true/, 60_000);
      const local = await freePort();
      const pf = await portForward(['pod/far', `${local}:8080`], local);
      try {
        // A connection through the tunnel that stays open.
        const socket = net.connect(local, '127.0.0.1');
        await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('error', reject));
        socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
        await new Promise<void>((resolve) => socket.once('data', () => resolve()));
        const started = Date.now();
        c.proc.child.kill('SIGTERM');
        expect(await c.proc.exited).toBe(0);
        expect(Date.now() - started).toBeLessThan(15_000);
        socket.destroy();
      } finally {
        await pf.stop();
      }
    } finally {
      agent.child.kill('SIGTERM');
      await agent.exited;
    }
  });
});
