/**
 * Builders for the Deployment controller's unit tests, so that a test reads
 * like its scenario: `aDeployment().replicas(10).rollingUpdate(3, 2)`,
 * `aReplicaSet('kubia-old').replicas(8).available(8).revision(1)`.
 */
import type { Deployment, DeploymentStatus, IntOrString, PodTemplateSpec, ReplicaSet } from '@logbook/api';
import { DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION } from './revisions';

export const template = (image: string): PodTemplateSpec => ({
  metadata: { labels: { app: 'kubia' } },
  spec: { containers: [{ name: 'nodejs', image }] },
});

export class DeploymentBuilder {
  private readonly d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'kubia', namespace: 'default', uid: 'd-uid', generation: 1, annotations: {} },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'kubia' } },
      template: template('luksa/kubia:v1'),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
  };

  replicas(n: number): this {
    this.d.spec!.replicas = n;
    return this;
  }
  rollingUpdate(maxSurge: IntOrString, maxUnavailable: IntOrString): this {
    this.d.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } };
    return this;
  }
  recreate(): this {
    this.d.spec!.strategy = { type: 'Recreate' };
    return this;
  }
  image(image: string): this {
    this.d.spec!.template = template(image);
    return this;
  }
  generation(n: number): this {
    this.d.metadata!.generation = n;
    return this;
  }
  progressDeadline(seconds: number | undefined): this {
    this.d.spec!.progressDeadlineSeconds = seconds;
    return this;
  }
  revisionHistoryLimit(n: number): this {
    this.d.spec!.revisionHistoryLimit = n;
    return this;
  }
  paused(): this {
    this.d.spec!.paused = true;
    return this;
  }
  annotate(key: string, value: string): this {
    this.d.metadata!.annotations![key] = value;
    return this;
  }
  status(status: DeploymentStatus): this {
    this.d.status = structuredClone(status);
    return this;
  }
  build(): Deployment {
    return structuredClone(this.d);
  }
}

export const aDeployment = () => new DeploymentBuilder();

export class ReplicaSetBuilder {
  private readonly rs: ReplicaSet;

  constructor(name: string) {
    this.rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: 'default',
        uid: `${name}-uid`,
        generation: 1,
        creationTimestamp: '2024-01-01T00:00:00Z',
        annotations: {},
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'kubia', uid: 'd-uid', controller: true }],
      },
      spec: { replicas: 0, selector: { matchLabels: { app: 'kubia' } }, template: template('luksa/kubia:v1') },
      status: { replicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 },
    };
  }

  /** spec.replicas, and as many pods existing, ready and available (narrow them with `available`). */
  replicas(n: number): this {
    this.rs.spec!.replicas = n;
    this.rs.status = { ...this.rs.status!, replicas: n, readyReplicas: n, availableReplicas: n };
    return this;
  }
  /** How many of its pods are ready and available. */
  available(n: number): this {
    this.rs.status = { ...this.rs.status!, readyReplicas: n, availableReplicas: n };
    return this;
  }
  /** How many pods exist (status.replicas). */
  pods(n: number): this {
    this.rs.status = { ...this.rs.status!, replicas: n };
    return this;
  }
  image(image: string, hash = 'h'): this {
    const t = template(image);
    t.metadata!.labels![POD_TEMPLATE_HASH_LABEL] = hash;
    this.rs.spec!.template = t;
    return this;
  }
  revision(n: number | string): this {
    this.rs.metadata!.annotations![REVISION_ANNOTATION] = String(n);
    return this;
  }
  sizedFor(desired: number, max: number): this {
    this.rs.metadata!.annotations![DESIRED_REPLICAS_ANNOTATION] = String(desired);
    this.rs.metadata!.annotations![MAX_REPLICAS_ANNOTATION] = String(max);
    return this;
  }
  createdAt(t: string): this {
    this.rs.metadata!.creationTimestamp = t;
    return this;
  }
  annotate(key: string, value: string): this {
    this.rs.metadata!.annotations![key] = value;
    return this;
  }
  build(): ReplicaSet {
    return structuredClone(this.rs);
  }
}

export const aReplicaSet = (name: string) => new ReplicaSetBuilder(name);
