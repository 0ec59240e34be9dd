import type { ConfigMap } from '@logbook/api';
import { kinds } from '../client';
import { startTestApiServer, TestApiServer } from '../testing';
import { EventRecorder } from '.';

describe('EventRecorder against a real apiserver', () => {
  let server: TestApiServer;
  beforeAll(async () => {
    server = await startTestApiServer();
    await server.client.create(kinds.Namespace, { metadata: { name: 'events' } });
  });
  afterAll(() => server?.stop());

  it('creates core/v1 Events, aggregates identical ones, and starts over when one was deleted', async () => {
    const { client } = server;
    const subject = await client.create(kinds.ConfigMap, { metadata: { name: 'subject', namespace: 'events' } } as ConfigMap);
    const recorder = new EventRecorder(client, { component: 'test-controller', instance: 'replica-1' });
    await recorder.event(subject, 'Warning', 'Failed', 'could not pull');
    await recorder.event(subject, 'Warning', 'Failed', 'could not pull');
    await recorder.event(subject, 'Warning', 'Failed', 'could not pull');
    await recorder.event(subject, 'Normal', 'Pulled', 'pulled');
    const events = async () => (await client.list(kinds.Event, { namespace: 'events' })).items;
    const list = await events();
    expect(list).toHaveLength(2);
    const failed = list.find((e) => e.reason === 'Failed')!;
    expect(failed).toMatchObject({
      type: 'Warning',
      message: 'could not pull',
      count: 3,
      involvedObject: { apiVersion: 'v1', kind: 'ConfigMap', name: 'subject', namespace: 'events', uid: subject.metadata!.uid },
      source: { component: 'test-controller', host: 'replica-1' },
      reportingComponent: 'test-controller',
      reportingInstance: 'replica-1',
    });
    expect(failed.metadata!.name).toMatch(/^subject\.[0-9a-f]+$/);
    expect(Date.parse(failed.lastTimestamp!)).toBeGreaterThanOrEqual(Date.parse(failed.firstTimestamp!));

    // Concurrent identical events still aggregate (no duplicate creates).
    await Promise.all([1, 2, 3].map(() => recorder.event(subject, 'Normal', 'Burst', 'at once')));
    expect((await events()).filter((e) => e.reason === 'Burst').map((e) => e.count)).toEqual([3]);

    await client.delete(kinds.Event, { namespace: 'events', name: failed.metadata!.name! });
    await recorder.event(subject, 'Warning', 'Failed', 'could not pull');
    const again = (await events()).filter((e) => e.reason === 'Failed');
    expect(again).toHaveLength(1);
    expect(again[0].count).toBe(1);
    expect(again[0].metadata!.name).not.toBe(failed.metadata!.name);
  });

  it('queues without waiting, combines similar events and drops what exceeds the per-object burst (client-go)', async () => {
    const { client } = server;
    const subject = await client.create(kinds.ConfigMap, { metadata: { name: 'busy', namespace: 'events' } } as ConfigMap);
    const recorder = new EventRecorder(client, { component: 'replicaset-controller' });
    const written = Array.from({ length: 30 }, (_, i) => recorder.event(subject, 'Normal', 'SuccessfulCreate', `Created pod: p-${i}`));
    // Nothing has been written yet: the caller went on at once.
    expect(recorder.pending).toBeGreaterThan(0);
    await recorder.flush();
    await Promise.all(written);
    expect(recorder.pending).toBe(0);
    const events = (await client.list(kinds.Event, { namespace: 'events' })).items.filter((e) => e.involvedObject?.name === 'busy');
    // 9 distinct messages, then the 10th and later ones combined into one Event; 25 in all, the last 5 dropped.
    expect(events.filter((e) => !e.message!.startsWith('(combined')).map((e) => e.message).sort()).toEqual(
      Array.from({ length: 9 }, (_, i) => `Created pod: p-${i}`).sort(),
    );
    const combined = events.filter((e) => e.message!.startsWith('(combined'));
    expect(combined).toHaveLength(1);
    expect(combined[0]).toMatchObject({ message: '(combined from similar events): Created pod: p-24', count: 16, reason: 'SuccessfulCreate' });
  });

  it('never throws: a failed write is logged', async () => {
    const warnings: string[] = [];
    const recorder = new EventRecorder(server.client, {
      component: 'x',
      logger: { log: () => undefined, error: () => undefined, warn: (m) => void warnings.push(m) },
    });
    // The namespace does not exist, so the create fails.
    await expect(
      recorder.event({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ghost', namespace: 'no-such-namespace' } }, 'Normal', 'R', 'm'),
    ).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not record event R on ConfigMap no-such-namespace\/ghost/);
  });
});
