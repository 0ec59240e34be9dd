import { SDK_VERSION } from '../version';

export interface ClientConfig {
  /** The API server. Default: `LOGBOOK_SERVER`, else `http://127.0.0.1:8080`. */
  server?: string;
  /** Sent as `Authorization: Bearer <token>`; none by default (the local admin). */
  token?: string;
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
  userAgent: string;
  fieldManager?: string;
  requestTimeoutMs: number;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export function resolveClientConfig(config: ClientConfig = {}): ResolvedClientConfig {
  const server = (config.server ?? process.env.LOGBOOK_SERVER ?? DEFAULT_SERVER).replace(/\/+$/, '');
  try {
    new URL(server);
  } catch {
    throw new Error(`invalid API server URL: ${server}`);
  }
  return {
    server,
    token: config.token,
    userAgent: config.userAgent ?? `logbook-sdk/${SDK_VERSION}`,
    fieldManager: config.fieldManager,
    requestTimeoutMs: config.requestTimeoutMs ?? 30_000,
  };
}
