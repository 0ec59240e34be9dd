import { ApiError } from '../errors/api-error';
import { isConflict } from '../errors/guards';
import { FieldSet, pathOf } from './field-set';
import { ManagedFieldsEntry } from './managed-fields';
import { applyConfiguration, recordUpdate } from './server-side-apply';

type Deployment = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; uid?: string; labels?: Record<string, string>; managedFields?: ManagedFieldsEntry[] };
  spec: {
    replicas?: number;
    paused?: boolean;
    selector?: unknown;
    template: { metadata?: unknown; spec: { containers: Array<{ name: string; image?: string }> } };
  };
  status?: { replicas?: number };
};

const t0 = new Date('2024-05-01T12:00:00.123Z');
const t1 = new Date('2024-05-01T12:05:00Z');

function config(overrides: Partial<Deployment['spec']> = {}, labels: Record<string, string> = { app: 'web' }): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.1' }] } },
      ...overrides,
    },
  };
}

function fieldsOf(obj: Deployment, manager: string): FieldSet {
  const entry = obj.metadata.managedFields!.find((e) => e.manager === manager)!;
  return FieldSet.fromFieldsV1(entry.fieldsV1);
}

function conflictOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    expect(isConflict(e)).toBe(true);
    return e as ApiError;
  }
  throw new Error('expected a conflict');
}

