import type { ClusterPki } from '@logbook/apiserver';
import { issueClientCert } from '@logbook/apiserver';
import type { ClientConfig } from '@logbook/sdk';

/** The client settings of each built-in component of the all-in-one. */
export interface ComponentIdentities {
  controllerManager: ClientConfig;
  scheduler: ClientConfig;
  nodes: ClientConfig;
  /** Each node's own client certificate, `system:node:<name>` in `system:nodes`. */
  nodeClients: Record<string, ClientConfig>;
}

/**
 * Client certificates for the built-in components, issued from the cluster
 * CA at start (kubeadm's users): `system:kube-controller-manager`,
 * `system:kube-scheduler`, and `system:node:<name>` in `system:nodes`. The
 * nodes of one process share a client, so they share the first node's
 * identity (RBAC grants nodes by the `system:nodes` group).
 */
export async function componentIdentities(pki: ClusterPki, server: string, nodeNames: string[]): Promise<ComponentIdentities> {
  const client = async (user: string, groups: string[] = []): Promise<ClientConfig> => {
    const { cert, key } = await issueClientCert(pki, user, groups);
    return { server, ca: pki.caCert, cert, key };
  };
  const nodeClients: Record<string, ClientConfig> = {};
  for (const name of nodeNames) nodeClients[name] = await client(`system:node:${name}`, ['system:nodes']);
  return {
    controllerManager: await client('system:kube-controller-manager'),
    scheduler: await client('system:kube-scheduler'),
    nodes: nodeClients[nodeNames[0]] ?? (await client('system:node:node-1', ['system:nodes'])),
    nodeClients,
  };
}
