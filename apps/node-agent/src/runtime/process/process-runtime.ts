import { randomBytes } from 'crypto';
import type { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Container, Pod, Probe } from '@logbook/api';
import { Logger } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { ContainerLogRef, ContainerRuntime, ExecTarget, PortDialer, RuntimeContainerStatus, RuntimeEvent, RuntimePodStatus } from '../container-runtime';
import { imageId, normalizeImage } from '../image-reference';
import { canIsolatePods } from './command';
import { commandLine, ConfigSource, ContainerConfigError, containerEnv } from './container-env';
import { serviceEnvironment } from '../../proxy/service-env';
import { BindMount, exitCodeOf, signalGroup, spawnContainer } from './container-process';
import { ImageCatalog, ResolvedImage } from './image-catalog';
import { LogWriter } from './log-file';
import { HostPodNetwork, NetnsPodNetwork, PodNetwork, PodSandbox } from './pod-network';
import { ProbeKind, ProbeWorker, runToExit } from './probes';
import { hostsFile, resolvConf } from './pod-files';
import { dialPodPort } from './pod-port';
import { StartTrace } from './start-trace';

/** What the volume helper hands the runtime (apps/node-agent/src/volumes): a pod's mounts per container. */
export interface PodVolumeMounts {
  mountsFor(containerName: string): { hostPath: string; containerPath: string; readOnly: boolean }[];
}

/** Sets up and tears down pods' volumes (the VolumeManager, apps/node-agent/src/volumes). */
export interface VolumeProvider {
  /** Resolves once every volume of the pod is there (waiting for ConfigMaps, claims ...). */
  setUp(pod: Pod): Promise<PodVolumeMounts>;
  tearDown(podUid: string): Promise<void>;
  close?(): Promise<void>;
}

export interface ProcessRuntimeOptions {
  nodeName: string;
  /** Where pod IPs come from (isolated pods). */
  podCIDR: string;
  /** The node's address when pods share the host's network (default 127.0.0.1). */
  hostAddress?: string;
  /** Pod logs and files live under `<stateDir>/pods/<uid>`. Default: a fresh directory under the OS temp dir. */
  stateDir?: string;
  /** Builds the volume provider for this runtime's state directory (the pods' volumes live beside their logs). */
  volumes?: (stateDir: string) => VolumeProvider;
  catalog?: ImageCatalog;
  /** ConfigMaps and Secrets for `env`/`envFrom`. */
  config: ConfigSource;
  /** The node's allocatable resources (for `resourceFieldRef` limits a container does not set). */
  allocatable: Record<string, string>;
  /** The cluster DNS server's IP: pods with dnsPolicy ClusterFirst get it in /etc/resolv.conf. */
  clusterDNS?: string;
  /** Default `cluster.local`. */
  clusterDomain?: string;
  /** Network and mount namespaces per pod. Default: when running as root. */
  isolate?: boolean;
  /** First crash back-off; doubles per restart. Default 10 s, as Kubernetes. */
  restartBackoffMs?: number;
  /** Cap of the crash back-off. Default 5 min, as Kubernetes. */
  maxRestartBackoffMs?: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** A container that ran this long has its crash back-off forgotten (kubelet: twice the maximum back-off). */
const BACKOFF_RESET_MS = 10 * 60_000;

interface Run {
  child: ChildProcess;
  log: LogWriter;
  exited: Promise<void>;
  startedAt: number;
  /** Why we stopped it: deletion (do not restart) or a failed probe (restart as the policy says). */
  stopReason?: 'kill' | 'probe';
}

interface ProcContainer {
  spec: Container;
  init: boolean;
  sidecar: boolean;
  status: RuntimeContainerStatus;
  run?: Run;
  probes: ProbeWorker[];
  /** Crash back-off: how many back-offs in a row, and the pending restart. */
  backoffs: number;
  retry?: NodeJS.Timeout;
  env?: Record<string, string>;
  /** The working directory of the current run (the container's, else the image's, else `/`). */
  workingDir?: string;
  /** Runs so far (log files 0.log, 1.log, ...). */
  runs: number;
}

interface ProcPod {
  uid: string;
  pod: Pod;
  dir: string;
  sandbox?: PodSandbox;
  mounts?: PodVolumeMounts;
  init: ProcContainer[];
  containers: ProcContainer[];
  killing?: Promise<void>;
  /** Set once killed: nothing starts any more. */
  stopped: boolean;
  trace?: StartTrace;
}

/**
 * The `process` runtime: each container is an OS process. Images resolve
 * through the image catalog to a command; `command`/`args`, `env` (with the
 * Downward API, ConfigMaps and Secrets), `envFrom`, `workingDir` are
 * honoured; init containers run first, in order; containers restart as
 * `restartPolicy` says with Kubernetes' crash back-off; probes (httpGet,
 * tcpSocket, exec) drive readiness and restarts; stopping sends SIGTERM,
 * then SIGKILL after the grace period. As root, each pod has its own
 * network namespace and IP (NetnsPodNetwork) and each container its own
 * mount and UTS namespaces (hostname = the pod's name; volumes, /etc/hosts,
 * /etc/hostname and /etc/resolv.conf bind-mounted in place). Without root,
 * pods share the host's network and file system, which the node reports.
 */
export class ProcessRuntime implements ContainerRuntime {
  readonly name = 'process';
  readonly version = 'process://1.0.0';
  readonly isolated: boolean;
  readonly network: PodNetwork;
  private readonly pods = new Map<string, ProcPod>();
  private readonly changes = new Subject<string>();
  private readonly events = new Subject<RuntimeEvent>();
  private readonly catalog: ImageCatalog;
  private readonly stateDir: string;
  private readonly ownsStateDir: boolean;
  private readonly log: Logger;
  private readonly volumes?: VolumeProvider;
  private closed = false;

