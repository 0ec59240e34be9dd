import { builtinSchemaFor, listMergeRules } from './builtin-schema';
import { applyStrategicMergePatch, StrategicMergePatchError } from './strategic-merge-patch';

const deploymentSchema = builtinSchemaFor('apps/v1', 'Deployment');

function deployment() {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, finalizers: ['a'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.1',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
            },
            { name: 'sidecar', image: 'envoy:1' },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
          tolerations: [{ key: 'k', operator: 'Exists' }],
        },
      },
    },
  };
}

const patch = (p: unknown) => applyStrategicMergePatch(deployment(), p, deploymentSchema);

describe('strategic merge patch on built-in kinds (what kubectl sends)', () => {
  it('kubectl set image: one container changes, the others stay', () => {
    const out = patch({
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
            containers: [{ image: 'nginx:1.2', name: 'web' }],
          },
        },
      },
    });
    const containers = out.spec.template.spec.containers;
    expect(containers.map((c) => [c.name, c.image])).toEqual([
      ['web', 'nginx:1.2'],
      ['sidecar', 'envoy:1'],
    ]);
    expect(containers[0].env).toHaveLength(2);
    expect(containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  });

  it('does not modify the original or the patch', () => {
    const original = deployment();
    const p = { spec: { template: { spec: { containers: [{ name: 'web', image: 'x' }] } } } };
    const before = JSON.stringify([original, p]);
    applyStrategicMergePatch(original, p, deploymentSchema);
    expect(JSON.stringify([original, p])).toBe(before);
  });

  it('kubectl rollout pause and resume', () => {
    const paused = patch({ spec: { paused: true } });
    expect(paused.spec).toMatchObject({ paused: true, replicas: 2 });
    const resumed = applyStrategicMergePatch(paused, { spec: { paused: null } }, deploymentSchema);
    expect('paused' in resumed.spec).toBe(false);
  });

  it('kubectl rollout restart adds the restartedAt template annotation', () => {
    const out = patch({
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T12:00:00Z' } } } },
    });
    expect(out.spec.template.metadata).toEqual({
      labels: { app: 'web' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T12:00:00Z' },
    });
  });

  it('kubectl apply: replicas change and an env var removed, with $setElementOrder', () => {
    const out = patch({
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'A' }],
                env: [{ $patch: 'delete', name: 'B' }],
                name: 'web',
              },
            ],
          },
        },
      },
    });
    expect(out.spec.replicas).toBe(3);
    expect(out.spec.template.spec.containers[0].env).toEqual([{ name: 'A', value: '1' }]);
    expect((out.metadata as { annotations?: object }).annotations).toEqual({ 'kubectl.kubernetes.io/last-applied-configuration': '{}' });
  });

  it('kubectl apply: a container added in the middle lands where $setElementOrder says', () => {
    const out = patch({
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }, { name: 'logger' }, { name: 'sidecar' }],
            containers: [{ name: 'logger', image: 'fluentbit:2' }],
          },
        },
      },
    });
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['web', 'logger', 'sidecar']);
  });

  it('without $setElementOrder new list items come first, as in Kubernetes', () => {
    const out = patch({ spec: { template: { spec: { containers: [{ name: 'logger', image: 'fluentbit:2' }] } } } });
    expect(out.spec.template.spec.containers.map((c) => c.name)).toEqual(['logger', 'web', 'sidecar']);
  });

  it('container ports merge by containerPort, env by name', () => {
    const out = patch({
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'web',
                ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }],
                env: [{ name: 'B', value: 'two' }],
              },
            ],
          },
        },
      },
    });
    const web = out.spec.template.spec.containers.find((c) => c.name === 'web')!;
    expect(web.ports).toEqual([{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443 }]);
    expect(web.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'two' },
    ]);
  });

  it('lists without a merge key are replaced (tolerations are atomic)', () => {
    const out = patch({ spec: { template: { spec: { tolerations: [{ key: 'other', operator: 'Exists' }] } } } });
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'other', operator: 'Exists' }]);
  });

  it('$retainKeys switches a deployment strategy to Recreate', () => {
    const out = patch({ spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } });
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('$retainKeys in a volume replaces its source', () => {
    const out = patch({
      spec: {
        template: {
          spec: {
            '$setElementOrder/volumes': [{ name: 'data' }],
            volumes: [{ $retainKeys: ['hostPath', 'name'], hostPath: { path: '/srv' }, name: 'data' }],
          },
        },
      },
    });
    expect(out.spec.template.spec.volumes).toEqual([{ name: 'data', hostPath: { path: '/srv' } }]);
  });

  it('$retainKeys rejects patch keys it does not list', () => {
    expect(() => patch({ spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', other: 1 } } })).toThrow(
      new StrategicMergePatchError('invalid patch format of retainKeys', 'badRequest'),
    );
  });

  it('finalizers merge as a set; $deleteFromPrimitiveList removes', () => {
    const added = patch({ metadata: { finalizers: ['b', 'a'] } });
    expect(added.metadata.finalizers).toEqual(['b', 'a']);
    const removed = patch({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } });
    expect(removed.metadata.finalizers).toEqual([]);
  });

  it('ownerReferences merge by uid', () => {
    const pod = { metadata: { name: 'p', ownerReferences: [{ uid: 'u1', name: 'rs1' }] } };
    const out = applyStrategicMergePatch(
      pod,
      { metadata: { ownerReferences: [{ uid: 'u2', name: 'rs2' }, { uid: 'u1', controller: true }] } },
      builtinSchemaFor('v1', 'Pod'),
    );
    expect(out.metadata.ownerReferences).toEqual([
      { uid: 'u2', name: 'rs2' },
      { uid: 'u1', name: 'rs1', controller: true },
    ]);
  });

  it('$patch: replace on a map replaces it; $patch: delete empties it', () => {
    expect(patch({ metadata: { labels: { $patch: 'replace', tier: 'x' } } }).metadata.labels).toEqual({ tier: 'x' });
    expect(patch({ metadata: { labels: { $patch: 'delete' } } }).metadata.labels).toEqual({});
  });

  it('$patch: replace inside a merged list replaces the whole list', () => {
    const out = patch({ spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x' }] } } } });
    expect(out.spec.template.spec.containers).toEqual([{ name: 'only', image: 'x' }]);
  });

  it('applies inside templates of every workload kind', () => {
    const cron = {
      spec: {
        schedule: '* * * * *',
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }] } } } },
      },
    };
    const out = applyStrategicMergePatch(
      cron,
      { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'b', image: '2' }] } } } } } },
      builtinSchemaFor('batch/v1', 'CronJob'),
    );
    expect(out.spec.jobTemplate.spec.template.spec.containers).toEqual([
      { name: 'a', image: '1' },
      { name: 'b', image: '2' },
    ]);
    for (const [apiVersion, kind] of [
      ['apps/v1', 'ReplicaSet'],
      ['apps/v1', 'DaemonSet'],
      ['apps/v1', 'StatefulSet'],
      ['batch/v1', 'Job'],
      ['v1', 'ReplicationController'],
    ]) {
      const rules = listMergeRules(builtinSchemaFor(apiVersion, kind)!);
      expect(rules).toContainEqual(
        expect.objectContaining({ path: 'spec.template.spec.containers', patchStrategy: 'merge', patchMergeKey: 'name' }),
      );
    }
  });

  it('service ports merge by port', () => {
    const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } };
    const out = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, builtinSchemaFor('v1', 'Service'));
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 9090 }, { port: 443 }]);
  });

  it('pod status conditions merge by type', () => {
    const pod = { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] } };
    const out = applyStrategicMergePatch(
      pod,
      { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      builtinSchemaFor('v1', 'Pod'),
    );
    expect(out.status.conditions).toEqual([
      { type: 'Ready', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ]);
  });

  it('without a schema it is a JSON merge patch (custom resources)', () => {
    const cr = { spec: { items: [{ name: 'a', v: 1 }], size: 1 } };
    const out = applyStrategicMergePatch(cr, { spec: { items: [{ name: 'b' }], size: null } }, undefined);
    expect(out).toEqual({ spec: { items: [{ name: 'b' }] } });
    expect(builtinSchemaFor('example.com/v1', 'Widget')).toBeUndefined();
  });

  it('reports malformed patches', () => {
    expect(() => patch([1])).toThrow('invalid JSON document');
    expect(() => patch({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } })).toThrow(
      'map: map[image:x] does not contain declared merge key: name',
    );
    expect(() => patch({ metadata: { labels: { $patch: 'merge' } } })).toThrow(
      'unknown patch type: merge in map: map[$patch:merge]',
    );
    expect(() => patch({ spec: { template: { spec: { containers: [{ $patch: 'merge' }] } } } })).toThrow(
      'merging lists cannot yet be specified in the patch',
    );
    expect(() => patch({ metadata: { '$deleteFromPrimitiveListfinalizers': ['a'] } })).toThrow(
      'invalid patch format of primitive list',
    );
  });
});
