/**
 * Why a `application/vnd.kubernetes.protobuf` request body could not be turned
 * into JSON. `statusCode`/`reason` are what the apiserver answers with in its
 * `metav1.Status`:
 *
 * - 415 `UnsupportedMediaType`: a well-formed envelope we cannot convert (a
 *   kind we have no schema for, a compressed or non-protobuf payload, a
 *   RawExtension that is not JSON). The client should send JSON instead.
 * - 400 `BadRequest`: the bytes are not a valid Kubernetes protobuf message.
 */
export type KubernetesProtobufErrorReason = 'UnsupportedMediaType' | 'BadRequest';

export class KubernetesProtobufError extends Error {
  override readonly name = 'KubernetesProtobufError';

  constructor(
    readonly reason: KubernetesProtobufErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get statusCode(): 400 | 415 {
    return this.reason === 'UnsupportedMediaType' ? 415 : 400;
  }

  static unsupported(message: string, cause?: unknown): KubernetesProtobufError {
    return new KubernetesProtobufError('UnsupportedMediaType', message, { cause });
  }

  static malformed(message: string, cause?: unknown): KubernetesProtobufError {
    return new KubernetesProtobufError('BadRequest', message, { cause });
  }
}
