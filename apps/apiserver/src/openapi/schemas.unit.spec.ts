import { createDefaultScheme, CustomResourceDefinition, ResourceDefinition } from '@logbook/api';
import { GVK_EXTENSION, JSONSchema, refName } from './definitions';
import { schemaRegistry } from './schema-registry';

const props = (s: JSONSchema | undefined) => (s?.properties ?? {}) as Record<string, JSONSchema>;
const gvk = (group: string, version: string, kind: string) => ({ group, version, kind });

const crd = (opts: { schema?: JSONSchema; versions?: string[] } = {}): CustomResourceDefinition => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] },
    scope: 'Namespaced',
    versions: (opts.versions ?? ['v1']).map((name, i) => ({
      name,
      served: true,
      storage: i === 0,
      schema: opts.schema ? { openAPIV3Schema: opts.schema } : undefined,
    })),
  },
});

describe('schemas generated from libs/api', () => {
  const scheme = createDefaultScheme();
  const registry = schemaRegistry(scheme);
  const defs = registry.definitions;

  it('names kinds as Kubernetes does and stamps them with their group/version/kind', () => {
    expect(registry.nameFor(gvk('', 'v1', 'Pod'))).toBe('io.k8s.api.core.v1.Pod');
    expect(registry.nameFor(gvk('apps', 'v1', 'Deployment'))).toBe('io.k8s.api.apps.v1.Deployment');
    expect(registry.nameFor(gvk('networking.k8s.io', 'v1', 'Ingress'))).toBe('io.k8s.api.networking.v1.Ingress');
    expect(registry.nameFor(gvk('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'))).toBe(
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
    );
    expect(registry.definitionFor(gvk('apps', 'v1', 'Deployment'))![GVK_EXTENSION]).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    expect(registry.definitionFor(gvk('', 'v1', 'Pod'))![GVK_EXTENSION]).toEqual([{ group: '', kind: 'Pod', version: 'v1' }]);
    expect(registry.definitionFor(gvk('apps', 'v1', 'Nope'))).toBeUndefined();
  });

  it('gives Pod.spec.containers as a list-map of Container merged by name', () => {
    const pod = registry.definitionFor(gvk('', 'v1', 'Pod'))!;
    expect(refName(props(pod).spec)).toBe('io.k8s.api.core.v1.PodSpec');
    expect(refName(props(pod).metadata)).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    expect(props(defs['io.k8s.api.core.v1.PodSpec']).containers).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    const container = props(defs['io.k8s.api.core.v1.Container']);
    expect(container.ports).toMatchObject({ 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'], 'x-kubernetes-patch-merge-key': 'containerPort' });
    expect(container.env).toMatchObject({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-patch-merge-key': 'name' });
    expect(props(defs['io.k8s.api.core.v1.PodSpec']).volumes).toMatchObject({ 'x-kubernetes-patch-strategy': 'merge,retainKeys' });
    expect(container.command).toMatchObject({ type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' });
  });

  it('carries required fields, integer widths, enums and the doc comments of the classes', () => {
    const container = defs['io.k8s.api.core.v1.Container'];
    expect(container.required).toEqual(expect.arrayContaining(['name']));
    expect(container.required).not.toContain('ports');
    expect(props(container).restartPolicy).toEqual({ description: 'Only on init containers: `Always` makes it a sidecar.', type: 'string', enum: ['Always'] });
    const spec = props(defs['io.k8s.api.apps.v1.DeploymentSpec']);
    expect(spec.replicas).toEqual({ type: 'integer', format: 'int32' });
    expect(props(defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).generation).toEqual({ type: 'integer', format: 'int64' });
    expect(props(defs['io.k8s.api.apps.v1.DeploymentStrategy']).type).toEqual({ type: 'string', enum: ['Recreate', 'RollingUpdate'] });
    const deployment = props(registry.definitionFor(gvk('apps', 'v1', 'Deployment')));
    expect(deployment.kind).toMatchObject({ type: 'string', description: expect.stringMatching(/^Kind is a string value/) });
    expect(deployment.spec.description).toMatch(/^Specification of the desired behavior of the Deployment\./);
  });

  it('maps IntOrString, Quantity and Time to their apimachinery definitions', () => {
    const rolling = props(defs['io.k8s.api.apps.v1.RollingUpdateDeployment']);
    expect(refName(rolling.maxSurge)).toBe('io.k8s.apimachinery.pkg.util.intstr.IntOrString');
    expect(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ 'x-kubernetes-int-or-string': true, format: 'int-or-string' });
    expect(props(defs['io.k8s.api.core.v1.ResourceRequirements']).limits).toEqual({
      type: 'object',
      additionalProperties: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' },
    });
    expect(defs['io.k8s.apimachinery.pkg.api.resource.Quantity']).toMatchObject({ 'x-kubernetes-int-or-string': true });
    const meta = props(defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    expect(refName(meta.creationTimestamp)).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.Time');
    expect(defs['io.k8s.apimachinery.pkg.apis.meta.v1.Time']).toMatchObject({ type: 'string', format: 'date-time' });
    expect(meta.labels).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
    expect(defs['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']['x-kubernetes-map-type']).toBe('atomic');
  });

  it('defines the List of every kind, retired versions, and the kinds subresources speak', () => {
    const list = registry.definitionFor(gvk('', 'v1', 'PodList'))!;
    expect(list[GVK_EXTENSION]).toEqual([{ group: '', kind: 'PodList', version: 'v1' }]);
    expect(props(list).items).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/io.k8s.api.core.v1.Pod' } });
    expect(list.required).toEqual(['items']);
    // networking.k8s.io/v1beta1 has its own classes (IngressV1beta1 ...), named without the suffix.
    const beta = registry.definitionFor(gvk('networking.k8s.io', 'v1beta1', 'Ingress'))!;
    expect(refName(props(beta).spec)).toBe('io.k8s.api.networking.v1beta1.IngressSpec');
    expect(Object.keys(props(defs['io.k8s.api.networking.v1beta1.IngressBackend']))).toEqual(['serviceName', 'servicePort', 'resource']);
    // batch/v1beta1 CronJob has no class: it borrows v1's fields under its own name and GVK.
    const cronBeta = registry.definitionFor(gvk('batch', 'v1beta1', 'CronJob'))!;
    expect(registry.nameFor(gvk('batch', 'v1beta1', 'CronJob'))).toBe('io.k8s.api.batch.v1beta1.CronJob');
    expect(cronBeta[GVK_EXTENSION]).toEqual([{ group: 'batch', kind: 'CronJob', version: 'v1beta1' }]);
    expect(refName(props(cronBeta).spec)).toBe('io.k8s.api.batch.v1.CronJobSpec');
    expect(registry.definitionFor(gvk('autoscaling', 'v1', 'Scale'))![GVK_EXTENSION]).toEqual([{ group: 'autoscaling', kind: 'Scale', version: 'v1' }]);
  });

  it('has no dangling $ref', () => {
    const dangling: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((n) => visit(n, where));
      if (!node || typeof node !== 'object') return;
      const target = (node as JSONSchema).$ref;
      if (typeof target === 'string' && !defs[target.replace('#/components/schemas/', '')]) dangling.push(`${where} -> ${target}`);
      Object.values(node).forEach((n) => visit(n, where));
    };
    for (const [name, schema] of Object.entries(defs)) visit(schema, name);
    expect(dangling).toEqual([]);
  });
});

describe('the schema registry of a changing Scheme', () => {
  it('rebuilds when the Scheme changes', () => {
    const scheme = createDefaultScheme();
    const registry = schemaRegistry(scheme);
    expect(schemaRegistry(scheme)).toBe(registry);
    const before = registry.generation;
    const defsBefore = registry.definitions;
    const lease = scheme.byGroupVersionKind('coordination.k8s.io', 'v1', 'Lease')!;
    const moved: ResourceDefinition = { ...lease, group: 'example.io', version: 'v2' };
    scheme.register(moved);
    expect(registry.generation).toBeGreaterThan(before);
    expect(registry.definitions).not.toBe(defsBefore);
    expect(registry.nameFor(gvk('example.io', 'v2', 'Lease'))).toBe('io.k8s.api.example.v2.Lease');
    scheme.unregister('example.io', 'v2', 'leases');
    expect(registry.nameFor(gvk('example.io', 'v2', 'Lease'))).toBeUndefined();
  });

  it("uses a CRD's openAPIV3Schema for its kind, with apiVersion, kind and ObjectMeta", () => {
    const scheme = createDefaultScheme();
    const registry = schemaRegistry(scheme);
    const definition = crd({
      versions: ['v1', 'v1beta1'],
      schema: {
        type: 'object',
        description: 'A cron tab.',
        properties: { spec: { type: 'object', properties: { cronSpec: { type: 'string' }, replicas: { type: 'integer' } } } },
      },
    });
    let changes = 0;
    registry.onChange(() => changes++);
    registry.registerCRD(definition);
    scheme.registerCRD(definition);
    expect(changes).toBeGreaterThanOrEqual(2);
    expect(registry.nameFor(gvk('stable.example.com', 'v1', 'CronTab'))).toBe('com.example.stable.v1.CronTab');
    const schema = registry.definitionFor(gvk('stable.example.com', 'v1beta1', 'CronTab'))!;
    expect(schema[GVK_EXTENSION]).toEqual([{ group: 'stable.example.com', kind: 'CronTab', version: 'v1beta1' }]);
    expect(schema.description).toBe('A cron tab.');
    expect(props(props(schema).spec).cronSpec).toEqual({ type: 'string' });
    expect(refName(props(schema).metadata)).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    expect(props(schema).apiVersion.type).toBe('string');
    expect(registry.definitionFor(gvk('stable.example.com', 'v1', 'CronTabList'))![GVK_EXTENSION]).toEqual([
      { group: 'stable.example.com', kind: 'CronTabList', version: 'v1' },
    ]);
    // The CRD object itself is not modified.
    expect(Object.keys(props(definition.spec!.versions[0].schema!.openAPIV3Schema as JSONSchema))).toEqual(['spec']);

    scheme.unregisterCRD(definition);
    registry.unregisterCRD(definition);
    expect(registry.definitionFor(gvk('stable.example.com', 'v1', 'CronTab'))).toBeUndefined();
  });

  it('keeps everything for a CRD without a schema', () => {
    const scheme = createDefaultScheme();
    scheme.registerCRD(crd());
    const schema = schemaRegistry(scheme).definitionFor(gvk('stable.example.com', 'v1', 'CronTab'))!;
    expect(schema).toMatchObject({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  });
});
