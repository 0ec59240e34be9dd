import { SDK_VERSION } from '../version';
import { loadKubeconfigFile } from './kubeconfig';

export interface ClientConfig {
  /** The API server. Default: the kubeconfig's, else `LOGBOOK_SERVER`, else `http://127.0.0.1:8080`. */
  server?: string;
  /** Sent as `Authorization: Bearer <token>`; none by default. */
  token?: string;
  /** PEM CA bundle to trust for an https server (instead of the system's). */
  ca?: string | Buffer;
  /** PEM client certificate and key: the user is the certificate's CN, its groups the O's. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Accept any server certificate (development only). */
  insecureSkipTlsVerify?: boolean;
  /**
   * A kubeconfig file whose current context supplies server, CA, client
   * certificate and token for whatever the fields above leave unset.
   * Default `LOGBOOK_KUBECONFIG`.
   */
  kubeconfig?: string;
  /** Default `logbook-sdk/<version>`. */
  userAgent?: string;
  /** The `fieldManager` of writes that do not name one (the server derives one from the user agent otherwise). */
  fieldManager?: string;
  /** Per-request timeout for everything but watches. Default 30 s. */
  requestTimeoutMs?: number;
}

export interface ResolvedClientConfig {
  server: string;
  token?: string;
  tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer; insecureSkipTlsVerify?: boolean };
  userAgent: string;
  fieldManager?: string;
  requestTimeoutMs: number;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** The settings a client uses: the fields given, then the kubeconfig's, then the environment's. */
export function resolveClientConfig(config: ClientConfig = {}): ResolvedClientConfig {
  const kubeconfig = config.kubeconfig ?? process.env.LOGBOOK_KUBECONFIG;
  const fromFile = kubeconfig ? loadKubeconfigFile(kubeconfig) : {};
  const merged = { ...fromFile, ...definedOnly(config) };
  const server = (merged.server ?? process.env.LOGBOOK_SERVER ?? DEFAULT_SERVER).replace(/\/+$/, '');
  try {
    new URL(server);
  } catch {
    throw new Error(`invalid API server URL: ${server}`);
  }
  const tls = { ca: merged.ca, cert: merged.cert, key: merged.key, insecureSkipTlsVerify: merged.insecureSkipTlsVerify };
  return {
    server,
    token: merged.token,
    ...(Object.values(tls).some((v) => v !== undefined) ? { tls: definedOnly(tls) } : {}),
    userAgent: config.userAgent ?? `logbook-sdk/${SDK_VERSION}`,
    fieldManager: config.fieldManager,
    requestTimeoutMs: config.requestTimeoutMs ?? 30_000,
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
