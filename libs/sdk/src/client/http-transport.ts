import { ApiError } from '@logbook/machinery';
import type { Status, StatusReason } from '@logbook/machinery';
import { createSecureContext } from 'tls';
import { Agent, Dispatcher, request } from 'undici';
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

/**
 * Connections per API server for requests other than watches. Requests
 * beyond it wait for a free keep-alive connection instead of opening a new
 * one: a TLS handshake costs both sides far more than the request itself,
 * and the API server answers one request at a time anyway.
 */
export const MAX_REQUEST_CONNECTIONS = 32;

/** A response whose status is 2xx; its body must be read (or dumped) to free the connection. */
export interface HttpResponse {
  statusCode: number;
  body: Dispatcher.ResponseData['body'];
}

/** Where requests and watches go: requests share a bounded pool; each watch holds a connection of its own. */
interface Dispatchers {
  requests: Agent;
  watches: Agent;
}

const dispatchers = (connect?: Agent.Options['connect']): Dispatchers => ({
  requests: new Agent({ connect, connections: MAX_REQUEST_CONNECTIONS }),
  watches: new Agent({ connect }),
});

/** Plain-HTTP clients of the process share one pair (as they shared fetch's global dispatcher). */
let plain: Dispatchers | undefined;

/**
 * HTTP through undici's `request` (keep-alive connections pooled per
 * server). Over TLS the client certificate, key and CA are parsed into one
 * SecureContext when the transport is made, not at every connection.
 */
export class HttpTransport {
  private readonly dispatchers: Dispatchers;

  constructor(readonly config: ResolvedClientConfig) {
    const tls = config.tls;
    if (tls) {
      const secureContext = createSecureContext({ ca: tls.ca, cert: tls.cert, key: tls.key });
      this.dispatchers = dispatchers({ secureContext, rejectUnauthorized: !tls.insecureSkipTlsVerify });
    } else {
      this.dispatchers = plain ??= dispatchers();
    }
  }

  url(path: string, query: HttpRequest['query'] = {}): string {
    const u = new URL(this.config.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u.toString();
  }

  /**
   * Sends a request; resolves with the response when it is 2xx, else
   * rejects with an ApiError. `watch` sends it on a connection of its own.
   */
  async send(req: HttpRequest, opts: { watch?: boolean } = {}): Promise<HttpResponse> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': this.config.userAgent, ...req.headers };
    if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`;
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['Content-Type'] = req.contentType ?? 'application/json';
    }
    const signal = req.signal ?? AbortSignal.timeout(req.timeoutMs ?? this.config.requestTimeoutMs);
    let res: Dispatcher.ResponseData;
    try {
      const dispatcher = opts.watch ? this.dispatchers.watches : this.dispatchers.requests;
      // reset: false keeps the connection after a DELETE with a body (DeleteOptions), which undici closes otherwise.
      res = await request(this.url(req.path, req.query), { method: req.method, headers, body, signal, dispatcher, reset: false });
    } catch (err) {
      if (req.signal?.aborted) throw err;
      requestCounts.record(req.method, '<error>', managerOf(req));
      const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
      throw new TransportError(`${req.method} ${req.path}: ${e.code ?? e.cause?.code ?? e.cause?.message ?? e.message}`, { cause: err });
    }
    requestCounts.record(req.method, res.statusCode, managerOf(req));
    if (res.statusCode < 200 || res.statusCode > 299) throw errorFromBody(res.statusCode, await res.body.text().catch(() => ''));
    return res;
  }

  async json<T>(req: HttpRequest): Promise<T> {
    const res = await this.send(req);
    try {
      return (await res.body.json()) as T;
    } catch (err) {
      throw new TransportError(`${req.method} ${req.path}: reading the response: ${(err as Error).message}`, { cause: err });
    }
  }
}