  constructor(private readonly opts: ProcessRuntimeOptions) {
    this.isolated = opts.isolate ?? canIsolatePods();
    this.ownsStateDir = !opts.stateDir;
    this.stateDir = opts.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `logbook-kubelet-${opts.nodeName}-`));
    // A temporary state directory is the run's own: the next run of the node removes it if this one dies first.
    this.network = this.isolated
      ? new NetnsPodNetwork(opts.nodeName, opts.podCIDR, this.ownsStateDir ? [this.stateDir] : [])
      : new HostPodNetwork(opts.hostAddress ?? '127.0.0.1');
    this.catalog = opts.catalog ?? ImageCatalog.load();
    this.log = new Logger(`ProcessRuntime ${opts.nodeName}`);
    this.volumes = opts.volumes?.(this.stateDir);
  }

  /** What this runtime cannot do here (empty as root): for the node's annotation and the log. */
  get missingFeatures(): string[] {
    return this.isolated ? [] : ['pod network namespaces (pods share the host network and the node IP)', 'mount namespaces (volumes are not mounted at their container paths)', 'per-pod hostname'];
  }

  get nodeAddress(): string {
    return this.network.nodeAddress;
  }

  get changes$(): Observable<string> {
    return this.changes.asObservable();
  }

  get events$(): Observable<RuntimeEvent> {
    return this.events.asObservable();
  }

  async prepare(): Promise<void> {
    fs.mkdirSync(path.join(this.stateDir, 'pods'), { recursive: true });
    await this.network.start();
    if (!this.isolated) this.log.warn(`not running as root: ${this.missingFeatures.join('; ')}`);
  }

  async syncPod(pod: Pod): Promise<void> {
    if (this.closed) return;
    const uid = pod.metadata!.uid!;
    const known = this.pods.get(uid);
    if (known) {
      known.pod = pod;
      return;
    }
    const hasInit = (pod.spec?.initContainers ?? []).length > 0;
    const p: ProcPod = {
      uid,
      pod,
      dir: path.join(this.stateDir, 'pods', uid),
      init: (pod.spec?.initContainers ?? []).map((c) => this.container(c, true, 'PodInitializing')),
      containers: (pod.spec?.containers ?? []).map((c) => this.container(c, false, hasInit ? 'PodInitializing' : 'ContainerCreating')),
      stopped: false,
      trace: StartTrace.for(`${pod.metadata?.namespace}/${pod.metadata?.name}`),
    };
    this.pods.set(uid, p);
    this.changed(p);
    void this.startPod(p).catch((err) => {
      this.log.warn(`pod ${pod.metadata?.namespace}/${pod.metadata?.name}: ${(err as Error).message}`);
      for (const c of [...p.init, ...p.containers]) c.status.state = { waiting: { reason: 'ContainerCreating', message: (err as Error).message } };
      this.changed(p);
    });
  }

  killPod(pod: Pod, gracePeriodSeconds: number): Promise<void> {
    const p = this.pods.get(pod.metadata!.uid!);
    if (!p) return Promise.resolve();
    if (p.killing) return gracePeriodSeconds === 0 ? Promise.all([...p.init, ...p.containers].map((c) => this.stop(p, c, 0, 'kill'))).then(() => undefined) : p.killing;
    p.stopped = true;
    p.killing = Promise.all([...p.init, ...p.containers].map((c) => this.stop(p, c, gracePeriodSeconds, 'kill'))).then(() => this.changed(p));
    return p.killing;
  }

  async removePod(uid: string): Promise<void> {
    const p = this.pods.get(uid);
    if (!p) return;
    p.stopped = true;
    await Promise.all([...p.init, ...p.containers].map((c) => this.stop(p, c, 0, 'kill')));
    this.pods.delete(uid);
    if (p.sandbox) await this.network.destroy(uid, p.sandbox).catch((err) => this.log.warn(`removing the network of pod ${uid}: ${(err as Error).message}`));
    await this.volumes?.tearDown(uid).catch((err) => this.log.warn(`tearing down the volumes of pod ${uid}: ${(err as Error).message}`));
    fs.rmSync(p.dir, { recursive: true, force: true });
  }

  status(uid: string): RuntimePodStatus | undefined {
    const p = this.pods.get(uid);
    if (!p) return undefined;
    const copy = (c: ProcContainer): RuntimeContainerStatus => structuredClone(c.status);
    return { uid, podIP: p.sandbox?.ip, initContainers: p.init.map(copy), containers: p.containers.map(copy) };
  }

  /** The log file of a container's current (or previous) run, for `kubectl logs`. */
  containerLog(uid: string, containerName: string, previous: boolean): ContainerLogRef {
    const p = this.pods.get(uid);
    const c = p && [...p.init, ...p.containers].find((x) => x.spec.name === containerName);
    const podName = p?.pod.metadata?.name;
    if (!p || !c) return { error: `container ${containerName} is not valid for pod ${podName ?? uid}` };
    const index = c.runs - 1 - (previous ? 1 : 0);
    if (index < 0) {
      if (previous) return { error: `previous terminated container "${containerName}" in pod "${podName}" not found` };
      const waiting = c.status.state.waiting?.reason ?? 'ContainerCreating';
      return { error: `container "${containerName}" in pod "${podName}" is waiting to start: ${waiting}` };
    }
    return { path: this.logPath(p, c, index), live: () => !!c.run && c.runs - 1 === index && !!c.status.state.running };
  }

  /**
   * Runs a command inside a running container (its namespaces, its
   * environment) for `kubectl exec` and exec probes; stdio is the caller's.
   */
  execIn(uid: string, containerName: string, command: string[]): ExecTarget {
    const p = this.pods.get(uid);
    const c = p && [...p.init, ...p.containers].find((x) => x.spec.name === containerName);
    if (!p || !c) return { error: `container ${containerName} is not valid for pod ${p?.pod.metadata?.name ?? uid}` };
    if (!c.run || !c.status.state.running || c.run.child.pid === undefined) return { error: `container ${containerName} is not running` };
    return this.execCommand(c, command);
  }

  /**
   * Connections to the pod's ports for `kubectl port-forward`: to
   * localhost:<port> inside the pod's network namespace (pod-port.ts).
   */
  portDialer(uid: string): PortDialer | { error: string } {
    const p = this.pods.get(uid);
    if (!p) return { error: `pod ${uid} is not running on this node` };
    if (!p.sandbox) return { error: `pod ${p.pod.metadata?.name} has no network yet` };
    const netns = p.pod.spec?.hostNetwork ? undefined : p.sandbox.netns;
    return (port) => dialPodPort(netns ? `/run/netns/${netns}` : undefined, port);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      [...this.pods.values()].map(async (p) => {
        p.stopped = true;
        await Promise.all([...p.init, ...p.containers].map((c) => this.stop(p, c, 2, 'kill')));
        await this.volumes?.tearDown(p.uid).catch(() => undefined);
      }),
    );
    const sandboxes = [...this.pods.values()].filter((p) => p.sandbox?.netns);
    this.pods.clear();
    await Promise.all(sandboxes.map((p) => this.network.destroy(p.uid, p.sandbox!).catch(() => undefined)));
    await this.volumes?.close?.().catch(() => undefined);
    await this.network.close().catch((err) => this.log.warn(`removing pod networks: ${(err as Error).message}`));
    if (this.ownsStateDir) fs.rmSync(this.stateDir, { recursive: true, force: true });
    this.changes.complete();
    this.events.complete();
  }

  // --- pods ----------------------------------------------------------------------

  private container(spec: Container, init: boolean, waiting: string): ProcContainer {
    return {
      spec,
      init,
      sidecar: init && spec.restartPolicy === 'Always',
      status: { name: spec.name, image: normalizeImage(spec.image ?? ''), imageID: '', state: { waiting: { reason: waiting } }, ready: false, started: false, restartCount: 0 },
      probes: [],
      backoffs: 0,
      runs: 0,
    };
  }

  /** The sandbox (network, /etc files, volumes), then the init containers. */
  private async startPod(p: ProcPod): Promise<void> {
    const hostNetwork = !!p.pod.spec?.hostNetwork;
    const sandbox = hostNetwork ? { ip: this.network.nodeAddress } : await this.network.create(p.uid);
    if (p.stopped || this.closed) {
      if (!hostNetwork) await this.network.destroy(p.uid, sandbox);
      return;
    }
    p.sandbox = sandbox;
    p.trace?.mark('sandbox');
    fs.mkdirSync(path.join(p.dir, 'etc'), { recursive: true });
    const hostname = this.hostnameOf(p);
    fs.writeFileSync(path.join(p.dir, 'etc', 'hostname'), `${hostname}\n`);
    fs.writeFileSync(path.join(p.dir, 'etc', 'hosts'), hostsFile(p.pod, sandbox.ip, this.opts.clusterDomain ?? 'cluster.local'));
    const resolv = resolvConf(p.pod, this.opts.clusterDNS, this.opts.clusterDomain ?? 'cluster.local');
    if (resolv) fs.writeFileSync(path.join(p.dir, 'etc', 'resolv.conf'), resolv);
    if (this.volumes && p.pod.spec?.volumes?.length) {
      p.mounts = await this.volumes.setUp(p.pod);
      if (p.stopped || this.closed) return;
    }
    p.trace?.mark('volumes');
    this.changed(p);
    this.runInit(p, 0);
  }

  private hostnameOf(p: ProcPod): string {
    if (p.pod.spec?.hostNetwork) return os.hostname();
    return p.pod.spec?.hostname ?? p.pod.metadata?.name ?? 'pod';
  }

  /** Init containers one after the other (sidecars keep running), then every container. */
  private runInit(p: ProcPod, index: number): void {
    if (p.stopped || this.closed) return;
    const init = p.init[index];
    if (!init) {
      for (const c of p.containers) void this.startContainer(p, c);
      return;
    }
    void this.startContainer(p, init);
    if (init.sidecar) this.runInit(p, index + 1);
  }

  private async startContainer(p: ProcPod, c: ProcContainer): Promise<void> {
    if (p.stopped || this.closed) return;
    const image = this.catalog.resolve(c.spec.image ?? '');
    if (!image) return this.imagePullFailed(p, c);
    let env: Record<string, string>;
    try {
      env = await containerEnv({
        pod: p.pod,
        container: c.spec,
        podIP: p.sandbox?.ip,
        hostIP: this.network.nodeAddress,
        allocatable: this.opts.allocatable,
        config: this.opts.config,
        // Service links of the Services that exist now (the kubelet's getServiceEnvVarMap), below the container's own env.
        base: { PATH: HOST_PATH, HOSTNAME: this.hostnameOf(p), HOME: '/root', ...image.env, ...(await this.serviceLinks(p.pod)) },
      });
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err;
      c.status.state = { waiting: { reason: err.reason, message: err.message } };
      this.event(p, 'Warning', 'Failed', `Error: ${err.message}`);
      this.changed(p);
      return this.retryLater(p, c, this.backoffMs(c));
    }
    if (p.stopped || this.closed) return;
    p.trace?.mark('env');
    const argv = commandLine(c.spec, image, env);
    if (!argv.length) {
      c.status.state = { waiting: { reason: 'CreateContainerError', message: `no command specified for container ${c.spec.name}` } };
      this.changed(p);
      return;
    }
    this.spawn(p, c, image, argv, env);
  }

  /** `KUBIA_SERVICE_HOST` and friends for `pod` (none if the Services cannot be listed). */
  private async serviceLinks(pod: Pod): Promise<Record<string, string>> {
    const services = await this.opts.config.services?.().catch(() => undefined);
    return Object.fromEntries(serviceEnvironment(services ?? [], pod).map((e) => [e.name, e.value ?? '']));
  }

  private spawn(p: ProcPod, c: ProcContainer, image: ResolvedImage, argv: string[], env: Record<string, string>): void {
    const index = c.runs++;
    fs.mkdirSync(path.dirname(this.logPath(p, c, index)), { recursive: true });
    const log = new LogWriter(this.logPath(p, c, index));
    c.env = env;
    c.workingDir = c.spec.workingDir || image.workingDir || '/';
    const child = spawnContainer({
      argv,
      env,
      workingDir: c.workingDir,
      hostname: this.hostnameOf(p),
      netns: p.pod.spec?.hostNetwork ? undefined : p.sandbox?.netns,
      mounts: this.mountsOf(p, c),
      isolated: this.isolated,
    });
    const startedAt = Date.now();
    let startError: Error | undefined;
    const exited = new Promise<void>((resolve) => {
      child.on('error', (err) => {
        startError = err;
        log.write('stderr', `${err.message}\n`);
      });
      child.on('close', (code, signal) => {
        log.close();
        this.exited(p, c, run, startError ? 128 : exitCodeOf(code, signal), startError);
        resolve();
      });
    });
    const run: Run = { child, log, exited, startedAt };
    child.stdout!.on('data', (d: Buffer) => log.write('stdout', d));
    child.stderr!.on('data', (d: Buffer) => log.write('stderr', d));
    c.run = run;
    if (c.runs > 1) c.status.restartCount++;
    c.status.containerID = `process://${randomBytes(32).toString('hex')}`;
    c.status.imageID = imageId(c.spec.image ?? '');
    c.status.state = { running: { startedAt: iso(startedAt) } };
    const startup = c.spec.startupProbe;
    c.status.started = !startup;
    c.status.ready = c.init && !c.sidecar ? false : !c.spec.readinessProbe && !startup;
    this.changed(p);
    p.trace?.finish('spawned');
    if (startup) this.probe(p, c, 'startup', startup, startedAt);
    else this.startProbes(p, c, startedAt);
  }

  private startProbes(p: ProcPod, c: ProcContainer, startedAt: number): void {
    if (c.init && !c.sidecar) return;
    if (c.spec.livenessProbe) this.probe(p, c, 'liveness', c.spec.livenessProbe, startedAt);
    if (c.spec.readinessProbe) this.probe(p, c, 'readiness', c.spec.readinessProbe, startedAt);
  }

  private probe(p: ProcPod, c: ProcContainer, kind: ProbeKind, spec: Probe, startedAt: number): void {
    const run = c.run;
    const worker = new ProbeWorker(
      kind,
      spec,
      c.spec,
      {
        podIP: p.sandbox?.ip ?? this.network.nodeAddress,
        exec: (command, timeoutMs) => {
          const x = this.execCommand(c, command);
          return runToExit(x.file, x.args, x.env, timeoutMs, x.cwd);
        },
      },
      (w, event) => {
        if (c.run !== run || !run?.child || p.stopped) return;
        if (kind === 'readiness') {
          c.status.ready = w.result;
          this.changed(p);
        } else if (kind === 'startup' && event === 'success') {
          c.status.started = true;
          c.status.ready = !c.spec.readinessProbe;
          this.changed(p);
          this.startProbes(p, c, run.startedAt);
        } else if (event === 'failure') {
          this.log.log(`container ${c.spec.name} of pod ${p.pod.metadata?.namespace}/${p.pod.metadata?.name} failed its ${kind} probe (${w.lastMessage ?? 'failed'}), will be restarted`);
          this.event(p, 'Normal', 'Killing', `Container ${c.spec.name} failed ${kind} probe, will be restarted`);
          const grace = spec.terminationGracePeriodSeconds ?? p.pod.spec?.terminationGracePeriodSeconds ?? 30;
          void this.stop(p, c, grace, 'probe');
        }
      },
      (message) => {
        if (c.run === run && run?.child && !p.stopped) this.event(p, 'Warning', 'Unhealthy', `${kind[0].toUpperCase()}${kind.slice(1)} probe failed: ${message}`);
      },
    );
    c.probes.push(worker);
    worker.start(startedAt);
  }

  private exited(p: ProcPod, c: ProcContainer, run: Run, exitCode: number, startError?: Error): void {
    for (const w of c.probes.splice(0)) w.stop();
    if (c.run === run) c.run = undefined;
    const reason = startError ? 'StartError' : exitCode === 0 ? 'Completed' : 'Error';
    c.status.state = {
      terminated: {
        exitCode,
        reason,
        ...(startError ? { message: startError.message } : {}),
        startedAt: iso(run.startedAt),
        finishedAt: iso(Date.now()),
        containerID: c.status.containerID,
      },
    };
    c.status.ready = false;
    c.status.started = false;
    if (Date.now() - run.startedAt >= BACKOFF_RESET_MS) c.backoffs = 0;
    if (run.stopReason === 'kill' || p.stopped || this.closed) return this.changed(p);
    const policy = p.pod.spec?.restartPolicy ?? 'Always';
    if (c.init && !c.sidecar) {
      if (exitCode === 0) {
        this.changed(p);
        return this.runInit(p, p.init.indexOf(c) + 1);
      }
      if (policy === 'Never') return this.changed(p);
    } else if (!c.sidecar && !(policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0))) {
      return this.changed(p);
    }
    this.restartLater(p, c);
  }

  /** Kubernetes' crash back-off: the first restart at once, then 10 s, 20 s, 40 s ... up to 5 min. */
  private backoffMs(c: ProcContainer): number {
    if (c.backoffs === 0) return 0;
    return Math.min((this.opts.restartBackoffMs ?? 10_000) * 2 ** (c.backoffs - 1), this.opts.maxRestartBackoffMs ?? 300_000);
  }

  private restartLater(p: ProcPod, c: ProcContainer): void {
    const delay = this.backoffMs(c);
    c.backoffs++;
    c.status.lastState = c.status.state.terminated ? { terminated: c.status.state.terminated } : c.status.lastState;
    if (delay > 0) {
      c.status.state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.spec.name} pod=${p.pod.metadata?.name}_${p.pod.metadata?.namespace}(${p.uid})`,
        },
      };
    }
    this.changed(p);
    this.retryLater(p, c, delay);
  }

  private retryLater(p: ProcPod, c: ProcContainer, delay: number): void {
    clearTimeout(c.retry);
    c.retry = setTimeout(() => {
      c.retry = undefined;
      void this.startContainer(p, c).catch((err) => this.log.warn(`starting container ${c.spec.name}: ${(err as Error).message}`));
    }, delay);
  }

  /** ErrImagePull, then ImagePullBackOff while retrying with back-off (the catalog may gain the image). */
  private imagePullFailed(p: ProcPod, c: ProcContainer): void {
    const image = c.spec.image ?? '';
    const first = c.status.state.waiting?.reason !== 'ErrImagePull' && c.status.state.waiting?.reason !== 'ImagePullBackOff';
    const delay = first ? 0 : Math.min(10_000 * 2 ** Math.min(c.backoffs, 5), 300_000);
    if (first) {
      const message = `failed to pull and unpack image "${normalizeImage(image)}": ${normalizeImage(image)}: not found (the process runtime's image catalog has no "${image}")`;
      c.status.state = { waiting: { reason: 'ErrImagePull', message } };
      this.event(p, 'Normal', 'Pulling', `Pulling image "${image}"`);
      this.event(p, 'Warning', 'Failed', `Failed to pull image "${image}": ${message}`);
      this.event(p, 'Warning', 'Failed', 'Error: ErrImagePull');
    } else {
      c.backoffs++;
      c.status.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } };
      this.event(p, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
      this.event(p, 'Warning', 'Failed', 'Error: ImagePullBackOff');
    }
    this.changed(p);
    clearTimeout(c.retry);
    // After ErrImagePull the kubelet reports ImagePullBackOff while it waits; each retry that fails shows ErrImagePull again briefly.
    c.retry = setTimeout(
      () => {
        c.retry = undefined;
        if (this.catalog.resolve(image)) void this.startContainer(p, c);
        else this.imagePullFailed(p, c);
      },
      first ? 1000 : delay,
    );
  }

  /** Stops a container: SIGTERM to its process group, SIGKILL after the grace period. */
  private async stop(p: ProcPod, c: ProcContainer, graceSeconds: number, why: 'kill' | 'probe'): Promise<void> {
    if (why === 'kill') {
      clearTimeout(c.retry);
      c.retry = undefined;
    }
    for (const w of c.probes.splice(0)) w.stop();
    const run = c.run;
    // A container that never ran, or waits to be restarted, has nothing to stop.
    if (!run) return;
    run.stopReason = run.stopReason === 'kill' ? 'kill' : why;
    signalGroup(run.child, graceSeconds > 0 ? 'SIGTERM' : 'SIGKILL');
    const timer = graceSeconds > 0 ? setTimeout(() => signalGroup(run.child, 'SIGKILL'), graceSeconds * 1000) : undefined;
    await run.exited;
    clearTimeout(timer);
    // Whatever the container left running in its group goes too.
    signalGroup(run.child, 'SIGKILL');
  }

  private mountsOf(p: ProcPod, c: ProcContainer): BindMount[] {
    if (!this.isolated) return [];
    const etc = (f: string) => path.join(p.dir, 'etc', f);
    const mounts: BindMount[] = [];
    if (!p.pod.spec?.hostNetwork) {
      mounts.push({ hostPath: etc('hosts'), containerPath: '/etc/hosts', readOnly: false });
      mounts.push({ hostPath: etc('hostname'), containerPath: '/etc/hostname', readOnly: false });
    }
    if (fs.existsSync(etc('resolv.conf'))) mounts.push({ hostPath: etc('resolv.conf'), containerPath: '/etc/resolv.conf', readOnly: false });
    for (const m of p.mounts?.mountsFor(c.spec.name) ?? []) mounts.push({ hostPath: m.hostPath, containerPath: m.containerPath, readOnly: m.readOnly });
    return mounts;
  }

  /**
   * A command run in a running container's namespaces (`nsenter -t <pid>`:
   * its network, mount and UTS namespaces), with its environment and working
   * directory.
   */
  private execCommand(c: ProcContainer, command: string[]): { file: string; args: string[]; env: Record<string, string>; cwd?: string } {
    const env = c.env ?? { PATH: HOST_PATH };
    const pid = c.run?.child.pid;
    const cwd = c.workingDir ?? (c.spec.workingDir || '/');
    if (!this.isolated || pid === undefined) return { file: command[0], args: command.slice(1), env, cwd };
    return { file: 'nsenter', args: ['-t', String(pid), '--net', '--mount', '--uts', `--wd=${cwd}`, '--', ...command], env };
  }

  /** An event for the kubelet to record about the pod (kubelet/events). */
  private event(p: ProcPod, type: RuntimeEvent['type'], reason: string, message: string): void {
    if (!this.closed) this.events.next({ uid: p.uid, type, reason, message });
  }

  private logPath(p: ProcPod, c: ProcContainer, index: number): string {
    return path.join(p.dir, 'logs', c.spec.name, `${index}.log`);
  }

  private changed(p: ProcPod): void {
    if (!this.closed) this.changes.next(p.uid);
  }
}
