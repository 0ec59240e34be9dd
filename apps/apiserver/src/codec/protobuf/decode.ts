import { Message, Type } from 'protobufjs';
import { KubernetesProtobufError } from './errors';
import { messageToGoJson } from './go-json';
import { lookupMessage, messageForKind } from './schema';

/** The media type of Kubernetes' protobuf encoding. */
export const KUBERNETES_PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** Every protobuf-encoded Kubernetes object starts with these four bytes: "k8s\0". */
export const KUBERNETES_PROTOBUF_MAGIC: Readonly<Uint8Array> = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]);

const UNKNOWN = 'k8s.io.apimachinery.pkg.runtime.Unknown';

/**
 * Whether a Content-Type header names Kubernetes' protobuf encoding
 * (`application/vnd.kubernetes.protobuf`, any case, with or without
 * parameters).
 */
export function isKubernetesProtobuf(contentType: string | undefined | null): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(';', 1)[0].trim().toLowerCase();
  return mediaType === KUBERNETES_PROTOBUF_MEDIA_TYPE;
}

/**
 * Decodes a request body sent as `application/vnd.kubernetes.protobuf` —
 * the `k8s\0` magic, then a `runtime.Unknown` whose `typeMeta` names the kind
 * and whose `raw` is the typed message — into the plain JSON object the same
 * request would have carried as `application/json`: `apiVersion` and `kind`
 * first, then the fields exactly as Go's encoding/json prints them.
 *
 * @throws KubernetesProtobufError 400 `BadRequest` for bytes that are not a
 *   Kubernetes protobuf object, 415 `UnsupportedMediaType` for an object we
 *   cannot convert (unknown kind, compressed or non-protobuf payload).
 */
export function decodeKubernetesProtobuf(body: Buffer | Uint8Array): Record<string, unknown> {
  const bytes: Uint8Array = body;
  if (bytes.length < KUBERNETES_PROTOBUF_MAGIC.length || !KUBERNETES_PROTOBUF_MAGIC.every((b, i) => bytes[i] === b)) {
    throw KubernetesProtobufError.malformed(
      'body is not a Kubernetes protobuf object: it does not start with the "k8s\\0" prefix',
    );
  }
  const unknown = decodeMessage(lookupMessage(UNKNOWN), bytes.subarray(KUBERNETES_PROTOBUF_MAGIC.length), 'runtime.Unknown envelope');
  const typeMeta = (unknown['typeMeta'] ?? {}) as Record<string, unknown>;
  const apiVersion = typeof typeMeta['apiVersion'] === 'string' ? typeMeta['apiVersion'] : '';
  const kind = typeof typeMeta['kind'] === 'string' ? typeMeta['kind'] : '';
  if (kind === '') throw KubernetesProtobufError.malformed("Object 'Kind' is missing in the protobuf envelope");
  if (apiVersion === '') throw KubernetesProtobufError.malformed("Object 'apiVersion' is missing in the protobuf envelope");

  const contentEncoding = ownString(unknown, 'contentEncoding');
  if (contentEncoding !== '') {
    throw KubernetesProtobufError.unsupported(`protobuf envelope with contentEncoding "${contentEncoding}" is not supported`);
  }
  const contentType = ownString(unknown, 'contentType');
  if (contentType !== '' && !isKubernetesProtobuf(contentType)) {
    throw KubernetesProtobufError.unsupported(`protobuf envelope with contentType "${contentType}" is not supported`);
  }

  const type = messageForKind(apiVersion, kind);
  const raw = (unknown['raw'] as Uint8Array | undefined) ?? new Uint8Array(0);
  const object = decodeMessage(type, raw, `${apiVersion}, Kind=${kind}`);
  return { apiVersion, kind, ...messageToGoJson(type, object) };
}

function decodeMessage(type: Type, bytes: Uint8Array, what: string): Message & Record<string, unknown> {
  try {
    return type.decode(bytes) as Message & Record<string, unknown>;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw KubernetesProtobufError.malformed(`cannot decode ${what} from protobuf: ${detail}`, err);
  }
}

function ownString(m: Record<string, unknown>, key: string): string {
  const v = Object.prototype.hasOwnProperty.call(m, key) ? m[key] : undefined;
  return typeof v === 'string' ? v : '';
}
