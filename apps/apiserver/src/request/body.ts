import type { IncomingMessage } from 'http';
import * as yaml from 'js-yaml';
import { badRequest, requestEntityTooLarge, unsupportedMediaType } from '@logbook/machinery';
import { decodeKubernetesProtobuf, isKubernetesProtobuf, KubernetesProtobufError } from '../codec/protobuf';
import { ApiError } from '@logbook/machinery';

/** kube-apiserver's limit on a request body. */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

/**
 * Reads the whole body, refusing more than MAX_REQUEST_BYTES with 413: at
 * once when Content-Length says so, otherwise when the chunks pass the limit
 * (the request is then destroyed, as it is not worth reading on). A request
 * closed before its end rejects. Plain stream events, not an async
 * iterator: this runs for every write.
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_REQUEST_BYTES) {
    req.resume();
    return Promise.reject(requestEntityTooLarge(`limit is ${MAX_REQUEST_BYTES}`));
  }
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  if (req.destroyed) return Promise.reject(prematureClose());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (err: Error | undefined, body?: Buffer) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (err) reject(err);
      else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        settle(requestEntityTooLarge(`limit is ${MAX_REQUEST_BYTES}`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => settle(undefined, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    const onError = (err: Error) => settle(err);
    const onClose = () => settle(prematureClose());
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

const prematureClose = () => Object.assign(new Error('the request was closed before its body ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Decodes an object body: JSON, YAML, or Kubernetes protobuf (which
 * `kubectl create namespace|deployment|...` sends with no JSON fallback).
 */
export function decodeObject(body: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (isKubernetesProtobuf(type)) {
    try {
      return decodeKubernetesProtobuf(body);
    } catch (err) {
      if (err instanceof KubernetesProtobufError) {
        throw new ApiError(err.statusCode, err.reason as never, err.message);
      }
      throw err;
    }
  }
  if (type === '' || type === 'application/json' || type === '*/*') return parseJson(body);
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') return parseYaml(body);
  throw unsupportedMediaType(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
}

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw badRequest('the request body is empty');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

export function parseYaml(body: Buffer): unknown {
  try {
    return yaml.load(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
  }
}
