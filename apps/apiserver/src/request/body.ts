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

/** Reads the whole body, refusing more than MAX_REQUEST_BYTES with 413. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_REQUEST_BYTES) {
    req.resume();
    throw requestEntityTooLarge(`limit is ${MAX_REQUEST_BYTES}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) {
      req.resume();
      throw requestEntityTooLarge(`limit is ${MAX_REQUEST_BYTES}`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

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
