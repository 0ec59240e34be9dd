import type { ControllerManager } from '@logbook/sdk';
import { Subscription } from 'rxjs';

/** Something that runs only while its manager runs controllers (controller-runtime's LeaderElectionRunnable). */
export interface LeaderGatedRunnable {
  start(): Promise<void> | void;
  stop(): Promise<void>;
}

/**
 * Runs `runnable` whenever `manager` would run its controllers: while it
 * holds the lease if leader election is on, else once it started. Starts
 * and stops are serialized. Returns a function that stops following the
 * manager (and stops the runnable).
 */
export function runWhileLeading(manager: ControllerManager, runnable: LeaderGatedRunnable): () => Promise<void> {
  let running = false;
  let chain: Promise<void> = Promise.resolve();
  const set = (leading: boolean) => {
    chain = chain.then(async () => {
      if (leading && !running) {
        running = true;
        await runnable.start();
      } else if (!leading && running) {
        running = false;
        await runnable.stop();
      }
    }).catch(() => undefined);
  };
  let sub: Subscription | undefined;
  if (manager.elector) {
    sub = manager.elector.leading$.subscribe(set);
  } else {
    // Without leader election the manager leads from start(); follow its readiness.
    const timer = setInterval(() => set(manager.isLeader), 200);
    timer.unref?.();
    set(manager.isLeader);
    sub = new Subscription(() => clearInterval(timer));
  }
  return async () => {
    sub?.unsubscribe();
    set(false);
    await chain;
  };
}
