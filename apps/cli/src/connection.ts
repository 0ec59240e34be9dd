import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';

/** Where the API server is and how to talk to it. */
export interface Connection {
  server: string;
  token?: string;
  /** PEM bundle to trust (certificate-authority[-data]). */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTlsVerify?: boolean;
  /** The namespace of the current context, if it names one. */
  namespace?: string;
  /** Where the settings came from, for error messages. */
  source: string;
}

export interface ConnectionFlags {
  server?: string;
  token?: string;
  kubeconfig?: string;
  context?: string;
  insecureSkipTlsVerify?: boolean;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

interface Named<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

interface KubeConfig {
  'current-context'?: string;
  clusters?: Array<Named<Record<string, unknown>>>;
  users?: Array<Named<Record<string, unknown>>>;
  contexts?: Array<Named<Record<string, unknown>>>;
}

/**
 * The kubeconfig files kubectl would read, in order: --kubeconfig,
 * $KUBECONFIG (a path list), ~/.kube/config — and, when none of those is
 * there, the admin kubeconfig `npm start` wrote (`$LOGBOOK_DATA_DIR` or
 * `.logbook`, `/admin.kubeconfig`), so the CLI reaches a local Logbook as is.
 */
export function kubeconfigFiles(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): string[] {
  if (flags.kubeconfig) return [flags.kubeconfig];
  if (env.KUBECONFIG) return env.KUBECONFIG.split(path.delimiter).filter(Boolean);
  const home = path.join(env.HOME ?? os.homedir(), '.kube', 'config');
  const local = path.resolve(env.LOGBOOK_DATA_DIR ?? '.logbook', 'admin.kubeconfig');
  return !fs.existsSync(home) && fs.existsSync(local) ? [local] : [home];
}

/** Merges kubeconfig files as kubectl does: the first file to set a value (or define a name) wins. */
export function loadKubeconfig(files: string[]): { config: KubeConfig; dirs: Map<object, string> } {
  const merged: KubeConfig = { clusters: [], users: [], contexts: [] };
  const dirs = new Map<object, string>();
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    const doc = (yaml.load(fs.readFileSync(file, 'utf8')) ?? {}) as KubeConfig;
    if (!merged['current-context'] && doc['current-context']) merged['current-context'] = doc['current-context'];
    for (const list of ['clusters', 'users', 'contexts'] as const) {
      for (const entry of doc[list] ?? []) {
        if (merged[list]!.some((e) => e.name === entry.name)) continue;
        merged[list]!.push(entry);
        dirs.set(entry, path.dirname(path.resolve(file)));
      }
    }
  }
  return { config: merged, dirs };
}

