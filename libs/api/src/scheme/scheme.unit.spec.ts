import { compareVersionPriority, createDefaultScheme, defaultScheme, Scheme } from './index';
import type { CustomResourceDefinition } from '../apiextensions/v1/types';

describe('the built-in Scheme', () => {
  const scheme = createDefaultScheme();

  it.each([
    ['po', '', 'pods'],
    ['svc', '', 'services'],
    ['ep', '', 'endpoints'],
    ['ns', '', 'namespaces'],
    ['no', '', 'nodes'],
    ['cm', '', 'configmaps'],
    ['pv', '', 'persistentvolumes'],
    ['pvc', '', 'persistentvolumeclaims'],
    ['sa', '', 'serviceaccounts'],
    ['rc', '', 'replicationcontrollers'],
    ['ev', '', 'events'],
    ['deploy', 'apps', 'deployments'],
    ['rs', 'apps', 'replicasets'],
    ['ds', 'apps', 'daemonsets'],
    ['sts', 'apps', 'statefulsets'],
    ['cj', 'batch', 'cronjobs'],
    ['ing', 'networking.k8s.io', 'ingresses'],
    ['sc', 'storage.k8s.io', 'storageclasses'],
    ['crd', 'apiextensions.k8s.io', 'customresourcedefinitions'],
  ])('resolves the short name %s to %s/%s', (short, group, resource) => {
    const found = scheme.find(short);
    expect(found.map((d) => [d.group, d.resource])).toEqual([[group, resource]]);
  });

  it('resolves plural, singular and kind, and prefers the newest version', () => {
    for (const name of ['cronjobs', 'cronjob', 'CronJob']) {
      const [d] = scheme.find(name);
      expect([d.group, d.version, d.resource]).toEqual(['batch', 'v1', 'cronjobs']);
    }
    expect(scheme.find('ingresses.v1beta1.networking.k8s.io')[0].version).toBe('v1beta1');
    expect(scheme.find('deployments.apps')[0].kind).toBe('Deployment');
    expect(scheme.find('nothing')).toEqual([]);
  });

  it('looks up by group/version/resource and group/version/kind', () => {
    const deploy = scheme.byGroupVersionResource('apps', 'v1', 'deployments')!;
    expect(deploy).toMatchObject({ kind: 'Deployment', listKind: 'DeploymentList', singular: 'deployment', namespaced: true });
    expect(scheme.byGroupVersionKind('', 'v1', 'Namespace')!.namespaced).toBe(false);
    expect(scheme.forObject({ apiVersion: 'batch/v1beta1', kind: 'CronJob' })!.storage).toBe(false);
    expect(scheme.byGroupVersionResource('apps', 'v1beta2', 'deployments')).toBeUndefined();
  });

  it('puts exactly the workloads kubectl shows in `get all` in the all category', () => {
    const all = scheme
      .inCategory('all')
      .map((d) => d.resource)
      .sort();
    expect(all).toEqual(['cronjobs', 'daemonsets', 'deployments', 'jobs', 'pods', 'replicasets', 'replicationcontrollers', 'services', 'statefulsets']);
  });

  it('describes subresources, with Scale in autoscaling/v1', () => {
    const pods = scheme.byGroupVersionResource('', 'v1', 'pods')!;
    expect(pods.subresources.map((s) => s.name)).toEqual(
      expect.arrayContaining(['status', 'log', 'binding', 'eviction', 'exec', 'attach', 'portforward']),
    );
    const scale = scheme.byGroupVersionResource('apps', 'v1', 'deployments')!.subresources.find((s) => s.name === 'scale')!;
    expect(scale).toMatchObject({ kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
    for (const r of ['replicasets', 'statefulsets']) expect(scheme.byGroupVersionResource('apps', 'v1', r)!.subresources.map((s) => s.name)).toContain('scale');
    expect(scheme.byGroupVersionResource('', 'v1', 'replicationcontrollers')!.subresources.map((s) => s.name)).toContain('scale');
    expect(scheme.byGroupVersionResource('', 'v1', 'namespaces')!.subresources.map((s) => s.name).sort()).toEqual(['finalize', 'status']);
  });

  it('tracks generation for controllers but not for pods, services or config', () => {
    const gen = (g: string, r: string) => scheme.byGroupVersionResource(g, 'v1', r)!.tracksGeneration;
    expect(['deployments', 'replicasets', 'daemonsets', 'statefulsets'].map((r) => gen('apps', r))).toEqual([true, true, true, true]);
    expect([gen('batch', 'jobs'), gen('batch', 'cronjobs'), gen('', 'replicationcontrollers')]).toEqual([true, true, true]);
    expect([gen('', 'pods'), gen('', 'services'), gen('', 'configmaps')]).toEqual([false, false, false]);
  });

  it('lists group versions with the storage version preferred', () => {
    const groups = scheme.groupVersions();
    expect(groups[0]).toEqual({ group: '', versions: ['v1'], preferredVersion: 'v1' });
    expect(groups.find((g) => g.group === 'batch')).toEqual({ group: 'batch', versions: ['v1', 'v1beta1'], preferredVersion: 'v1' });
    expect(groups.find((g) => g.group === 'networking.k8s.io')!.preferredVersion).toBe('v1');
    expect(scheme.resourcesFor('batch', 'v1beta1').map((d) => d.resource)).toEqual(['cronjobs']);
    expect(scheme.storageVersionOf('networking.k8s.io', 'ingresses')!.version).toBe('v1');
  });

  it('the default instance is shared and holds the built-ins', () => {
    expect(defaultScheme.find('po')).toHaveLength(1);
  });
});

describe('custom resources', () => {
  const crd: CustomResourceDefinition = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'crontabs.stable.example.com' },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'], categories: ['all'] },
      versions: [
        { name: 'v1beta1', served: true, storage: false },
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
          additionalPrinterColumns: [{ name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' }],
        },
        { name: 'v2alpha1', served: false, storage: false },
      ],
    },
  };

  it('registers every served version and unregisters them again, notifying listeners', () => {
    const scheme = createDefaultScheme();
    const seen: string[] = [];
    scheme.onChange((c) => seen.push(`${c.type}:${c.definition.version}`));
    scheme.registerCRD(crd);
    expect(scheme.find('ct').map((d) => d.version)).toEqual(['v1']);
    expect(scheme.groupVersions().find((g) => g.group === 'stable.example.com')).toEqual({
      group: 'stable.example.com',
      versions: ['v1', 'v1beta1'],
      preferredVersion: 'v1',
    });
    const v1 = scheme.byGroupVersionKind('stable.example.com', 'v1', 'CronTab')!;
    expect(v1).toMatchObject({ listKind: 'CronTabList', namespaced: true, custom: true, tracksGeneration: true, storage: true });
    expect(v1.subresources.map((s) => s.name)).toEqual(['status', 'scale']);
    expect(v1.printerColumns).toEqual([{ name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' }]);
    expect(scheme.inCategory('all').map((d) => d.resource)).toContain('crontabs');
    expect(scheme.byGroupVersionResource('stable.example.com', 'v2alpha1', 'crontabs')).toBeUndefined();

    scheme.unregisterCRD(crd);
    expect(scheme.find('ct')).toEqual([]);
    expect(scheme.groupVersions().some((g) => g.group === 'stable.example.com')).toBe(false);
    expect(seen).toEqual(['registered:v1beta1', 'registered:v1', 'unregistered:v1beta1', 'unregistered:v1']);
  });

  it('converts custom resources between versions by apiVersion alone', () => {
    const scheme = createDefaultScheme();
    scheme.registerCRD(crd);
    const obj = { apiVersion: 'stable.example.com/v1beta1', kind: 'CronTab', metadata: { name: 'x' }, spec: { cronSpec: '* * * * *' } };
    expect(scheme.toStorageVersion(obj)).toEqual({ ...obj, apiVersion: 'stable.example.com/v1' });
  });

  it('does not touch the default scheme when another instance changes', () => {
    const scheme = new Scheme();
    scheme.registerCRD(crd);
    expect(defaultScheme.find('ct')).toEqual([]);
  });
});

describe('compareVersionPriority', () => {
  it('orders GA, then beta, then alpha, newest first', () => {
    expect(['v1alpha1', 'v1beta1', 'foo', 'v2', 'v1', 'v1beta2', 'v2beta1'].sort(compareVersionPriority)).toEqual([
      'v2',
      'v1',
      'v2beta1',
      'v1beta2',
      'v1beta1',
      'v1alpha1',
      'foo',
    ]);
  });
});
