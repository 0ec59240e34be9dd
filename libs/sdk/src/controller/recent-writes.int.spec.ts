import type { ConfigMap } from '@logbook/api';
import { kinds, KubeClient } from '../client';
import { ControllerManager } from '../manager';
import { eventually, startTestApiServer, TestApiServer } from '../testing';
import { ReconcileContext, Reconciler, Request, Result } from '.';

const cm = (namespace: string, name: string, data: Record<string, string> = {}): ConfigMap => ({ metadata: { name, namespace }, data });

/** RecentWrites: a controller's writes, read back by its next reconciles (read-your-writes.ts). */
describe("a controller's recent writes, against a real apiserver", () => {
  let server: TestApiServer;
  let client: KubeClient;
  let manager: ControllerManager;

  beforeAll(async () => {
    server = await startTestApiServer();
    client = server.client;
  });
  afterAll(async () => {
    await manager?.stop();
    await server?.stop();
  });

  it("reads the controller's own last write of an object in the next reconcile, so its updates do not conflict", async () => {
    const ns = 'recent-writes';
    await client.create(kinds.Namespace, { metadata: { name: ns } });
    manager = new ControllerManager({ client });
    const conflicts: string[] = [];
    const seen: string[] = [];
    class Counter implements Reconciler {
      async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
        const current = await ctx.cache.get(kinds.ConfigMap, req);
        const n = Number(current?.data?.n ?? 0);
        seen.push(String(n));
        if (!current || n >= 5) return {};
        try {
          await ctx.client.update(kinds.ConfigMap, { ...current, data: { n: String(n + 1) } });
        } catch (err) {
          conflicts.push((err as Error).message);
          throw err;
        }
        // Again at once: sooner than the watch brings the update back.
        return { requeueAfter: 1 };
      }
    }
    manager.add(new Counter(), { for: kinds.ConfigMap, name: 'counter', predicates: [(e) => e.object.metadata?.namespace === ns] });
    await manager.start();
    await client.create(kinds.ConfigMap, cm(ns, 'count', { n: '0' }));
    await eventually(async () => (await client.get(kinds.ConfigMap, { namespace: ns, name: 'count' })).data?.n === '5', { what: 'five increments' });
    expect(conflicts).toEqual([]);
    // Every reconcile saw the previous one's write: 0, 1, ..., 5 in order (repeats only from watch events).
    expect([...new Set(seen)]).toEqual(['0', '1', '2', '3', '4', '5']);
  });

});
