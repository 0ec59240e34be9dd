import type { ServerResponse } from 'http';
import { ApiError } from '@logbook/machinery';

/**
 * Object keys in the order Kubernetes prints them (apiVersion, kind,
 * metadata, spec, status, then the rest). Postgres jsonb sorts keys by
 * length; clients reading JSON by eye deserve better.
 */
const LEADING_KEYS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

export function canonical(obj: unknown): unknown {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return obj;
  const src = obj as Record<string, unknown>;
  if (!('kind' in src) && !('apiVersion' in src)) return obj;
  const out: Record<string, unknown> = {};
  for (const k of LEADING_KEYS) if (k in src) out[k] = src[k];
  for (const k of Object.keys(src)) if (!(k in out)) out[k] = src[k];
  return out;
}

export function writeJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(canonical(body));
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function writeError(res: ServerResponse, err: ApiError): void {
  writeJson(res, err.code, err.toStatus());
}

/** The Status body of a successful delete of a collection or a non-object result. */
export function successStatus(details?: Record<string, unknown>) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}) };
}
