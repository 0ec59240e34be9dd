import { ApiError } from '@logbook/machinery';
import type { Status, StatusReason } from '@logbook/machinery';
import { Agent } from 'undici';
import { ResolvedClientConfig } from './client-config';
import { requestCounts } from './request-counts';

/** The header that tells the apiserver which event a write was caused by. */
export const CAUSE_SEQ_HEADER = 'x-logbook-cause-seq';

/** The server could not be reached, or the connection broke (no Status came back). */
export class TransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
  }
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** Aborts the request (watches); without it, a timeout applies. */
  signal?: AbortSignal;
  /** Overrides the configured request timeout. */
  timeoutMs?: number;
}

const REASONS: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Turns a metav1.Status body (or anything else) of a failed response into an ApiError. */
export function errorFromBody(code: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as Status;
    if (body && body.kind === 'Status') return ApiError.fromStatus({ ...body, code: body.code ?? code });
  } catch {
    /* not JSON */
  }
  return new ApiError(code, REASONS[code] ?? '', text.trim() || `the server responded with ${code}`);
}

const managerOf = (req: HttpRequest) => String(req.query?.fieldManager ?? '');

/** HTTP over Node's fetch (keep-alive connections are pooled by undici). */
export class HttpTransport {
  /** Connections that trust the configured CA and present the client certificate. */
  private readonly dispatcher?: Agent;

  constructor(readonly config: ResolvedClientConfig) {
    const tls = config.tls;
    if (tls) {
      this.dispatcher = new Agent({
        connect: { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: !tls.insecureSkipTlsVerify },
      });
    }
  }

  url(path: string, query: HttpRequest['query'] = {}): string {
    const u = new URL(this.config.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** Sends a request; resolves with the response when it is 2xx, else rejects with an ApiError. */
  async send(req: HttpRequest): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.config.userAgent, ...req.headers };
    if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`;
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['Content-Type'] = req.contentType ?? 'application/json';
    }
    const signal = req.signal ?? AbortSignal.timeout(req.timeoutMs ?? this.config.requestTimeoutMs);
    let res: Response;
    try {
      const init = { method: req.method, headers, body, signal, dispatcher: this.dispatcher } as RequestInit;
      res = await fetch(this.url(req.path, req.query), init);
    } catch (err) {
      if (req.signal?.aborted) throw err;
      requestCounts.record(req.method, '<error>', managerOf(req));
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new TransportError(`${req.method} ${req.path}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, { cause: err });
    }
    requestCounts.record(req.method, res.status, managerOf(req));
    if (!res.ok) throw errorFromBody(res.status, await res.text().catch(() => ''));
    return res;
  }

  async json<T>(req: HttpRequest): Promise<T> {
    const res = await this.send(req);
    try {
      return (await res.json()) as T;
    } catch (err) {
      throw new TransportError(`${req.method} ${req.path}: reading the response: ${(err as Error).message}`, { cause: err });
    }
  }
}
