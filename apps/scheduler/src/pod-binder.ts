import type { Pod } from '@logbook/api';
import { kinds, KubeClient } from '@logbook/sdk';

/**
 * Assigns a pod to a node with `POST /api/v1/namespaces/{ns}/pods/{name}/binding`,
 * the only way Kubernetes lets `spec.nodeName` be set on an existing pod —
 * through the scheduler's own client, so with its identity (client
 * certificate or token) and its `x-logbook-cause-seq` for the history's "why".
 */
export class PodBinder {
  constructor(private readonly client: KubeClient) {}

  async bind(pod: Pod, nodeName: string, causeSeq?: string): Promise<void> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const body = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace, uid: pod.metadata?.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    await this.client.withCause(causeSeq).createSubresource(kinds.Pod, { namespace, name }, 'binding', body);
  }
}
