import type { ConfigMap } from '@logbook/api';
import { kinds, KubeClient } from '../client';
import { ReconcileContext, Reconciler, Request } from '../controller';
import { ControllerManager } from '../manager';
import { eventually, startTestApiServer, TestApiServer } from '../testing';
import { LeaderElectionOptions, LeaderElector } from '.';

/** Short timings for tests, in Kubernetes' proportions. */
const FAST = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };

describe('leader election against a real apiserver', () => {
  let server: TestApiServer;
  let client: KubeClient;
  const managers: ControllerManager[] = [];
  let leaseCount = 0;

  beforeAll(async () => {
    server = await startTestApiServer();
    client = server.client;
  });
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.stop()));
  });
  afterAll(() => server?.stop());

  /** A "controller process": a manager whose reconciler records who reconciled what. */
  function replica(identity: string, log: Array<{ by: string; name: string; at: number }>, election: LeaderElectionOptions, namespace: string) {
    class Recorder implements Reconciler {
      async reconcile(req: Request, _ctx: ReconcileContext): Promise<void> {
        log.push({ by: identity, name: req.name, at: Date.now() });
      }
    }
    const m = new ControllerManager({ client, identity, leaderElection: election });
    m.add(new Recorder(), { for: kinds.ConfigMap, name: 'recorder', predicates: [(e) => e.object.metadata?.namespace === namespace] });
    managers.push(m);
    return m;
  }

  async function namespace(): Promise<string> {
    const name = `le-${++leaseCount}`;
    await client.create(kinds.Namespace, { metadata: { name } });
    return name;
  }

  const cm = (ns: string, name: string): ConfigMap => ({ metadata: { name, namespace: ns } });

  it('only the leader reconciles; a crashed leader is replaced within the lease duration', async () => {
    const ns = await namespace();
    const log: Array<{ by: string; name: string; at: number }> = [];
    const election = { leaseName: 'crash-test', leaseNamespace: ns, ...FAST, releaseOnCancel: false };
    const a = replica('replica-a', log, election, ns);
    const b = replica('replica-b', log, election, ns);
    await a.start();
    await eventually(() => a.isLeader, { what: 'a to lead' });
    await b.start();
    for (let i = 0; i < 5; i++) await client.create(kinds.ConfigMap, cm(ns, `before-${i}`));
    await eventually(() => new Set(log.map((l) => l.name)).size === 5, { what: 'five reconciles' });
    await new Promise((r) => setTimeout(r, FAST.leaseDurationMs)); // b has had every chance to act
    expect(new Set(log.map((l) => l.by))).toEqual(new Set(['replica-a']));
    expect(b.isLeader).toBe(false);
    const lease = await client.get(kinds.Lease, { namespace: ns, name: 'crash-test' });
    expect(lease.spec).toMatchObject({ holderIdentity: 'replica-a', leaseDurationSeconds: 3, leaseTransitions: 0 });
    expect(lease.spec!.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(Date.parse(lease.spec!.renewTime!)).toBeGreaterThan(Date.parse(lease.spec!.acquireTime!));

    // a "crashes": it stops renewing without handing the lease back.
    const crashedAt = Date.now();
    await a.stop();
    await client.create(kinds.ConfigMap, cm(ns, 'after-crash'));
    await eventually(() => log.some((l) => l.name === 'after-crash'), { timeoutMs: 15_000, what: 'the new leader to reconcile' });
    const handover = log.find((l) => l.name === 'after-crash')!;
    expect(handover.by).toBe('replica-b');
    // Lease duration, plus up to one jittered retry period (2.2x) for b to notice, plus slack.
    expect(handover.at - crashedAt).toBeLessThan(FAST.leaseDurationMs + 2.2 * FAST.retryPeriodMs + 1_500);
    expect(handover.at - crashedAt).toBeGreaterThanOrEqual(FAST.leaseDurationMs - FAST.retryPeriodMs - 200);
    expect(log.filter((l) => l.at > crashedAt && l.by === 'replica-a')).toEqual([]);
    const after = await client.get(kinds.Lease, { namespace: ns, name: 'crash-test' });
    expect(after.spec).toMatchObject({ holderIdentity: 'replica-b', leaseTransitions: 1 });
    expect(b.isLeader).toBe(true);
  });

  it('a leader that shuts down gracefully releases the lease, and the other takes over at once', async () => {
    const ns = await namespace();
    const log: Array<{ by: string; name: string; at: number }> = [];
    const election = { leaseName: 'release-test', leaseNamespace: ns, ...FAST };
    const a = replica('replica-a', log, election, ns);
    const b = replica('replica-b', log, election, ns);
    await a.start();
    await eventually(() => a.isLeader, { what: 'a to lead' });
    await b.start();
    const stoppedAt = Date.now();
    await a.stop();
    const released = await client.get(kinds.Lease, { namespace: ns, name: 'release-test' });
    expect(released.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    await eventually(() => b.isLeader, { timeoutMs: 5_000, what: 'b to lead' });
    // b only has to notice: no lease duration to wait out.
    expect(Date.now() - stoppedAt).toBeLessThan(2.2 * FAST.retryPeriodMs + 1_000);
    await client.create(kinds.ConfigMap, cm(ns, 'after-release'));
    await eventually(() => log.some((l) => l.name === 'after-release' && l.by === 'replica-b'), { what: 'b to reconcile' });
  });

  it('a leader that cannot renew within the deadline stops leading', async () => {
    const ns = await namespace();
    const elector = new LeaderElector(client, { leaseName: 'lost', leaseNamespace: ns, identity: 'me', ...FAST });
    const changes: boolean[] = [];
    const sub = elector.leading$.subscribe((l) => changes.push(l));
    elector.start();
    try {
      await eventually(() => elector.isLeader, { what: 'leading' });
      // Another party takes the lease by force (as an operator might).
      const lease = await client.get(kinds.Lease, { namespace: ns, name: 'lost' });
      await client.update(kinds.Lease, { ...lease, spec: { ...lease.spec, holderIdentity: 'usurper', renewTime: lease.spec!.renewTime } });
      await eventually(() => !elector.isLeader, { timeoutMs: FAST.renewDeadlineMs + 3 * FAST.retryPeriodMs, what: 'leadership to be lost' });
      expect(changes).toEqual([false, true, false]);
    } finally {
      sub.unsubscribe();
      await elector.stop();
    }
  });

  it('a manager stops its controllers when it loses the lease, and runs them again when it wins it back', async () => {
    const ns = await namespace();
    const log: Array<{ by: string; name: string; at: number }> = [];
    const a = replica('replica-a', log, { leaseName: 'regain', leaseNamespace: ns, ...FAST }, ns);
    await a.start();
    await eventually(() => a.isLeader && a.controller('recorder')!.isRunning, { what: 'a to lead' });
    const lease = await client.get(kinds.Lease, { namespace: ns, name: 'regain' });
    await client.update(kinds.Lease, { ...lease, spec: { ...lease.spec, holderIdentity: 'usurper' } });
    await eventually(() => !a.isLeader && !a.controller('recorder')!.isRunning, { timeoutMs: 5_000, what: 'a to stand down' });
    const stoodDownAt = Date.now();
    await client.create(kinds.ConfigMap, cm(ns, 'while-usurped'));
    // The usurper never renews: a takes the lease back after a lease duration and catches up.
    await eventually(() => log.some((l) => l.name === 'while-usurped'), { timeoutMs: 10_000, what: 'a to lead again and reconcile' });
    expect(log.find((l) => l.name === 'while-usurped')!.at - stoodDownAt).toBeGreaterThan(FAST.leaseDurationMs - FAST.renewDeadlineMs - 500);
    expect((await client.get(kinds.Lease, { namespace: ns, name: 'regain' })).spec).toMatchObject({ holderIdentity: 'replica-a', leaseTransitions: 1 });
  });

  it('rejects timings that cannot work', () => {
    expect(() => new LeaderElector(client, { leaseName: 'x', identity: 'me', leaseDurationMs: 5_000, renewDeadlineMs: 6_000 })).toThrow(/greater than renewDeadlineMs/);
    expect(() => new LeaderElector(client, { leaseName: 'x', identity: 'me', renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toThrow(/1.2 \* retryPeriodMs/);
    expect(() => new LeaderElector(client, { leaseName: 'x', identity: 'me', leaseDurationMs: 2_500, renewDeadlineMs: 2_000, retryPeriodMs: 500 })).toThrow(/whole seconds/);
  });
});
