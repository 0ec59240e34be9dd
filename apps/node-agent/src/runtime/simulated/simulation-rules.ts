/**
 * How a simulated container behaves, decided from the pod (pure, so it can
 * be tested and documented on its own).
 *
 * In order, the first that applies:
 * 1. The pod annotation `logbook.io/simulate`:
 *    - `fail`     — every container exits 1 (reason Error) after its run time;
 *    - `complete` — every container exits 0 (reason Completed) after its run time;
 *    - `unready`  — containers run but never become ready;
 *    - `run`      — containers run until stopped.
 *    `logbook.io/simulate-duration` (`500ms`, `2s`, `1m`) sets the run time.
 * 2. The rules given in the runtime's options (image pattern → behaviour).
 * 3. The default rules:
 *    - an image named like `batch-job` completes after the run time;
 *    - an image tagged like the seed's bad version (`kubia:v3`) never
 *      becomes ready if it has a readiness probe (its probe would fail);
 *    - a container with `sleep N` in its command line completes after N s
 *      (`sleep infinity`, `while true`, `tail -f` run forever);
 *    - with `restartPolicy` Never or OnFailure, a container with a command
 *      (a job's `echo`, `perl ...`) completes after the run time;
 *    - anything else runs until stopped.
 *
 * A running container is ready at once, or `initialDelaySeconds` after it
 * started if it has a readiness probe.
 */
import type { Container, Pod } from '@logbook/api';

export const SIMULATE_ANNOTATION = 'logbook.io/simulate';
export const SIMULATE_DURATION_ANNOTATION = 'logbook.io/simulate-duration';

export type Outcome = 'run' | 'complete' | 'fail';

export interface Behaviour {
  /** Runs until stopped, or exits (0: complete, 1: fail) after `runMs`. */
  outcome: Outcome;
  runMs: number;
  /** Never ready (a failing readiness probe). */
  neverReady: boolean;
  /** Delay from start to ready when it has a readiness probe. */
  readyAfterMs: number;
}

export interface SimulationRule {
  /** Matched against the container's image. */
  image: RegExp;
  outcome?: Outcome;
  neverReady?: boolean;
  /** Applies only to containers with a readiness probe. */
  onlyWithReadinessProbe?: boolean;
  runMs?: number;
}

export const DEFAULT_RULES: readonly SimulationRule[] = [
  { image: /(^|\/)[^/:]*batch-job[^/:]*(:[^/]*)?$/, outcome: 'complete' },
  { image: /(^|\/)kubia:v3$/, neverReady: true, onlyWithReadinessProbe: true },
];

export interface BehaviourDefaults {
  /** How long a finite container runs. */
  runMs: number;
  /** Scales seconds taken from the spec (`sleep N`, probe delays). */
  timeScale: number;
}

/** `500ms`, `2s`, `1.5m`, `1h`, or a bare number of seconds. */
export function parseDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
}

const FOREVER = /\bsleep\s+infinity\b|\bwhile\s+(true|:)\b|\btail\s+-f\b|\bfor\s*\(\(\s*;\s*;\s*\)\)/;
const SLEEP = /\bsleep\s+(\d+(?:\.\d+)?)(s|m|h)?\b/;

function commandLine(c: Container): string {
  return [...(c.command ?? []), ...(c.args ?? [])].join(' ');
}

export function behaviourOf(pod: Pod, container: Container, defaults: BehaviourDefaults, rules: readonly SimulationRule[] = []): Behaviour {
  const annotations = pod.metadata?.annotations ?? {};
  const runMs = parseDuration(annotations[SIMULATE_DURATION_ANNOTATION]) ?? defaults.runMs;
  const probeDelay = (container.readinessProbe?.initialDelaySeconds ?? 0) * 1000 * defaults.timeScale;
  const base: Behaviour = { outcome: 'run', runMs, neverReady: false, readyAfterMs: container.readinessProbe ? probeDelay : 0 };

  switch (annotations[SIMULATE_ANNOTATION]) {
    case 'fail':
      return { ...base, outcome: 'fail' };
    case 'complete':
      return { ...base, outcome: 'complete' };
    case 'unready':
      return { ...base, neverReady: true };
    case 'run':
      return base;
  }

  const image = container.image ?? '';
  for (const rule of [...rules, ...DEFAULT_RULES]) {
    if (!rule.image.test(image)) continue;
    if (rule.onlyWithReadinessProbe && !container.readinessProbe) continue;
    return {
      ...base,
      outcome: rule.outcome ?? base.outcome,
      runMs: parseDuration(annotations[SIMULATE_DURATION_ANNOTATION]) ?? rule.runMs ?? runMs,
      neverReady: rule.neverReady ?? false,
    };
  }

  const line = commandLine(container);
  if (FOREVER.test(line)) return base;
  const sleep = SLEEP.exec(line);
  if (sleep) {
    const seconds = Number(sleep[1]) * { s: 1, m: 60, h: 3600 }[(sleep[2] ?? 's') as 's' | 'm' | 'h'];
    return { ...base, outcome: 'complete', runMs: Math.round(seconds * 1000 * defaults.timeScale) };
  }
  const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
  if (restartPolicy !== 'Always' && line) return { ...base, outcome: 'complete' };
  return base;
}
