// @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, webcrypto, X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

/** ECDSA P-256 keys: as strong as RSA-3072 and generated in a millisecond. */
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;

/** The first ClusterIP of the default service CIDR (10.96.0.0/12): the `kubernetes` Service's. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

/** The cluster's trust material, all PEM. */
export interface ClusterPki {
  dir: string;
  caCert: string;
  /** Absent when the CA was given without its key (then no client certificates can be issued here). */
  caKey?: string;
  servingCert: string;
  servingKey: string;
  /** RS256 key pair that signs and verifies ServiceAccount tokens. */
  serviceAccountKey: string;
  serviceAccountPub: string;
}

export interface IssuedCert {
  cert: string;
  key: string;
}

/** kubeadm's file names, under the PKI directory. */
const FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  servingCert: 'apiserver.crt',
  servingKey: 'apiserver.key',
  serviceAccountKey: 'sa.key',
  serviceAccountPub: 'sa.pub',
} as const;

/** The PKI directory: LOGBOOK_PKI_DIR, else `<LOGBOOK_DATA_DIR or .logbook>/pki`. */
export function pkiDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.LOGBOOK_PKI_DIR ?? path.join(env.LOGBOOK_DATA_DIR ?? '.logbook', 'pki'));
}

/** The names the serving certificate is valid for (kube-apiserver's defaults). */
export function servingNames(extra: string[] = []): { dns: string[]; ips: string[] } {
  const dns = new Set(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', os.hostname()]);
  const ips = new Set(['127.0.0.1', '::1', KUBERNETES_SERVICE_IP]);
  for (const n of extra) (isIp(n) ? ips : dns).add(n);
  return { dns: [...dns].filter(Boolean), ips: [...ips] };
}

/**
 * Loads the cluster PKI from `dir`, creating what is missing on first start:
 * a CA (unless `ca.crt`/`ca.key` were put there), a serving certificate it
 * signs (unless LOGBOOK_TLS_CERT_FILE/LOGBOOK_TLS_KEY_FILE name one) and the
 * ServiceAccount signing key. Several processes may start at once over one
 * directory: each generates into a private directory and renames it into
 * place; the loser of the race loads the winner's files.
 */
export async function loadOrCreatePki(dir: string, opts: { extraNames?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ClusterPki> {
  const env = opts.env ?? process.env;
  if (!fs.existsSync(path.join(dir, FILES.caCert))) {
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
    try {
      const ca = await createCa('logbook-ca');
      const serving = await issueCert(ca, { commonName: 'kube-apiserver', server: servingNames(opts.extraNames) });
      const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFiles(tmp, {
        caCert: ca.cert,
        caKey: ca.key,
        servingCert: serving.cert,
        servingKey: serving.key,
        serviceAccountKey: sa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        serviceAccountPub: sa.publicKey.export({ type: 'spki', format: 'pem' }) as string,
      });
      fs.mkdirSync(path.dirname(dir), { recursive: true });
      try {
        fs.renameSync(tmp, dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : undefined);
  const caCert = read(FILES.caCert)!;
  const caKey = read(FILES.caKey);
  let servingCert = read(FILES.servingCert);
  let servingKey = read(FILES.servingKey);
  if (env.LOGBOOK_TLS_CERT_FILE || env.LOGBOOK_TLS_KEY_FILE) {
    if (!env.LOGBOOK_TLS_CERT_FILE || !env.LOGBOOK_TLS_KEY_FILE) throw new Error('LOGBOOK_TLS_CERT_FILE and LOGBOOK_TLS_KEY_FILE go together');
    servingCert = fs.readFileSync(env.LOGBOOK_TLS_CERT_FILE, 'utf8');
    servingKey = fs.readFileSync(env.LOGBOOK_TLS_KEY_FILE, 'utf8');
  } else if (!servingCert || !servingKey || expiresWithin(servingCert, 30 * DAY_MS)) {
    // A CA put in place by hand, or a serving certificate about to expire: (re)issue it.
    if (!caKey) throw new Error(`${path.join(dir, FILES.caKey)} is needed to issue the serving certificate`);
    const serving = await issueCert({ cert: caCert, key: caKey }, { commonName: 'kube-apiserver', server: servingNames(opts.extraNames) });
    writeFiles(dir, { servingCert: serving.cert, servingKey: serving.key });
    ({ cert: servingCert, key: servingKey } = serving);
  }
  let serviceAccountKey = read(FILES.serviceAccountKey);
  if (!serviceAccountKey) {
    serviceAccountKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    writeFiles(dir, { serviceAccountKey });
  }
  const serviceAccountPub = read(FILES.serviceAccountPub) ?? (createPublicKey(serviceAccountKey).export({ type: 'spki', format: 'pem' }) as string);
  return { dir, caCert, caKey, servingCert, servingKey, serviceAccountKey, serviceAccountPub };
}

/** A self-signed CA certificate valid for ten years. */
export async function createCa(commonName: string): Promise<IssuedCert> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [commonName] }],
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3650 * DAY_MS),
    signingAlgorithm: SIGN,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
}

export interface CertRequest {
  commonName: string;
  /** Organizations: the groups of a client certificate's user. */
  organizations?: string[];
  /** A serving certificate for these names; a client certificate when absent. */
  server?: { dns: string[]; ips: string[] };
  days?: number;
}

/**
 * A certificate signed by `ca`: a client certificate (CN = user, O = groups,
 * as Kubernetes reads them) or, with `server`, a serving certificate.
 */
export async function issueCert(ca: IssuedCert, req: CertRequest): Promise<IssuedCert> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const caCert = new x509.X509Certificate(ca.cert);
  const signingKey = await importKey(ca.key);
  const subject: Array<Record<string, string[]>> = [];
  for (const o of req.organizations ?? []) subject.push({ O: [o] });
  subject.push({ CN: [req.commonName] });
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([req.server ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (req.server) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...req.server.dns.map((value) => ({ type: 'dns' as const, value })),
        ...req.server.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: caCert.subjectName,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + (req.days ?? 365) * DAY_MS),
    signingAlgorithm: SIGN,
    publicKey: keys.publicKey,
    signingKey,
    extensions,
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
}

/** A client certificate for `user` in `groups`, signed by the cluster CA. */
export function issueClientCert(pki: Pick<ClusterPki, 'caCert' | 'caKey' | 'dir'>, user: string, groups: string[] = []): Promise<IssuedCert> {
  if (!pki.caKey) throw new Error(`no CA key in ${pki.dir}: client certificates cannot be issued`);
  return issueCert({ cert: pki.caCert, key: pki.caKey }, { commonName: user, organizations: groups });
}

function expiresWithin(pem: string, ms: number): boolean {
  return new Date(new X509Certificate(pem).validTo).getTime() - Date.now() < ms;
}

function writeFiles(dir: string, files: Partial<Record<keyof typeof FILES, string>>): void {
  for (const [k, v] of Object.entries(files)) {
    const file = FILES[k as keyof typeof FILES];
    fs.writeFileSync(path.join(dir, file), v, { mode: file.endsWith('.key') ? 0o600 : 0o644 });
  }
}

async function exportKey(key: webcrypto.CryptoKey): Promise<string> {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;
}

async function importKey(pem: string): Promise<webcrypto.CryptoKey> {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, EC, false, ['sign']);
}

/** A positive 128-bit serial number, in hex. */
function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function isIp(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || s.includes(':');
}

const loaded = new Map<string, Promise<ClusterPki>>();

/**
 * The PKI of this process's cluster (pkiDir()), loaded or created once per
 * process: the server's TLS setup, the authenticator and the all-in-one's
 * component identities share it.
 */
export function clusterPki(env: NodeJS.ProcessEnv = process.env): Promise<ClusterPki> {
  const dir = pkiDir(env);
  let p = loaded.get(dir);
  if (!p) {
    p = loadOrCreatePki(dir, { env, extraNames: (env.LOGBOOK_TLS_SAN ?? '').split(',').map((s) => s.trim()).filter(Boolean) });
    p.catch(() => loaded.delete(dir));
    loaded.set(dir, p);
  }
  return p;
}
