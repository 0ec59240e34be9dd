/**
 * OpenAPI for Logbook's API: schemas generated from libs/api's types, the
 * /openapi/v3 and /openapi/v2 documents, and the schema checks kube-apiserver
 * applies while decoding a request body (unknown fields, type errors).
 * See README.md.
 */
export { schemaRegistry } from './schema-registry';
export type { SchemaRegistry, SchemaRegistryOptions } from './schema-registry';
export {
  openApiV3Root,
  openApiV3Document,
  openApiV3Serialized,
  openApiV2Document,
  openApiHash,
  groupVersionPath,
} from './documents';
export type { OpenAPIV3Root, OpenAPIV3Document, SwaggerDocument } from './documents';
export {
  checkObject,
  decodeErrorMessage,
  fieldValidationMode,
  strictDecodingMessage,
  unknownFieldMessages,
  unknownFieldWarnings,
  warningHeader,
} from './decode-check';
export type { DecodeCheckResult, FieldValidation, SchemaLookup } from './decode-check';
export { GVK_EXTENSION, REF_PREFIX, definitionName } from './definitions';
export type { GroupVersionKind, JSONSchema } from './definitions';
