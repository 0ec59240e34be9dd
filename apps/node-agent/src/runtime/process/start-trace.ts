import { appendFileSync } from 'fs';

/**
 * Where a pod's start spends its time, for `npm run bench:node`: with
 * `LOGBOOK_POD_START_TRACE=<file>`, one JSON line per pod once its first
 * container runs — `at`, when the runtime first saw the pod (epoch ms), and milliseconds from the runtime first seeing the pod to
 * each stage's end (`sandbox`, `volumes`, `env`, `spawned`). Off (no cost)
 * without the variable.
 */
export class StartTrace {
  private readonly t0 = performance.now();
  private readonly at = Date.now();
  private readonly stages: Record<string, number> = {};
  private done = false;

  private constructor(
    private readonly file: string,
    private readonly pod: string,
  ) {}

  static for(pod: string): StartTrace | undefined {
    const file = process.env.LOGBOOK_POD_START_TRACE;
    return file ? new StartTrace(file, pod) : undefined;
  }

  mark(stage: string): void {
    if (!this.done && this.stages[stage] === undefined) this.stages[stage] = Math.round(performance.now() - this.t0);
  }

  /** Writes the line (once). */
  finish(stage: string): void {
    this.mark(stage);
    if (this.done) return;
    this.done = true;
    try {
      appendFileSync(this.file, `${JSON.stringify({ pod: this.pod, at: this.at, ...this.stages })}\n`);
    } catch {
      /* a trace is best effort */
    }
  }
}
