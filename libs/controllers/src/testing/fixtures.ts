/**
 * Fixture builders that read like the scenario:
 *
 * ```ts
 * await client.create(kinds.Pod, aPod('kubia-gpu').withNodeSelector({ gpu: 'true' }).build());
 * await client.create(kinds.Deployment, aDeployment('kubia').withReplicas(3).withImage('luksa/kubia:v1').build());
 * const cluster = await startSimulatedCluster({ nodes: [aNode('n1'), aNode('n2').withLabels({ gpu: 'true' })] });
 * ```
 *
 * Every builder is immutable-ish in use (each call returns the builder) and
 * `build()` returns a fresh object each time.
 */
import type {
  Container,
  CronJob,
  DaemonSet,
  Deployment,
  Job,
  NodeSelectorRequirement,
  ObjectMeta,
  OwnerReference,
  Pod,
  PodSpec,
  PodTemplateSpec,
  Probe,
  ReplicaSet,
  ReplicationController,
  StatefulSet,
  Taint,
  Toleration,
} from '@logbook/api';
import type { NodeConfig } from '@logbook/node-agent';

type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** Things pods and pod templates share: labels, containers, scheduling, simulation. */
abstract class PodShapeBuilder<Self> {
  protected abstract podMeta(): ObjectMeta;
  protected abstract podSpec(): PodSpec;
  protected abstract self(): Self;

  private firstContainer(): Container {
    return this.podSpec().containers[0];
  }

  withLabels(labels: Record<string, string>): Self {
    this.podMeta().labels = { ...(this.podMeta().labels ?? {}), ...labels };
    return this.self();
  }

  withAnnotations(annotations: Record<string, string>): Self {
    this.podMeta().annotations = { ...(this.podMeta().annotations ?? {}), ...annotations };
    return this.self();
  }

  /** The image of the first container. */
  withImage(image: string): Self {
    this.firstContainer().image = image;
    return this.self();
  }

  withCommand(...command: string[]): Self {
    this.firstContainer().command = command;
    return this.self();
  }

  withArgs(...args: string[]): Self {
    this.firstContainer().args = args;
    return this.self();
  }

  /** Another container. */
  withContainer(container: Container): Self {
    this.podSpec().containers.push(container);
    return this.self();
  }

  withInitContainer(container: Container): Self {
    (this.podSpec().initContainers ??= []).push(container);
    return this.self();
  }

  /** Requests of the first container, e.g. `{ cpu: '500m', memory: '64Mi' }`. */
  requesting(requests: Record<string, string>): Self {
    const c = this.firstContainer();
    c.resources = { ...(c.resources ?? {}), requests: { ...(c.resources?.requests ?? {}), ...requests } };
    return this.self();
  }

  limitedTo(limits: Record<string, string>): Self {
    const c = this.firstContainer();
    c.resources = { ...(c.resources ?? {}), limits: { ...(c.resources?.limits ?? {}), ...limits } };
    return this.self();
  }

  withHostPort(containerPort: number, hostPort: number): Self {
    const c = this.firstContainer();
    c.ports = [...(c.ports ?? []), { containerPort, hostPort }];
    return this.self();
  }

  withPort(containerPort: number, name?: string): Self {
    const c = this.firstContainer();
    c.ports = [...(c.ports ?? []), { containerPort, ...(name ? { name } : {}) }];
    return this.self();
  }

  withNodeSelector(selector: Record<string, string>): Self {
    this.podSpec().nodeSelector = { ...(this.podSpec().nodeSelector ?? {}), ...selector };
    return this.self();
  }

  /** Required node affinity: one term with these expressions (call again for another, ORed, term). */
  requiringNodeAffinity(...matchExpressions: NodeSelectorRequirement[]): Self {
    const spec = this.podSpec();
    const affinity = (spec.affinity ??= {});
    const nodeAffinity = (affinity.nodeAffinity ??= {});
    const required = (nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution ??= { nodeSelectorTerms: [] });
    required.nodeSelectorTerms.push({ matchExpressions });
    return this.self();
  }

  preferringNodeAffinity(weight: number, ...matchExpressions: NodeSelectorRequirement[]): Self {
    const spec = this.podSpec();
    const nodeAffinity = ((spec.affinity ??= {}).nodeAffinity ??= {});
    (nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution ??= []).push({ weight, preference: { matchExpressions } });
    return this.self();
  }