/**
 * The connection the flags and kubeconfig describe, kubectl's way: flags
 * first (--server, --token), then the current (or --context) context of the
 * kubeconfig, then Logbook's default address.
 */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Connection {
  const files = kubeconfigFiles(flags, env);
  if (flags.kubeconfig && !fs.existsSync(flags.kubeconfig)) throw new Error(`kubeconfig ${flags.kubeconfig} does not exist`);
  const { config, dirs } = loadKubeconfig(files);
  const contextName = flags.context ?? config['current-context'];
  const context = config.contexts?.find((c) => c.name === contextName)?.context as Record<string, string> | undefined;
  if (flags.context && !context) throw new Error(`context "${flags.context}" does not exist in ${files.join(', ')}`);
  const clusterEntry = context ? config.clusters?.find((c) => c.name === context.cluster) : undefined;
  const userEntry = context ? config.users?.find((u) => u.name === context.user) : undefined;
  const cluster = (clusterEntry?.cluster ?? {}) as Record<string, unknown>;
  const user = (userEntry?.user ?? {}) as Record<string, unknown>;
  const rel = (entry: object | undefined, p: string) => (path.isAbsolute(p) || !entry ? p : path.join(dirs.get(entry) ?? '.', p));
  const fileOrData = (entry: object | undefined, obj: Record<string, unknown>, field: string): Buffer | undefined => {
    const data = obj[`${field}-data`];
    if (typeof data === 'string' && data) return Buffer.from(data, 'base64');
    const file = obj[field];
    if (typeof file === 'string' && file) return fs.readFileSync(rel(entry, file));
    return undefined;
  };

  const conn: Connection = {
    server: flags.server ?? (typeof cluster.server === 'string' ? cluster.server : DEFAULT_SERVER),
    source: flags.server ? '--server' : typeof cluster.server === 'string' ? `kubeconfig context "${contextName}"` : 'the default address',
  };
  const fromConfig = !flags.server || (typeof cluster.server === 'string' && cluster.server === flags.server);
  if (flags.token) conn.token = flags.token;
  else if (fromConfig && typeof user.token === 'string') conn.token = user.token;
  else if (fromConfig && typeof user.tokenFile === 'string') conn.token = fs.readFileSync(rel(userEntry, user.tokenFile), 'utf8').trim();
  if (fromConfig) {
    conn.ca = fileOrData(clusterEntry, cluster, 'certificate-authority');
    conn.cert = fileOrData(userEntry, user, 'client-certificate');
    conn.key = fileOrData(userEntry, user, 'client-key');
    if (cluster['insecure-skip-tls-verify'] === true) conn.insecureSkipTlsVerify = true;
    if (context?.namespace) conn.namespace = context.namespace;
  }
  if (flags.insecureSkipTlsVerify) conn.insecureSkipTlsVerify = true;
  return conn;
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An error the server answered with (a metav1.Status), worded as kubectl prints it. */
export class ServerError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export class ApiClient {
  constructor(readonly conn: Connection) {}

  private request(pathAndQuery: string, accept: string): Promise<http.IncomingMessage> {
    const url = new URL(this.conn.server.replace(/\/$/, '') + pathAndQuery);
    const headers: Record<string, string> = { Accept: accept, 'User-Agent': 'logbook-cli/0.1.0' };
    if (this.conn.token) headers.Authorization = `Bearer ${this.conn.token}`;
    const mod = url.protocol === 'https:' ? https : http;
    const opts: https.RequestOptions = { method: 'GET', headers };
    if (url.protocol === 'https:') {
      if (this.conn.ca) opts.ca = this.conn.ca;
      if (this.conn.cert) opts.cert = this.conn.cert;
      if (this.conn.key) opts.key = this.conn.key;
      if (this.conn.insecureSkipTlsVerify) opts.rejectUnauthorized = false;
    }
    const send = (retry: boolean): Promise<http.IncomingMessage> =>
      new Promise((resolve, reject) => {
        const req = mod.request(url, opts, resolve);
        req.on('error', (err: NodeJS.ErrnoException) => {
          // A kept-alive connection the server closed just as we reused it: a GET is safe to send again.
          if (retry && req.reusedSocket && err.code === 'ECONNRESET') return resolve(send(false));
          reject(new Error(`cannot reach the Logbook API server at ${this.conn.server} (from ${this.conn.source}): ${err.message}`));
        });
        req.end();
      });
    return send(true);
  }

  /** GET returning the body; a non-2xx answer throws ServerError. */
  async get(pathAndQuery: string, accept = 'application/json'): Promise<Response> {
    const res = await this.request(pathAndQuery, accept);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if ((res.statusCode ?? 0) >= 300) throw toServerError(res.statusCode ?? 0, body);
    return { status: res.statusCode ?? 0, headers: res.headers, body };
  }

  async getJson<T = unknown>(pathAndQuery: string, accept = 'application/json'): Promise<T> {
    return JSON.parse((await this.get(pathAndQuery, accept)).body) as T;
  }

  /** GET a stream of lines (watch, audit), calling `onLine` for each; resolves when the stream ends. */
  async lines(pathAndQuery: string, onLine: (line: string) => void | Promise<void>, accept = 'application/json'): Promise<void> {
    const res = await this.request(pathAndQuery, accept);
    if ((res.statusCode ?? 0) >= 300) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      throw toServerError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
    }
    let buf = '';
    for await (const chunk of res) {
      buf += (chunk as Buffer).toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) await onLine(line);
      }
    }
    if (buf.trim()) await onLine(buf);
  }
}

function toServerError(status: number, body: string): ServerError {
  try {
    const s = JSON.parse(body) as { kind?: string; reason?: string; message?: string };
    if (s.kind === 'Status') return new ServerError(status, s.reason ?? '', s.message ?? body);
  } catch {
    /* not a Status */
  }
  return new ServerError(status, '', body.trim() || `HTTP ${status}`);
}
