/**
 * Test helpers for rollouts on a simulated cluster: real kubectl pointed at
 * the cluster, and an observer that sees every change to a Deployment's pods
 * and ReplicaSets (list, then watch from the list's resourceVersion) and
 * keeps the extremes a rollout must respect.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Pod, ReplicaSet } from '@logbook/api';
import { kinds, KubeClient, KubeObject, ResourceKind } from '@logbook/sdk';
import type { Subscription } from 'rxjs';

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Real kubectl with no kubeconfig, `--server` the cluster, a private discovery cache. */
export class Kubectl {
  private readonly home = fs.mkdtempSync(path.join(os.tmpdir(), 'kubectl-home-'));

  constructor(private readonly server: string) {}

  run(args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = execFile(
        'kubectl',
        ['--server', this.server, '--cache-dir', path.join(this.home, 'cache'), ...args],
        { env: { PATH: process.env.PATH, HOME: this.home, KUBECONFIG: path.join(this.home, 'none') }, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 }),
      );
      child.stdin!.end(opts.stdin ?? '');
    });
  }

  /** kubectl that must succeed; returns stdout. */
  async ok(args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Writes a manifest to a file and returns its path. */
  manifest(name: string, yaml: string): string {
    const file = path.join(this.home, name);
    fs.writeFileSync(file, yaml);
    return file;
  }

  dispose(): void {
    fs.rmSync(this.home, { recursive: true, force: true });
  }
}

/** What kubectl counts: a pod Running with Ready=True and not being deleted. */
export const isReadyPod = (p: Pod): boolean =>
  !p.metadata?.deletionTimestamp && p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** A pod not yet gone and not finished (kube's oldPodsRunning would wait for it). */
export const isLivePod = (p: Pod): boolean => !['Succeeded', 'Failed'].includes(p.status?.phase ?? '');

/** The first container's image of a pod spec. */
export const imageOf = (spec: { containers?: Array<{ image?: string }> } | undefined): string => spec?.containers?.[0]?.image ?? '';

/** One moment of the rollout, after one change. */
export interface RolloutSample {
  /** Pods Ready and not being deleted. */
  ready: number;
  /** Pods not being deleted (what counts against maxSurge). */
  pods: number;
  /** Sum of availableReplicas over the ReplicaSets. */
  available: number;
  /** Pods not yet finished (being deleted included), by image. */
  liveByImage: Record<string, number>;
}

/**
 * Follows a label selector's pods and ReplicaSets in a namespace; every
 * event after the initial lists adds a sample.
 */
export class RolloutObserver {
  readonly samples: RolloutSample[] = [];
  private readonly pods = new Map<string, Pod>();
  private readonly replicaSets = new Map<string, ReplicaSet>();
  private readonly subs: Subscription[] = [];
  private failure: unknown;

  private constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly labelSelector: string,
  ) {}

  static async start(client: KubeClient, namespace: string, labelSelector: string): Promise<RolloutObserver> {
    const o = new RolloutObserver(client, namespace, labelSelector);
    await o.follow(kinds.Pod, o.pods);
    await o.follow(kinds.ReplicaSet, o.replicaSets);
    o.sample();
    return o;
  }

  private async follow<T extends KubeObject>(kind: ResourceKind<T>, into: Map<string, T>): Promise<void> {
    const list = await this.client.list(kind, { namespace: this.namespace, labelSelector: this.labelSelector });
    for (const item of list.items) into.set(item.metadata!.name!, item);
    this.subs.push(
      this.client.watch(kind, { namespace: this.namespace, labelSelector: this.labelSelector, resourceVersion: list.resourceVersion }).subscribe({
        next: (e) => {
          if (e.type === 'BOOKMARK') return;
          if (e.type === 'DELETED') into.delete(e.object.metadata!.name!);
          else into.set(e.object.metadata!.name!, e.object);
          this.sample();
        },
        error: (err) => (this.failure = err),
      }),
    );
  }

  private sample(): void {
    const pods = [...this.pods.values()];
    const liveByImage: Record<string, number> = {};
    for (const p of pods.filter(isLivePod)) liveByImage[imageOf(p.spec)] = (liveByImage[imageOf(p.spec)] ?? 0) + 1;
    this.samples.push({
      ready: pods.filter(isReadyPod).length,
      pods: pods.filter((p) => !p.metadata?.deletionTimestamp).length,
      available: [...this.replicaSets.values()].reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0),
      liveByImage,
    });
  }

  /** The lowest and highest values seen. */
  get extremes(): { minReady: number; minAvailable: number; maxPods: number } {
    if (this.failure) throw this.failure;
    return {
      minReady: Math.min(...this.samples.map((s) => s.ready)),
      minAvailable: Math.min(...this.samples.map((s) => s.available)),
      maxPods: Math.max(...this.samples.map((s) => s.pods)),
    };
  }

  stop(): void {
    this.subs.splice(0).forEach((s) => s.unsubscribe());
  }
}
