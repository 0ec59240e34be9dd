import { FakeClock } from '../clock';
import { ItemExponentialFailureRateLimiter } from './rate-limiter';
import { LOW_PRIORITY, WorkQueue, WorkQueueMetrics } from './work-queue';

/** Takes what is immediately available without waiting. */
async function drainNow(q: WorkQueue): Promise<string[]> {
  const out: string[] = [];
  while (q.length > 0) {
    const item = (await q.get())!;
    out.push(item);
    q.done(item);
  }
  return out;
}

function recordingMetrics() {
  const m = { added: 0, depth: [] as number[], queued: [] as number[], worked: [] as number[], retried: 0 };
  const metrics: WorkQueueMetrics = {
    added: () => void m.added++,
    depth: (n) => void m.depth.push(n),
    queued: (ms) => void m.queued.push(ms),
    worked: (ms) => void m.worked.push(ms),
    retried: () => void m.retried++,
  };
  return { m, metrics };
}

describe('WorkQueue', () => {
  it('de-duplicates items that are waiting', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await drainNow(q)).toEqual(['a', 'b']);
  });

  it('never hands out an item being processed; a re-add is processed after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    expect(first).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.length).toBe(0);
    let second: string | undefined;
    void q.get().then((v) => (second = v));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done('a');
    await Promise.resolve();
    expect(second).toBe('a');
    q.done('a');
    expect(q.length).toBe(0);
  });

  it('hands items to waiting workers as they arrive', async () => {
    const q = new WorkQueue();
    const got = [q.get(), q.get()];
    q.add('x');
    q.add('y');
    expect(await Promise.all(got)).toEqual(['x', 'y']);
  });

  it('serves higher priorities first, FIFO within one', async () => {
    const q = new WorkQueue();
    for (let i = 0; i < 5; i++) q.add(`initial-${i}`, { priority: LOW_PRIORITY });
    q.add('fresh-1');
    q.add('fresh-2');
    expect(await drainNow(q)).toEqual(['fresh-1', 'fresh-2', 'initial-0', 'initial-1', 'initial-2', 'initial-3', 'initial-4']);
  });

  it('raises the priority of a waiting item re-added with a higher one', async () => {
    const q = new WorkQueue();
    q.add('a', { priority: LOW_PRIORITY });
    q.add('b', { priority: LOW_PRIORITY });
    q.add('b');
    q.add('a', { priority: LOW_PRIORITY - 5 }); // lower: no change
    expect(q.length).toBe(2);
    expect(await drainNow(q)).toEqual(['b', 'a']);
  });

  it('keeps the priority an item was re-added with while processing', async () => {
    const q = new WorkQueue();
    q.add('a', { priority: LOW_PRIORITY });
    q.add('b', { priority: LOW_PRIORITY });
    const a = (await q.get())!;
    q.add('a'); // a fresh change while a is processing
    q.done(a);
    expect(await drainNow(q)).toEqual(['a', 'b']);
  });

  it('addAfter waits on the clock; the earliest of several delays wins', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter('a', 1000);
    q.addAfter('a', 300);
    q.addAfter('a', 2000);
    q.addAfter('b', 500);
    expect(q.delayedCount).toBe(2);
    clock.advance(299);
    expect(q.length).toBe(0);
    clock.advance(1);
    expect(await drainNow(q)).toEqual(['a']);
    clock.advance(200);
    expect(await drainNow(q)).toEqual(['b']);
    clock.advance(5000);
    expect(q.length).toBe(0);
    expect(q.delayedCount).toBe(0);
  });

  it('backs off exponentially per item through addRateLimited, and forget resets it', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000) });
    const readyAfter = async (): Promise<number> => {
      q.addRateLimited('k');
      const start = clock.now();
      while (q.length === 0) clock.advance(1);
      const waited = clock.now() - start;
      await drainNow(q);
      return waited;
    };
    expect([await readyAfter(), await readyAfter(), await readyAfter(), await readyAfter()]).toEqual([5, 10, 20, 40]);
    expect(q.numRequeues('k')).toBe(4);
    q.forget('k');
    expect(await readyAfter()).toBe(5);
  });

  it('reports metrics: adds, depth, queue latency, work duration, retries', async () => {
    const clock = new FakeClock();
    const { m, metrics } = recordingMetrics();
    const q = new WorkQueue({ clock, metrics, rateLimiter: new ItemExponentialFailureRateLimiter(10, 1000) });
    q.add('a');
    q.add('a');
    q.add('b');
    expect(m.added).toBe(2);
    expect(m.depth.at(-1)).toBe(2);
    clock.advance(40);
    const a = (await q.get())!;
    expect(m.queued).toEqual([40]);
    expect(m.depth.at(-1)).toBe(1);
    clock.advance(15);
    q.done(a);
    expect(m.worked).toEqual([15]);
    q.addRateLimited('c');
    expect(m.retried).toBe(1);
  });

  it('reports unfinished work', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.add('a');
    q.add('b');
    await q.get();
    clock.advance(2000);
    await q.get();
    clock.advance(1000);
    expect(q.unfinishedWork()).toEqual({ totalSeconds: 4, longestSeconds: 3 });
  });

  it('shuts down: waiters get undefined, adds are ignored, drain waits for work in progress', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.add('a');
    q.add('b');
    q.addAfter('c', 100);
    const a = (await q.get())!;
    const waiting = q.get();
    const waiting2 = q.get();
    expect(await waiting).toBe('b');
    q.shutDown();
    expect(await waiting2).toBeUndefined();
    q.add('d');
    clock.advance(1000);
    expect(q.length).toBe(0);
    expect(await q.get()).toBeUndefined();
    let drained = false;
    const d = q.drain().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    q.done(a);
    q.done('b');
    await d;
    expect(drained).toBe(true);
  });
});
