/**
 * When a pod on a node with NoExecute taints must go (Kubernetes' taint
 * eviction controller, formerly the NoExecuteTaintManager). Pure functions.
 *
 * - A pod that does not tolerate every NoExecute taint goes at once.
 * - A pod that tolerates them all stays for the smallest tolerationSeconds
 *   among the tolerations used, counted from when the taint was added
 *   (or the pod was created, if later); without tolerationSeconds, forever.
 * - Kubernetes' DefaultTolerationSeconds admission gives every pod
 *   `not-ready` and `unreachable` NoExecute tolerations for 300 s unless it
 *   has its own. Logbook's apiserver does not run that admission plugin, so
 *   the controller assumes those tolerations here (the seconds are
 *   configurable), which is what the plugin would have written.
 */
import { TAINT_NOT_READY, TAINT_UNREACHABLE, toleratesTaint } from '@logbook/api';
import type { Pod, Taint, Toleration } from '@logbook/api';

export const DEFAULT_TOLERATION_SECONDS = 300;

/** The pod's tolerations plus those DefaultTolerationSeconds admission would add. */
export function effectiveTolerations(pod: Pod, defaultSeconds = DEFAULT_TOLERATION_SECONDS): Toleration[] {
  const own = pod.spec?.tolerations ?? [];
  const result = [...own];
  for (const key of [TAINT_NOT_READY, TAINT_UNREACHABLE]) {
    const probe: Taint = { key, effect: 'NoExecute' };
    if (!own.some((t) => toleratesTaint(t, probe))) result.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaultSeconds });
  }
  return result;
}

export type EvictionDecision =
  /** No NoExecute taint, or tolerated forever. */
  | { kind: 'stay' }
  | { kind: 'evict-now'; reason: string }
  /** Tolerated until `at` (ms since the epoch). */
  | { kind: 'evict-at'; at: number; taint: Taint };

/**
 * What to do with `pod` on a node with `taints`. `taintAddedAt` gives the
 * time each NoExecute taint was added (ms since the epoch); `now` for taints
 * that carry none.
 */
export function evictionDecision(pod: Pod, taints: readonly Taint[], opts: { now: number; defaultTolerationSeconds?: number; taintAddedAt?: (t: Taint) => number | undefined }): EvictionDecision {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (!noExecute.length) return { kind: 'stay' };
  const tolerations = effectiveTolerations(pod, opts.defaultTolerationSeconds);
  let earliest: { at: number; taint: Taint } | undefined;
  for (const taint of noExecute) {
    // The first toleration that tolerates the taint is the one used (Kubernetes' GetMatchingTolerations).
    const used = tolerations.find((t) => toleratesTaint(t, taint));
    if (!used) return { kind: 'evict-now', reason: `does not tolerate taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:NoExecute` };
    // Without tolerationSeconds it tolerates this taint forever; the others still count (getMinTolerationTime).
    if (typeof used.tolerationSeconds !== 'number') continue;
    const seconds = Math.max(0, used.tolerationSeconds);
    const added = opts.taintAddedAt?.(taint) ?? (taint.timeAdded ? Date.parse(taint.timeAdded) : opts.now);
    const created = Date.parse(pod.metadata?.creationTimestamp ?? '');
    const start = Math.max(Number.isFinite(added) ? added : opts.now, Number.isFinite(created) ? created : 0);
    const at = start + seconds * 1000;
    if (!earliest || at < earliest.at) earliest = { at, taint };
  }
  if (!earliest) return { kind: 'stay' };
  return earliest.at <= opts.now ? { kind: 'evict-now', reason: `tolerated taint ${earliest.taint.key}:NoExecute for its tolerationSeconds` } : { kind: 'evict-at', ...earliest };
}

export { toleratesTaint };
