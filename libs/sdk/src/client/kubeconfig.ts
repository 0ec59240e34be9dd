import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';

/** What a kubeconfig's current context says about reaching the cluster. */
export interface KubeconfigConnection {
  server?: string;
  token?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTlsVerify?: boolean;
}

type Entry = Record<string, unknown>;

/**
 * Reads one kubeconfig file's current context: the cluster's server and CA
 * (`certificate-authority[-data]`) and the user's client certificate and
 * key (`client-certificate[-data]`, `client-key[-data]`) or token
 * (`token`, `tokenFile`). Relative file paths are relative to the file.
 */
export function loadKubeconfigFile(file: string): KubeconfigConnection {
  const doc = (yaml.load(fs.readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  const named = (list: string, name: unknown, field: string): Entry => {
    const entries = (doc[list] ?? []) as Array<{ name?: string } & Record<string, unknown>>;
    return (entries.find((e) => e.name === name)?.[field] ?? {}) as Entry;
  };
  const context = named('contexts', doc['current-context'], 'context');
  if (!doc['current-context'] || Object.keys(context).length === 0) throw new Error(`kubeconfig ${file} has no current context`);
  const cluster = named('clusters', context.cluster, 'cluster');
  const user = named('users', context.user, 'user');
  const dir = path.dirname(path.resolve(file));
  const read = (entry: Entry, field: string): Buffer | undefined => {
    const data = entry[`${field}-data`];
    if (typeof data === 'string' && data) return Buffer.from(data, 'base64');
    const f = entry[field];
    return typeof f === 'string' && f ? fs.readFileSync(path.resolve(dir, f)) : undefined;
  };
  const out: KubeconfigConnection = {};
  if (typeof cluster.server === 'string') out.server = cluster.server;
  const ca = read(cluster, 'certificate-authority');
  if (ca) out.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) out.insecureSkipTlsVerify = true;
  const cert = read(user, 'client-certificate');
  const key = read(user, 'client-key');
  if (cert) out.cert = cert;
  if (key) out.key = key;
  if (typeof user.token === 'string') out.token = user.token;
  else if (typeof user.tokenFile === 'string') out.token = fs.readFileSync(path.resolve(dir, user.tokenFile), 'utf8').trim();
  return out;
}