  tolerating(...tolerations: Toleration[]): Self {
    this.podSpec().tolerations = [...(this.podSpec().tolerations ?? []), ...tolerations];
    return this.self();
  }

  withRestartPolicy(policy: RestartPolicy): Self {
    this.podSpec().restartPolicy = policy;
    return this.self();
  }

  withSchedulerName(name: string): Self {
    this.podSpec().schedulerName = name;
    return this.self();
  }

  withTerminationGracePeriod(seconds: number): Self {
    this.podSpec().terminationGracePeriodSeconds = seconds;
    return this.self();
  }

  /** A readiness probe on the first container (an HTTP GET of `/` on 8080 unless given). */
  withReadinessProbe(probe: Probe = { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 }): Self {
    this.firstContainer().readinessProbe = probe;
    return this.self();
  }

  withLivenessProbe(probe: Probe = { httpGet: { path: '/', port: 8080 } }): Self {
    this.firstContainer().livenessProbe = probe;
    return this.self();
  }

  // --- the simulated runtime's knobs (see apps/node-agent simulation-rules) ---

  /** Its containers exit 1 after the run time (`logbook.io/simulate: fail`). */
  failing(after?: string): Self {
    return this.withAnnotations({ 'logbook.io/simulate': 'fail', ...(after ? { 'logbook.io/simulate-duration': after } : {}) });
  }

  /** Its containers exit 0 after the run time (`logbook.io/simulate: complete`). */
  completing(after?: string): Self {
    return this.withAnnotations({ 'logbook.io/simulate': 'complete', ...(after ? { 'logbook.io/simulate-duration': after } : {}) });
  }

  /** Its containers run but never become ready (`logbook.io/simulate: unready`). */
  neverReady(): Self {
    return this.withAnnotations({ 'logbook.io/simulate': 'unready' });
  }
}

const container = (name: string, image = 'luksa/kubia'): Container => ({ name, image });

// --- Pod -------------------------------------------------------------------------

export class PodBuilder extends PodShapeBuilder<PodBuilder> {
  private readonly pod: Pod;

  constructor(name: string) {
    super();
    this.pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [container(name)] } };
  }

  protected podMeta(): ObjectMeta {
    return this.pod.metadata!;
  }
  protected podSpec(): PodSpec {
    return this.pod.spec!;
  }
  protected self(): PodBuilder {
    return this;
  }

  inNamespace(namespace: string): this {
    this.pod.metadata!.namespace = namespace;
    return this;
  }

  /** Bound to a node from the start (no scheduler involved). */
  onNode(nodeName: string): this {
    this.pod.spec!.nodeName = nodeName;
    return this;
  }

  /** Controlled by `owner` (an object read back from the server, so it has a uid). */
  ownedBy(owner: { apiVersion?: string; kind?: string; metadata?: ObjectMeta }, opts: { controller?: boolean; blockOwnerDeletion?: boolean } = {}): this {
    const ref: OwnerReference = {
      apiVersion: owner.apiVersion ?? 'v1',
      kind: owner.kind ?? '',
      name: owner.metadata?.name ?? '',
      uid: owner.metadata?.uid ?? '',
      controller: opts.controller ?? true,
      blockOwnerDeletion: opts.blockOwnerDeletion ?? true,
    };
    if (!ref.kind || !ref.uid) throw new Error('ownedBy needs an owner with kind and metadata.uid (read it back from the server)');
    this.pod.metadata!.ownerReferences = [...(this.pod.metadata!.ownerReferences ?? []), ref];
    return this;
  }

  build(): Pod {
    return structuredClone(this.pod);
  }
}

export const aPod = (name: string) => new PodBuilder(name);

// --- workloads -------------------------------------------------------------------

type WithTemplate = { metadata?: ObjectMeta; spec?: { template?: PodTemplateSpec; selector?: unknown } };

abstract class WorkloadBuilder<T extends WithTemplate, Self> extends PodShapeBuilder<Self> {
  protected constructor(protected readonly obj: T) {
    super();
  }

  protected podMeta(): ObjectMeta {
    return this.obj.spec!.template!.metadata!;
  }
  protected podSpec(): PodSpec {
    return this.obj.spec!.template!.spec!;
  }

  inNamespace(namespace: string): Self {
    this.obj.metadata!.namespace = namespace;
    return this.self();
  }

  /** Labels of the object itself (`withLabels` labels the pods). */
  withObjectLabels(labels: Record<string, string>): Self {
    this.obj.metadata!.labels = { ...(this.obj.metadata!.labels ?? {}), ...labels };
    return this.self();
  }

