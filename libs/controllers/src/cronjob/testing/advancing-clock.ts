import type { Clock, TimerHandle } from '@logbook/sdk';

interface Timer {
  at: number;
  fn: () => void;
  real?: NodeJS.Timeout;
  done: boolean;
}

/**
 * The wall clock, plus an offset a test can move forward: time passes as
 * usual (so retries and back-offs behave), and `advance(ms)` jumps ahead,
 * firing every timer that falls due. Give it to a controller (its work
 * queue) and to a reconciler (its idea of now) so that a CronJob's next
 * run comes when the test says, not a minute later.
 */
export class AdvancingClock implements Clock {
  private offset = 0;
  private readonly timers = new Set<Timer>();

  now(): number {
    return Date.now() + this.offset;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: Timer = { at: this.now() + Math.max(0, ms), fn, done: false };
    this.timers.add(timer);
    this.arm(timer);
    return { cancel: () => this.finish(timer) };
  }

  /** Jumps ahead by `ms`, firing the timers due by then, in order. */
  advance(ms: number): void {
    if (ms < 0) throw new Error('time only moves forward');
    this.offset += ms;
    const due = [...this.timers].filter((t) => t.at <= this.now()).sort((a, b) => a.at - b.at);
    for (const t of due) this.fire(t);
  }

  /** Jumps to `time` (ms since epoch), if that is ahead. */
  advanceTo(time: number): void {
    this.advance(Math.max(0, time - this.now()));
  }

  /** Cancels every pending timer. */
  dispose(): void {
    for (const t of [...this.timers]) this.finish(t);
  }

  private arm(timer: Timer): void {
    const wait = timer.at - this.now();
    if (wait <= 0) {
      timer.real = setTimeout(() => this.fire(timer), 0);
    } else {
      timer.real = setTimeout(() => (this.now() >= timer.at ? this.fire(timer) : this.arm(timer)), wait);
    }
    timer.real.unref?.();
  }

  private fire(timer: Timer): void {
    if (timer.done) return;
    this.finish(timer);
    timer.fn();
  }

  private finish(timer: Timer): void {
    timer.done = true;
    if (timer.real) clearTimeout(timer.real);
    this.timers.delete(timer);
  }
}