describe('applyConfiguration', () => {
  it('creates an object and records the applier as an Apply manager', () => {
    const created = applyConfiguration<Deployment>(undefined, config(), { manager: 'kubectl', now: t0 });
    expect(created.spec.replicas).toBe(2);
    expect(created.metadata.managedFields).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2024-05-01T12:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
            },
          },
        },
      },
    ]);
  });

  it('does not modify its inputs', () => {
    const cfg = config();
    const before = JSON.stringify(cfg);
    const live = applyConfiguration<Deployment>(undefined, cfg, { manager: 'kubectl', now: t0 });
    const liveBefore = JSON.stringify(live);
    applyConfiguration<Deployment>(live, config({ replicas: 3 }), { manager: 'kubectl', now: t1 });
    expect(JSON.stringify(cfg)).toBe(before);
    expect(JSON.stringify(live)).toBe(liveBefore);
  });

  it('removes fields the applier stopped applying when nobody else owns them', () => {
    const live = applyConfiguration<Deployment>(undefined, config(), { manager: 'kubectl', now: t0 });
    const cfg = config({}, {});
    delete cfg.spec.replicas;
    delete (cfg.metadata as { labels?: unknown }).labels;
    const next = applyConfiguration<Deployment>(live, cfg, { manager: 'kubectl', now: t1 });
    expect(next.spec.replicas).toBeUndefined();
    expect(next.metadata.labels).toBeUndefined();
    expect(next.metadata.name).toBe('web');
    expect(next.spec.template.spec.containers).toEqual([{ name: 'web', image: 'nginx:1.1' }]);
  });

  it('keeps fields another manager owns when the applier drops them', () => {
    const live = applyConfiguration<Deployment>(undefined, config(), { manager: 'kubectl', now: t0 });
    const labelled = recordUpdate(live, { ...live, metadata: { ...live.metadata, labels: { app: 'web', team: 'a' } } }, {
      manager: 'kubectl-label',
      now: t1,
    });
    const next = applyConfiguration<Deployment>(labelled, config({}, {}), { manager: 'kubectl', now: t1 });
    expect(next.metadata.labels).toEqual({ team: 'a' });
  });

  it('fails with a Kubernetes-worded conflict when another manager changed the field', () => {
    const live = applyConfiguration<Deployment>(undefined, config(), { manager: 'kubectl', now: t0 });
    const scaled = recordUpdate(live, { ...live, spec: { ...live.spec, replicas: 5 } }, { manager: 'kubectl-scale', now: t1 });
    expect(fieldsOf(scaled, 'kubectl').has(pathOf('spec', 'replicas'))).toBe(false);
    expect(fieldsOf(scaled, 'kubectl-scale').toStrings()).toEqual(['.spec.replicas']);

    const err = conflictOf(() => applyConfiguration(scaled, config({ replicas: 3 }), { manager: 'kubectl', now: t1 }));
    expect(err.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas',
      reason: 'Conflict',
      details: {
        causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-scale" using apps/v1', field: '.spec.replicas' }],
      },
      code: 409,
    });
  });

  it('force takes the field over', () => {
    const live = applyConfiguration<Deployment>(undefined, config(), { manager: 'kubectl', now: t0 });
    const scaled = recordUpdate(live, { ...live, spec: { ...live.spec, replicas: 5 } }, { manager: 'kubectl-scale', now: t1 });
    const forced = applyConfiguration<Deployment>(scaled, config({ replicas: 3 }), { manager: 'kubectl', now: t1, force: true });
    expect(forced.spec.replicas).toBe(3);
    expect(forced.metadata.managedFields!.map((e) => e.manager)).toEqual(['kubectl']);
  });

  it('shares ownership when the value is the same', () => {
    const live = applyConfiguration<Deployment>(undefined, config(), { manager: 'a', now: t0 });
    const both = applyConfiguration<Deployment>(live, config(), { manager: 'b', now: t1 });
    expect(fieldsOf(both, 'a').has(pathOf('spec', 'replicas'))).toBe(true);
    expect(fieldsOf(both, 'b').has(pathOf('spec', 'replicas'))).toBe(true);
    const err = conflictOf(() => applyConfiguration(both, config({ replicas: 9 }), { manager: 'b', now: t1 }));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "a": .spec.replicas');
  });

  it('lists several conflicts grouped by manager', () => {
    const live = applyConfiguration<Deployment>(undefined, config(), { manager: 'a', now: t0 });
    const cfg = config({ replicas: 9 });
    cfg.spec.template.spec.containers[0].image = 'nginx:2';
    const err = conflictOf(() => applyConfiguration(live, cfg, { manager: 'b', now: t1 }));
    expect(err.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "a":\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
    );
    expect(err.details?.causes).toHaveLength(2);
  });

  it('merges keyed lists applied by different managers', () => {
    const live = applyConfiguration<Deployment>(undefined, config(), { manager: 'a', now: t0 });
    const sidecar = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { template: { spec: { containers: [{ name: 'envoy', image: 'envoy:1' }] } } },
    };
    const both = applyConfiguration<Deployment>(live, sidecar, { manager: 'mesh', now: t1 });
    expect(both.spec.template.spec.containers.map((c) => c.name)).toEqual(['web', 'envoy']);
    const reapplied = applyConfiguration<Deployment>(both, config(), { manager: 'a', now: t1 });
    expect(reapplied.spec.template.spec.containers.map((c) => c.name)).toEqual(['web', 'envoy']);
    const withdrawn = applyConfiguration<Deployment>(reapplied, { ...sidecar, spec: {} }, { manager: 'mesh', now: t1 });
    expect(withdrawn.spec.template.spec.containers.map((c) => c.name)).toEqual(['web']);
  });

  it('prunes inside keyed items and sets, sparing what others own', () => {
    type Obj = { metadata: { finalizers?: string[] }; spec: { template: { spec: { containers: Array<{ env?: unknown[] }> } } } };
    const withEnv = config();
    (withEnv.spec.template.spec.containers[0] as { env?: unknown }).env = [{ name: 'A', value: '1' }, { name: 'B', value: '2' }];
    (withEnv.metadata as { finalizers?: string[] }).finalizers = ['x', 'y'];
    const live = applyConfiguration<Obj>(undefined, withEnv, { manager: 'a', now: t0 });
    const other = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', finalizers: ['y'] },
      spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'B', value: '2' }] }] } } },
    };
    const shared = applyConfiguration<Obj>(live, other, { manager: 'b', now: t1 });
    const next = applyConfiguration<Obj>(shared, config(), { manager: 'a', now: t1 });
    expect(next.spec.template.spec.containers[0].env).toEqual([{ name: 'B', value: '2' }]);
    expect(next.metadata.finalizers).toEqual(['y']);
    const alone = applyConfiguration<Obj>(live, config(), { manager: 'a', now: t1 });
    expect(alone.spec.template.spec.containers[0].env).toBeUndefined();
    expect(alone.metadata.finalizers).toBeUndefined();
  });

  it('gives fields that existed before the first apply to before-first-apply', () => {
    const old: Deployment = { ...config(), metadata: { name: 'web', uid: 'u1', labels: { app: 'web' } } };
    const err = conflictOf(() => applyConfiguration(old, config({ replicas: 4 }), { manager: 'kubectl', now: t1 }));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
    const same = applyConfiguration<Deployment>(old, config(), { manager: 'kubectl', now: t1 });
    expect(same.metadata.managedFields!.map((e) => [e.manager, e.operation])).toEqual([
      ['kubectl', 'Apply'],
      ['before-first-apply', 'Update'],
    ]);
  });

  it('keeps the applier time when nothing changed', () => {
    const live = applyConfiguration<Deployment>(undefined, config(), { manager: 'kubectl', now: t0 });
    const again = applyConfiguration<Deployment>(live, config(), { manager: 'kubectl', now: t1 });
    expect(again.metadata.managedFields![0].time).toBe('2024-05-01T12:00:00Z');
  });

  it('does not let the main resource own status', () => {
    const cfg = { ...config(), status: { replicas: 7 } };
    const out = applyConfiguration<Deployment>(undefined, cfg, { manager: 'kubectl', now: t0, ignoredFields: ['status'] });
    expect(fieldsOf(out, 'kubectl').has(pathOf('status', 'replicas'))).toBe(false);
  });

  it('rejects a configuration carrying managedFields', () => {
    const cfg = { ...config(), metadata: { name: 'web', managedFields: [] } };
    expect(() => applyConfiguration(undefined, cfg, { manager: 'kubectl' })).toThrow('metadata.managedFields must be nil');
  });

  it('rejects undecodable managed fields on the live object', () => {
    const live = { ...config(), metadata: { name: 'web', managedFields: [{ manager: 'x', operation: 'Bogus' }] } };
    expect(() => applyConfiguration(live, config(), { manager: 'kubectl' })).toThrow(
      'failed to decode managed fields: operation must be `Apply` or `Update`',
    );
  });
});

