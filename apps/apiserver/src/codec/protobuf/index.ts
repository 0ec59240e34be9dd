export {
  decodeKubernetesProtobuf,
  isKubernetesProtobuf,
  KUBERNETES_PROTOBUF_MAGIC,
  KUBERNETES_PROTOBUF_MEDIA_TYPE,
} from './decode';
export { KubernetesProtobufError, type KubernetesProtobufErrorReason } from './errors';
export { supportedKinds as supportedKubernetesProtobufKinds } from './schema';
