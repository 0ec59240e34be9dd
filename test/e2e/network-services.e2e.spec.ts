import { clusterDnsIPOf } from '../../apps/node-agent/src/dns/kube-dns-service';
import { canIsolatePods } from '../../apps/node-agent/src/runtime/process/command';
import { seed } from '../../libs/api/src/testing/seed-manifests';
import { TestCluster } from './cluster';
import { getOnce, inPod, kubiaHosts, NodeHostState, nodeHostState, NOTHING_LEFT, untilNothingLeft } from './pod-host';
import { freePort, waitFor } from './processes';

/**
 * The seed's chapter 5 on real pods, as root: the all-in-one process runs
 * one node of the process runtime (pods are OS processes in network
 * namespaces of their own, on the node's bridge), its service proxy, the
 * cluster DNS and the Ingress controller; real kubectl drives it over TLS.
 * Requests "from a pod" run inside a pod's namespaces (a busybox pod's
 * command whose output kubectl logs shows, or `nsenter` into a running
 * pod, which is what `kubectl exec` does); requests "from the machine" are
 * this test's own.
 */
const describeAsRoot = canIsolatePods() ? describe : describe.skip;
const random = (n: number) => Math.floor(Math.random() * n);

describeAsRoot('Services on real pods: ClusterIP, NodePort, LoadBalancer, affinity, readiness, headless DNS, Ingress (as root)', () => {
  let c: TestCluster;
  let stopped = false;
  const node = `net-${process.pid}`;
  // Ranges no other test run on this machine is likely to use (pod CIDRs that clash are refused, never shared).
  const podCIDR = `10.${100 + random(100)}.${1 + random(250)}.0/24`;
  const serviceCIDR = `10.${50 + random(50)}.${16 * random(16)}.0/20`;
  const clusterDNS = clusterDnsIPOf(serviceCIDR);
  let ingressPort: number;
  let nodeIP: string;
  /** Every veth seen on the node's bridge, to check none outlives the run. */
  const veths = new Set<string>();
  const json = async (args: string[]) => JSON.parse(await c.ok([...args, '-o', 'json']));
  const readyPods = async (label: string, n: number) =>
    c.until(['get', 'pods', '-l', label, '-o', 'jsonpath={range .items[*]}{.status.containerStatuses[0].ready}{"\\n"}{end}'], (out) => out.trim().split('\n').filter((l) => l === 'true').length === n, 120_000);
  const podsOf = async (label: string) => ((await json(['get', 'pods', '-l', label])).items as { metadata: { name: string }; status: { podIP: string } }[]).filter((p) => p.status.podIP);
  const clusterIPOf = async (svc: string) => (await json(['get', 'service', svc])).spec.clusterIP as string;
  const readyEndpoints = async (svc: string, n: number) =>
    c.until(['get', 'endpoints', svc, '-o', 'jsonpath={range .subsets[*].addresses[*]}{.ip}{"\\n"}{end}'], (out) => out.trim().split('\n').filter(Boolean).length === n, 60_000);
  /** `n` requests from inside `pod`, one curl (one connection) each; the hostnames that answered. */
  const curlFrom = async (pod: string, url: string, n: number) => {
    const r = await inPod(pod, ['sh', '-c', `for i in $(seq 1 ${n}); do curl -s --max-time 5 ${url}; echo; done`], 120_000);
    return kubiaHosts(r.stdout);
  };
  /** The IPv4 addresses a pod's resolver (its resolv.conf: the cluster DNS, search path, ndots:5) gives for `name`. */
  const lookupFrom = async (pod: string, name: string) => {
    const r = await inPod(pod, ['getent', 'ahostsv4', name]);
    return [...new Set(r.stdout.split('\n').map((l) => l.split(/\s+/)[0]).filter(Boolean))].sort();
  };
  const noteVeths = async () => {
    for (const v of (await nodeHostState(node, podCIDR, c.proc.child.pid!)).veths) veths.add(v);
  };

  beforeAll(async () => {
    ingressPort = await freePort();
    c = await TestCluster.start(
      {
        LOGBOOK_NODES: JSON.stringify([{ name: node, podCIDR }]),
        LOGBOOK_SERVICE_CIDR: serviceCIDR,
        LOGBOOK_LOADBALANCER_CIDR: `127.${10 + random(200)}.${random(250)}.0/24`,
        LOGBOOK_INGRESS_PORT: String(ingressPort),
        LOGBOOK_INGRESS_TLS_PORT: 'none',
        LOGBOOK_RESTART_BACKOFF_MS: '2000',
      },
      { allInOne: true },
    );
    await c.until(['get', 'nodes'], new RegExp(`${node}\\s+Ready`), 90_000);
    nodeIP = (await json(['get', 'node', node])).status.addresses.find((a: { type: string }) => a.type === 'InternalIP').address;
    // The cluster DNS publishes itself at the tenth address of the service range.
    await c.until(['get', 'service', 'kube-dns', '-n', 'kube-system', '-o', 'jsonpath={.spec.clusterIP}'], (out) => out === clusterDNS, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${c.proc.output().slice(-5000)}`);
    });
    await c.ok(['apply', '-f', '-'], { stdin: JSON.stringify(seed.replicationController()) });
    await c.ok(['run', 'sleeper', '--image=busybox', '--restart=Never', '--', 'sleep', '3600']);
    await readyPods('app=kubia', 3);
    await c.until(['get', 'pod', 'sleeper', '-o', 'jsonpath={.status.phase}'], /Running/, 60_000);
  });

  afterAll(async () => {
    if (!stopped) await c?.stop();
  });

  it("reaches all three kubia replicas through the ClusterIP and through the Service's DNS name, from a pod", async () => {
    await c.ok(['expose', 'rc', 'kubia', '--port=80', '--target-port=8080']);
    await readyEndpoints('kubia', 3);
    const ip = await clusterIPOf('kubia');
    expect(ip.startsWith(serviceCIDR.split('.').slice(0, 2).join('.'))).toBe(true);
    const script = `echo '== by IP'; for i in $(seq 1 12); do curl -s --max-time 5 http://${ip}/; done; echo '== by name'; for i in $(seq 1 12); do curl -s --max-time 5 http://kubia/; done; echo '== resolv.conf'; cat /etc/resolv.conf`;
    await c.ok(['run', 'client', '--image=busybox', '--restart=Never', '--', 'sh', '-c', script]);
    await c.until(['get', 'pod', 'client', '-o', 'jsonpath={.status.phase}'], /Succeeded|Failed/, 90_000);
    const logs = await c.ok(['logs', 'client']);
    const [byIP, byName, resolv] = logs.split(/== (?:by name|resolv\.conf)\n/);
    const names = (await podsOf('app=kubia')).map((p) => p.metadata.name).sort();
    expect(names).toHaveLength(3);
    expect(kubiaHosts(byIP)).toHaveLength(12);
    expect([...new Set(kubiaHosts(byIP))].sort()).toEqual(names);
    expect(kubiaHosts(byName)).toHaveLength(12);
    expect([...new Set(kubiaHosts(byName))].sort()).toEqual(names);
    expect(resolv).toContain(`nameserver ${clusterDNS}\n`);
    expect(resolv).toContain('search default.svc.cluster.local svc.cluster.local cluster.local\n');
    expect(resolv).toContain('options ndots:5');
    await noteVeths();
  });

  it('reaches all three through a NodePort from the machine; turned back into ClusterIP, its nodePort is cleared, released and no longer served', async () => {
    const manifest = seed.nodePortService();
    delete manifest.spec.ports[0].nodePort; // a free one: 30001 may be another test's on this machine
    await c.ok(['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
    const nodePort = (await json(['get', 'service', 'kubia-nodeport'])).spec.ports[0].nodePort as number;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    await readyEndpoints('kubia-nodeport', 3);
    const names = (await podsOf('app=kubia')).map((p) => p.metadata.name).sort();
    for (const address of ['127.0.0.1', nodeIP]) {
      const hosts: string[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await untilAnswered(() => getOnce(`http://${address}:${nodePort}/`));
        expect(r.status).toBe(200);
        hosts.push(...kubiaHosts(r.body));
      }
      expect([...new Set(hosts)].sort()).toEqual(names);
    }

    await c.ok(['patch', 'service', 'kubia-nodeport', '-p', '{"spec":{"type":"ClusterIP"}}']);
    const after = await json(['get', 'service', 'kubia-nodeport']);
    expect(after.spec.type).toBe('ClusterIP');
    expect(after.spec.ports[0].nodePort).toBeUndefined();
    await waitFor(async () => (await getOnce(`http://127.0.0.1:${nodePort}/`).then(() => 'served', () => 'refused')) === 'refused', 30_000);
    // Released: another Service may have it now.
    await c.ok(['create', 'service', 'nodeport', 'taker', '--tcp=80:8080', `--node-port=${nodePort}`]);
    await c.ok(['delete', 'service', 'taker']);
  });

  it("gives the seed's `kubectl expose rc kubia --type=LoadBalancer` an EXTERNAL-IP where all three answer from the machine", async () => {
    await c.ok(['expose', 'rc', 'kubia', '--type=LoadBalancer', '--name', 'kubia-http', '--port=80', '--target-port=8080']);
    const external = await c.until(['get', 'service', 'kubia-http', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'], /^127\./, 30_000);
    expect(await c.ok(['get', 'service', 'kubia-http'])).toMatch(new RegExp(`kubia-http\\s+LoadBalancer\\s+\\S+\\s+${external.replace(/\./g, '\\.')}\\s+80:3\\d{4}/TCP`));
    await readyEndpoints('kubia-http', 3);
    const hosts: string[] = [];
    for (let i = 0; i < 12; i++) hosts.push(...kubiaHosts((await untilAnswered(() => getOnce(`http://${external}/`))).body));
    expect([...new Set(hosts)].sort()).toEqual((await podsOf('app=kubia')).map((p) => p.metadata.name).sort());
    await c.ok(['delete', 'service', 'kubia-http']);
  });

  it('with sessionAffinity: ClientIP a pod reaches one replica only, and all three again without it', async () => {
    const ip = await clusterIPOf('kubia');
    await c.ok(['patch', 'service', 'kubia', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}']);
    // The proxy follows the Service through its informer: within seconds every request sticks to one pod.
    let hosts: string[] = [];
    await waitFor(async () => {
      hosts = await curlFrom('sleeper', `http://${ip}/`, 9);
      return hosts.length === 9 && new Set(hosts).size === 1;
    }, 30_000);
    expect(new Set(await curlFrom('sleeper', `http://${ip}/`, 9)).size).toBe(1);
    await c.ok(['patch', 'service', 'kubia', '-p', '{"spec":{"sessionAffinity":"None"}}']);
    await waitFor(async () => new Set(await curlFrom('sleeper', `http://${ip}/`, 9)).size === 3, 30_000);
  });

  it('sends no traffic to a pod whose readiness probe fails, and sends it again once it passes; the headless Service resolves to the ready pods only', async () => {
    // The seed's readiness probe (`ls /var/ready_now`). Pods of the process runtime share the
    // host's file system, so /var is an emptyDir here: each pod has a /var of its own.
    await c.ok(['apply', '-f', '-'], {
      stdin: `apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia-ready
spec:
  replicas: 3
  selector:
    app: kubia-ready
  template:
    metadata:
      labels:
        app: kubia-ready
    spec:
      containers:
        - name: kubia-container
          image: yinzige/kubia
          ports:
            - containerPort: 8080
          readinessProbe:
            periodSeconds: 1
            exec:
              command:
                - ls
                - /var/ready_now
          volumeMounts:
            - name: var
              mountPath: /var
      volumes:
        - name: var
          emptyDir: {}
---
apiVersion: v1
kind: Service
metadata:
  name: kubia-ready
spec:
  ports:
    - port: 80
      targetPort: 8080
  selector:
    app: kubia-ready
---
apiVersion: v1
kind: Service
metadata:
  name: kubia-ready-headless
spec:
  clusterIP: None
  ports:
    - port: 80
      targetPort: 8080
  selector:
    app: kubia-ready
`,
    });
    await c.until(['get', 'endpoints', 'kubia-ready', '-o', 'jsonpath={range .subsets[*].notReadyAddresses[*]}{.ip}{"\\n"}{end}'], (out) => out.trim().split('\n').filter(Boolean).length === 3, 120_000);
    const ip = await clusterIPOf('kubia-ready');
    // Not ready: the proxy has no endpoint and closes the connection; the headless name has no address.
    expect(await curlFrom('sleeper', `http://${ip}/`, 3)).toEqual([]);
    expect(await lookupFrom('sleeper', 'kubia-ready-headless')).toEqual([]);

    const pods = await podsOf('app=kubia-ready');
    for (const p of pods) expect((await inPod(p.metadata.name, ['touch', '/var/ready_now'])).code).toBe(0);
    await readyEndpoints('kubia-ready', 3);
    const all = pods.map((p) => p.metadata.name).sort();
    await waitFor(async () => [...new Set(await curlFrom('sleeper', `http://${ip}/`, 9))].sort().join() === all.join(), 30_000);
    expect(await lookupFrom('sleeper', 'kubia-ready-headless')).toEqual(pods.map((p) => p.status.podIP).sort());

    const [sick, ...well] = pods;
    expect((await inPod(sick.metadata.name, ['rm', '/var/ready_now'])).code).toBe(0);
    await c.until(['get', 'pod', sick.metadata.name, '-o', 'jsonpath={.status.containerStatuses[0].ready}'], /false/, 30_000);
    await readyEndpoints('kubia-ready', 2);
    await waitFor(async () => (await lookupFrom('sleeper', 'kubia-ready-headless.default.svc.cluster.local')).length === 2, 15_000);
    const hosts = await curlFrom('sleeper', `http://${ip}/`, 12);
    expect(hosts).toHaveLength(12);
    expect(hosts).not.toContain(sick.metadata.name);
    expect([...new Set(hosts)].sort()).toEqual(well.map((p) => p.metadata.name).sort());
    expect(await lookupFrom('sleeper', 'kubia-ready-headless')).toEqual(well.map((p) => p.status.podIP).sort());

    expect((await inPod(sick.metadata.name, ['touch', '/var/ready_now'])).code).toBe(0);
    await readyEndpoints('kubia-ready', 3);
    await waitFor(async () => (await curlFrom('sleeper', `http://${ip}/`, 9)).includes(sick.metadata.name), 30_000);
    expect(await lookupFrom('sleeper', 'kubia-ready-headless')).toEqual(pods.map((p) => p.status.podIP).sort());
    await noteVeths();
  });

  it("resolves the seed's headless Service to every ready kubia pod, and a ClusterIP Service's name to its ClusterIP", async () => {
    await c.ok(['apply', '-f', '-'], { stdin: JSON.stringify(seed.headlessService()) });
    const ips = (await podsOf('app=kubia')).map((p) => p.status.podIP).sort();
    await waitFor(async () => (await lookupFrom('sleeper', 'kubia-headless')).join() === ips.join(), 30_000);
    expect(await lookupFrom('sleeper', 'kubia-headless.default.svc.cluster.local')).toEqual(ips);
    expect(await lookupFrom('sleeper', 'kubia.default')).toEqual([await clusterIPOf('kubia')]);
    expect(await lookupFrom('sleeper', 'kube-dns.kube-system.svc.cluster.local')).toEqual([clusterDNS]);
  });

  it('routes two hosts and two paths of an Ingress to two Services', async () => {
    await c.ok(['create', 'deployment', 'kubia-v2', '--image=luksa/kubia:v2', '--replicas=2', '--port=8080']);
    await c.ok(['expose', 'deployment', 'kubia-v2', '--port=80', '--target-port=8080']);
    await readyEndpoints('kubia-v2', 2);
    await c.ok(['apply', '-f', '-'], {
      stdin: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: kubia
spec:
  rules:
    - host: kubia.example.com
      http:
        paths:
          - path: /kubia
            pathType: Prefix
            backend:
              service:
                name: kubia
                port:
                  number: 80
          - path: /v2
            pathType: Prefix
            backend:
              service:
                name: kubia-v2
                port:
                  number: 80
    - host: new.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: kubia-v2
                port:
                  number: 80
`,
    });
    await c.until(['get', 'ingress', 'kubia', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'], /127\.0\.0\.1/, 30_000);
    const v1 = (await podsOf('app=kubia')).map((p) => p.metadata.name);
    const v2 = (await podsOf('app=kubia-v2')).map((p) => p.metadata.name);
    const ingress = (host: string, path: string) => getOnce(`http://127.0.0.1:${ingressPort}${path}`, host);
    const kubia = await ingress('kubia.example.com', '/kubia');
    expect(kubia.status).toBe(200);
    expect(kubia.body).toMatch(/^You've hit /);
    expect(v1).toContain(kubiaHosts(kubia.body)[0]);
    const kubiaV2 = await ingress('kubia.example.com', '/v2/x');
    expect(kubiaV2.body).toMatch(/^This is v2 running in pod /);
    expect(v2).toContain(kubiaHosts(kubiaV2.body)[0]);
    const other = await ingress('new.example.com', '/');
    expect(other.body).toMatch(/^This is v2 running in pod /);
    // Both replicas of kubia-v2 serve behind the Ingress.
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(kubiaHosts((await ingress('new.example.com', '/anything')).body)[0]);
    expect([...seen].sort()).toEqual([...v2].sort());
    expect(await ingress('kubia.example.com', '/elsewhere')).toEqual({ status: 404, body: 'default backend - 404\n' });
    expect((await ingress('nobody.example.com', '/kubia')).status).toBe(404);
    await noteVeths();
  });

  it('leaves no network namespace, bridge, veth, proxy device or pid file behind when it stops', async () => {
    const agentPid = c.proc.child.pid!;
    const before: NodeHostState = await nodeHostState(node, podCIDR, agentPid);
    expect(before.bridge && before.pidFile && before.proxyDevice).toBe(true);
    expect(before.namespaces.length).toBeGreaterThanOrEqual(10);
    expect(veths.size).toBeGreaterThanOrEqual(10);
    stopped = true;
    await c.stop();
    expect(await untilNothingLeft(node, podCIDR, agentPid, [...veths])).toEqual(NOTHING_LEFT);
  });
});

/** Retries a request the proxy may not serve yet (its listener follows the Service within a moment). */
async function untilAnswered<T>(request: () => Promise<T>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await request();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