describe('recordUpdate', () => {
  it('gives the creator every field it set, except identity metadata', () => {
    const created = recordUpdate<Deployment>(undefined, { ...config(), metadata: { name: 'web', uid: 'u', labels: { app: 'web' } } }, {
      manager: 'kubectl-create',
      now: t0,
    });
    const entry = created.metadata.managedFields![0];
    expect(entry).toMatchObject({ manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: '2024-05-01T12:00:00Z' });
    const fields = FieldSet.fromFieldsV1(entry.fieldsV1);
    expect(fields.has(pathOf('spec', 'replicas'))).toBe(true);
    expect(fields.has(pathOf('metadata', 'labels'))).toBe(true);
    expect(fields.has(pathOf('metadata', 'name'))).toBe(false);
    expect(fields.has(pathOf('metadata', 'uid'))).toBe(false);
    expect(fields.has(pathOf('apiVersion'))).toBe(false);
  });

  it('moves changed fields to the writer and keeps its other fields', () => {
    const created = recordUpdate<Deployment>(undefined, config(), { manager: 'creator', now: t0 });
    const live = { ...created, metadata: { ...created.metadata, uid: 'u' } };
    const next = JSON.parse(JSON.stringify(live)) as Deployment;
    next.spec.template.spec.containers[0].image = 'nginx:1.2';
    const updated = recordUpdate(live, next, { manager: 'kubectl-set', now: t1 });
    expect(fieldsOf(updated, 'kubectl-set').toStrings()).toEqual(['.spec.template.spec.containers[name="web"].image']);
    expect(fieldsOf(updated, 'creator').has(pathOf('spec', 'template', 'spec', 'containers', { kind: 'key', fields: [['name', 'web']] }, 'image'))).toBe(false);
    expect(fieldsOf(updated, 'creator').has(pathOf('spec', 'replicas'))).toBe(true);
    expect(updated.metadata.managedFields!.map((e) => e.time)).toEqual(['2024-05-01T12:00:00Z', '2024-05-01T12:05:00Z']);
  });

  it('an unchanged write changes no entry', () => {
    const created = recordUpdate<Deployment>(undefined, config(), { manager: 'creator', now: t0 });
    const same = recordUpdate(created, created, { manager: 'other', now: t1 });
    expect(same.metadata.managedFields).toEqual(created.metadata.managedFields);
  });

  it('leaves existing objects without managed fields alone', () => {
    const old: Deployment = { ...config(), metadata: { name: 'web', uid: 'u' } };
    expect(recordUpdate(old, { ...old, spec: { ...old.spec, replicas: 9 } }, { manager: 'm' }).metadata.managedFields).toBeUndefined();
  });

  it('clears managed fields when the request sends an empty list', () => {
    const created = recordUpdate<Deployment>(undefined, config(), { manager: 'creator', now: t0 });
    const live = { ...created, metadata: { ...created.metadata, uid: 'u' } };
    const cleared = recordUpdate(live, { ...live, metadata: { ...live.metadata, managedFields: [] } }, { manager: 'm' });
    expect(cleared.metadata.managedFields).toBeUndefined();
  });

  it('keys Update managers by version and subresource', () => {
    const created = recordUpdate<Deployment>(undefined, config(), { manager: 'kcm', now: t0 });
    const live = { ...created, metadata: { ...created.metadata, uid: 'u' } };
    const status = recordUpdate(live, { ...live, status: { replicas: 2 } }, { manager: 'kcm', now: t1, subresource: 'status' });
    expect(status.metadata.managedFields!.map((e) => [e.manager, e.subresource])).toEqual([
      ['kcm', undefined],
      ['kcm', 'status'],
    ]);
  });

  it('folds the oldest of more than ten Update managers into ancient-changes', () => {
    let obj = recordUpdate<Deployment>(undefined, config(), { manager: 'm0', now: new Date(0) });
    obj = { ...obj, metadata: { ...obj.metadata, uid: 'u' } };
    for (let i = 1; i <= 11; i++) {
      obj = recordUpdate(obj, { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, [`l${i}`]: 'x' } } }, {
        manager: `m${i}`,
        now: new Date(i * 60_000),
      });
    }
    const managers = obj.metadata.managedFields!.map((e) => e.manager);
    expect(managers).toHaveLength(10);
    expect(managers).toContain('ancient-changes');
    expect(managers).not.toContain('m0');
    expect(managers).not.toContain('m1');
    expect(managers).toContain('m11');
    const ancient = fieldsOf(obj, 'ancient-changes');
    expect(ancient.has(pathOf('spec', 'replicas'))).toBe(true);
    expect(ancient.has(pathOf('metadata', 'labels', 'l1'))).toBe(true);
  });
});