  withObjectAnnotations(annotations: Record<string, string>): Self {
    this.obj.metadata!.annotations = { ...(this.obj.metadata!.annotations ?? {}), ...annotations };
    return this.self();
  }

  build(): T {
    return structuredClone(this.obj);
  }
}

function template(name: string, labels: Record<string, string>, image?: string): PodTemplateSpec {
  return { metadata: { labels: { ...labels } }, spec: { containers: [container(name, image)] } };
}

/** Selector and pod labels `app=<name>` unless changed with `withSelector`. */
abstract class ReplicatedBuilder<T extends WithTemplate & { spec?: { replicas?: number } }, Self> extends WorkloadBuilder<T, Self> {
  withReplicas(n: number): Self {
    this.obj.spec!.replicas = n;
    return this.self();
  }

  /** matchLabels of the selector; the pod template gets the same labels. */
  withSelector(matchLabels: Record<string, string>): Self {
    (this.obj.spec as { selector?: unknown }).selector = { matchLabels: { ...matchLabels } };
    this.withLabels(matchLabels);
    return this.self();
  }
}

export class DeploymentBuilder extends ReplicatedBuilder<Deployment, DeploymentBuilder> {
  constructor(name: string) {
    super({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'default' },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: template(name, { app: name }) },
    });
  }
  protected self(): DeploymentBuilder {
    return this;
  }

  rollingUpdate(opts: { maxSurge?: number | string; maxUnavailable?: number | string } = {}): this {
    this.obj.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { ...opts } };
    return this;
  }

  recreate(): this {
    this.obj.spec!.strategy = { type: 'Recreate' };
    return this;
  }

  withMinReadySeconds(seconds: number): this {
    this.obj.spec!.minReadySeconds = seconds;
    return this;
  }

  withProgressDeadlineSeconds(seconds: number): this {
    this.obj.spec!.progressDeadlineSeconds = seconds;
    return this;
  }

  withRevisionHistoryLimit(n: number): this {
    this.obj.spec!.revisionHistoryLimit = n;
    return this;
  }

  paused(): this {
    this.obj.spec!.paused = true;
    return this;
  }
}

export class ReplicaSetBuilder extends ReplicatedBuilder<ReplicaSet, ReplicaSetBuilder> {
  constructor(name: string) {
    super({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace: 'default' },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: template(name, { app: name }) },
    });
  }
  protected self(): ReplicaSetBuilder {
    return this;
  }

  /** A selector with expressions (matchLabels are kept). The template's labels are yours to set. */
  withSelectorExpressions(...matchExpressions: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>): this {
    const selector = (this.obj.spec!.selector ??= {});
    selector.matchExpressions = [...(selector.matchExpressions ?? []), ...matchExpressions];
    return this;
  }
}

export class ReplicationControllerBuilder extends ReplicatedBuilder<ReplicationController, ReplicationControllerBuilder> {
  constructor(name: string) {
    super({
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name, namespace: 'default' },
      spec: { replicas: 1, selector: { app: name }, template: template(name, { app: name }) },
    });
  }
  protected self(): ReplicationControllerBuilder {
    return this;
  }

  /** An RC's selector is a plain map; the template gets the same labels. */
  override withSelector(selector: Record<string, string>): this {
    this.obj.spec!.selector = { ...selector };
    this.withLabels(selector);
    return this;
  }
}

export class DaemonSetBuilder extends WorkloadBuilder<DaemonSet, DaemonSetBuilder> {
  constructor(name: string) {
    super({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace: 'default' },
      spec: { selector: { matchLabels: { app: name } }, template: template(name, { app: name }) },
    });
  }
  protected self(): DaemonSetBuilder {
    return this;
  }
}

export class StatefulSetBuilder extends ReplicatedBuilder<StatefulSet, StatefulSetBuilder> {
  constructor(name: string) {
    super({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name, namespace: 'default' },
      spec: { replicas: 1, serviceName: name, selector: { matchLabels: { app: name } }, template: template(name, { app: name }) },
    });
  }
  protected self(): StatefulSetBuilder {
    return this;
  }

  withServiceName(serviceName: string): this {
    this.obj.spec!.serviceName = serviceName;
    return this;
  }

  parallel(): this {
    this.obj.spec!.podManagementPolicy = 'Parallel';
    return this;
  }

  /** A PVC template (ReadWriteOnce, this size) mounted at `mountPath` in the first container. */
  withVolumeClaim(name: string, size: string, mountPath: string): this {
    this.obj.spec!.volumeClaimTemplates = [
      ...(this.obj.spec!.volumeClaimTemplates ?? []),
      { metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } } },
    ];
    const c = this.podSpec().containers[0];
    c.volumeMounts = [...(c.volumeMounts ?? []), { name, mountPath }];
    return this;
  }
}

