import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { ClusterPki, IssuedCert, issueClientCert } from './pki';

export interface KubeconfigSpec {
  server: string;
  caCert: string;
  /** The user's name in the kubeconfig (and its cluster and context names are `logbook`). */
  userName: string;
  credentials: IssuedCert;
}

/** A kubeconfig with everything inline (`*-data`), so it can be copied anywhere. */
export function kubeconfigYaml(spec: KubeconfigSpec): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'logbook', cluster: { server: spec.server, 'certificate-authority-data': b64(spec.caCert) } }],
    users: [{ name: spec.userName, user: { 'client-certificate-data': b64(spec.credentials.cert), 'client-key-data': b64(spec.credentials.key) } }],
    contexts: [{ name: `${spec.userName}@logbook`, context: { cluster: 'logbook', user: spec.userName } }],
    'current-context': `${spec.userName}@logbook`,
    preferences: {},
  });
}

/**
 * Issues a client certificate for `user` in `groups` from the cluster CA and
 * writes a kubeconfig for it to `file` (mode 0600: it holds the key).
 */
export async function writeClientKubeconfig(file: string, pki: ClusterPki, server: string, user: string, groups: string[]): Promise<void> {
  const credentials = await issueClientCert(pki, user, groups);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, kubeconfigYaml({ server, caCert: pki.caCert, userName: user, credentials }), { mode: 0o600 });
}
