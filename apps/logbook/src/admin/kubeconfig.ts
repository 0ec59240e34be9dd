/**
 * `npm run kubeconfig -- <user> [group...] [--server URL] [--out FILE]`:
 * issues a client certificate for `user` in `groups` from the cluster CA
 * (LOGBOOK_PKI_DIR, created if missing) and writes a kubeconfig for it —
 * to FILE, else to stdout. How separate component processes and other
 * users get credentials (kubeadm's `kubeconfig user`).
 */
import 'reflect-metadata';
import '../register-paths';
import * as fs from 'fs';
import { clusterPki, issueClientCert, kubeconfigYaml } from '@logbook/apiserver';

async function main(argv: string[]): Promise<void> {
  const positional: string[] = [];
  let server = `https://127.0.0.1:${process.env.PORT ?? 6443}`;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--server') server = argv[++i];
    else if (argv[i] === '--out') out = argv[++i];
    else positional.push(argv[i]);
  }
  const [user, ...groups] = positional;
  if (!user || !server || (out !== undefined && !out)) {
    console.error('usage: kubeconfig <user> [group...] [--server URL] [--out FILE]');
    process.exit(2);
  }
  const pki = await clusterPki();
  const yaml = kubeconfigYaml({ server, caCert: pki.caCert, userName: user, credentials: await issueClientCert(pki, user, groups) });
  if (out) fs.writeFileSync(out, yaml, { mode: 0o600 });
  else process.stdout.write(yaml);
}

main(process.argv.slice(2)).catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