/** A Job of the seed's batch-job image, restartPolicy OnFailure; pods exit 0 after the simulated run time. */
export class JobBuilder extends WorkloadBuilder<Job, JobBuilder> {
  constructor(name: string) {
    const t = template(name, {}, 'luksa/batch-job');
    t.spec!.restartPolicy = 'OnFailure';
    super({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' }, spec: { template: t } });
  }
  protected self(): JobBuilder {
    return this;
  }

  withCompletions(n: number): this {
    this.obj.spec!.completions = n;
    return this;
  }

  withParallelism(n: number): this {
    this.obj.spec!.parallelism = n;
    return this;
  }

  withBackoffLimit(n: number): this {
    this.obj.spec!.backoffLimit = n;
    return this;
  }

  withActiveDeadlineSeconds(seconds: number): this {
    this.obj.spec!.activeDeadlineSeconds = seconds;
    return this;
  }
}

export class CronJobBuilder {
  private readonly job: JobBuilder;
  private readonly cron: CronJob;

  constructor(name: string, schedule: string) {
    this.job = new JobBuilder(name);
    this.cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: 'default' }, spec: { schedule, jobTemplate: { spec: {} } } };
  }

  /** Shapes the Job template: `aCronJob('c', '* * * * *').withJob((j) => j.withCompletions(2))`. */
  withJob(shape: (job: JobBuilder) => JobBuilder): this {
    shape(this.job);
    return this;
  }

  withConcurrencyPolicy(policy: 'Allow' | 'Forbid' | 'Replace'): this {
    this.cron.spec!.concurrencyPolicy = policy;
    return this;
  }

  withStartingDeadlineSeconds(seconds: number): this {
    this.cron.spec!.startingDeadlineSeconds = seconds;
    return this;
  }

  suspended(): this {
    this.cron.spec!.suspend = true;
    return this;
  }

  inNamespace(namespace: string): this {
    this.cron.metadata!.namespace = namespace;
    return this;
  }

  build(): CronJob {
    const out = structuredClone(this.cron);
    const job = this.job.build();
    out.spec!.jobTemplate = { metadata: { labels: job.metadata?.labels }, spec: job.spec };
    return out;
  }
}

export const aDeployment = (name: string) => new DeploymentBuilder(name);
export const aReplicaSet = (name: string) => new ReplicaSetBuilder(name);
export const aReplicationController = (name: string) => new ReplicationControllerBuilder(name);
export const aDaemonSet = (name: string) => new DaemonSetBuilder(name);
export const aStatefulSet = (name: string) => new StatefulSetBuilder(name);
export const aJob = (name: string) => new JobBuilder(name);
export const aCronJob = (name: string, schedule: string) => new CronJobBuilder(name, schedule);

// --- Node ------------------------------------------------------------------------

/** A simulated node for `startSimulatedCluster` (defaults: cpu 4, memory 16Gi, pods 110). */
export class NodeBuilder {
  private readonly config: NodeConfig;

  constructor(name: string) {
    this.config = { name };
  }

  withLabels(labels: Record<string, string>): this {
    this.config.labels = { ...(this.config.labels ?? {}), ...labels };
    return this;
  }

  /** e.g. `{ cpu: '2', memory: '4Gi', pods: 10 }` (allocatable is the same). */
  withCapacity(capacity: Record<string, string | number>): this {
    this.config.capacity = { ...(this.config.capacity ?? {}), ...capacity };
    return this;
  }

  withAllocatable(allocatable: Record<string, string | number>): this {
    this.config.allocatable = { ...(this.config.allocatable ?? {}), ...allocatable };
    return this;
  }

  withTaint(key: string, value: string | undefined, effect: Taint['effect']): this {
    this.config.taints = [...(this.config.taints ?? []), { key, ...(value !== undefined ? { value } : {}), effect }];
    return this;
  }

  /** Registered cordoned (`spec.unschedulable: true`). */
  unschedulable(): this {
    this.config.unschedulable = true;
    return this;
  }

  build(): NodeConfig {
    return structuredClone(this.config);
  }
}

export const aNode = (name: string) => new NodeBuilder(name);
