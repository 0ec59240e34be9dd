import { kinds } from './builtin-kinds';
import type { KubeClient } from './kube-client';

/**
 * Resolves once the API server answers (a one-item list of namespaces), so
 * that a component started beside it — before it listens, as in the
 * all-in-one process — does not begin with failed lists and back-off.
 * Rejects when `signal` aborts.
 */
export async function untilApiServerAnswers(client: KubeClient, signal: AbortSignal): Promise<void> {
  for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
    if (signal.aborted) throw new Error('aborted');
    try {
      await client.withRequestTimeout(2_000).list(kinds.Namespace, { limit: 1 });
      return;
    } catch {
      await new Promise<void>((resolve) => {
        const wake = () => (clearTimeout(t), resolve());
        // Each wait removes its listener, or retries pile them up on the long-lived signal.
        const t = setTimeout(() => (signal.removeEventListener('abort', wake), resolve()), delay);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }
}
