import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import type { ConfigMap, Deployment, Event, Service } from '@logbook/api';
import { ControllerManager, kinds } from '@logbook/sdk';
import { TestApiServer, eventually, startTestApiServer } from '@logbook/sdk/testing';
import { WEBSITE_FINALIZER, Website, websites } from './website';
import { WebsiteReconciler } from './website.reconciler';

const crd = yaml.load(fs.readFileSync(path.join(__dirname, '../deploy/website-crd.yaml'), 'utf8')) as { metadata: { name: string } };

/** The operator against a real API server, as its authors would test it. */
describe('website operator', () => {
  let server: TestApiServer;
  let manager: ControllerManager;
  const key = { namespace: 'default', name: 'kubia' };

  beforeAll(async () => {
    server = await startTestApiServer();
    await server.client.create(kinds.CustomResourceDefinition, crd as never);
    manager = new ControllerManager({ client: server.client });
    manager.add(new WebsiteReconciler());
    await manager.start();
  });
  afterAll(async () => {
    await manager?.stop();
    await server?.stop();
  });

  it('publishes a Website as a ConfigMap, a Deployment and a Service it owns', async () => {
    const site = await server.client.create(websites, {
      apiVersion: 'extensions.example.com/v1',
      kind: 'Website',
      metadata: { name: 'kubia', namespace: 'default' },
      spec: { html: '<h1>hello</h1>', replicas: 2 },
    });
    await eventually(async () => (await server.client.get(kinds.Service, key).catch(() => undefined)) !== undefined);
    const cm: ConfigMap = await server.client.get(kinds.ConfigMap, { namespace: 'default', name: 'kubia-content' });
    const deployment: Deployment = await server.client.get(kinds.Deployment, key);
    const service: Service = await server.client.get(kinds.Service, key);
    expect(cm.data).toEqual({ 'index.html': '<h1>hello</h1>' });
    expect(deployment.spec!.replicas).toBe(2);
    expect(deployment.spec!.template!.spec!.volumes![0].configMap!.name).toBe('kubia-content');
    for (const owned of [cm, deployment, service]) {
      expect(owned.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'Website', name: 'kubia', uid: site.metadata.uid, controller: true })]);
    }
    const stored: Website = await server.client.get(websites, key);
    expect(stored.metadata.finalizers).toEqual([WEBSITE_FINALIZER]);
    expect(stored.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', message: '0 of 2 replicas available' });
  });

  it('follows changes to the Website and to what it owns', async () => {
    const site: Website = await server.client.get(websites, key);
    await server.client.patch(websites, key, { spec: { html: '<h1>v2</h1>', replicas: 3 } }, { type: 'merge' });
    await eventually(async () => (await server.client.get(kinds.ConfigMap, { namespace: 'default', name: 'kubia-content' })).data?.['index.html'] === '<h1>v2</h1>');
    await eventually(async () => (await server.client.get(kinds.Deployment, key)).spec?.replicas === 3);
    // Someone edits the owned ConfigMap by hand: the operator puts it back.
    await server.client.patch(kinds.ConfigMap, { namespace: 'default', name: 'kubia-content' }, { data: { 'index.html': 'defaced' } }, { type: 'merge' });
    await eventually(async () => (await server.client.get(kinds.ConfigMap, { namespace: 'default', name: 'kubia-content' })).data?.['index.html'] === '<h1>v2</h1>');
    // The Deployment becomes available (as the Deployment controller would report): the Website says Ready.
    const d: Deployment = await server.client.get(kinds.Deployment, key);
    await server.client.patchStatus(kinds.Deployment, key, { status: { replicas: 3, availableReplicas: 3, readyReplicas: 3, observedGeneration: d.metadata!.generation } }, { type: 'merge' });
    await eventually(async () => {
      const s: Website = await server.client.get(websites, key);
      return s.status?.availableReplicas === 3 && s.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    });
    expect(site.metadata.uid).toBe((await server.client.get(websites, key)).metadata.uid);
  });

  it('cleans up through its finalizer when the Website is deleted', async () => {
    await server.client.delete(websites, key);
    await eventually(async () => (await server.client.get(websites, key).catch(() => undefined)) === undefined);
    const events = await server.client.list(kinds.Event, { namespace: 'default' });
    expect(events.items.map((e: Event) => e.reason)).toContain('TakenDown');
  });
});
