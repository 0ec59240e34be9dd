/**
 * The documents kube-apiserver serves under /openapi, as pure functions of
 * a Scheme (and the CRDs registered with its schema registry):
 *
 * - `openApiV3Root(scheme)`: `GET /openapi/v3`, the index of per-group
 *   documents with their hashes (`serverRelativeURL: /openapi/v3/api/v1?hash=<SHA-512, upper-case hex>`);
 * - `openApiV3Document(scheme, 'apis/apps/v1')`: `GET /openapi/v3/apis/apps/v1`;
 * - `openApiV2Document(scheme)`: `GET /openapi/v2` as Swagger 2.0 JSON.
 *
 * Everything is cached per Scheme and rebuilt when the registry's
 * generation moves. The hash is that of `JSON.stringify(document)`, which is
 * also the ETag (quoted) and the body `openApiV3Serialized` returns.
 */
import { createHash } from 'crypto';
import type { Scheme } from '@logbook/api';
import { versionInfo } from '../version';
import { definitionName, groupDir, GroupVersionKind, JSONSchema, REF_PREFIX, refName } from './definitions';
import { logbookV1Paths } from './logbook-paths';
import { operationIdPrefix, resourcePaths } from './operations';
import { schemaRegistry } from './schema-registry';

export interface OpenAPIV3Root {
  paths: Record<string, { serverRelativeURL: string }>;
}

export interface OpenAPIV3Document {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JSONSchema>; securitySchemes: Record<string, JSONSchema> };
}

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, JSONSchema>;
  securityDefinitions: Record<string, JSONSchema>;
  security: Record<string, string[]>[];
}

interface Serialized<T> {
  document: T;
  json: string;
  hash: string;
}

interface Cache {
  generation: number;
  v3?: Map<string, Serialized<OpenAPIV3Document>>;
  root?: OpenAPIV3Root;
  v2?: SwaggerDocument;
}

const caches = new WeakMap<Scheme, Cache>();
const info = () => ({ title: 'Kubernetes', version: versionInfo().gitVersion });
const securitySchemes = { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } };

function cacheFor(scheme: Scheme): Cache {
  const generation = schemaRegistry(scheme).generation;
  let cache = caches.get(scheme);
  if (!cache || cache.generation !== generation) caches.set(scheme, (cache = { generation }));
  return cache;
}

/** `api/v1` for core, `apis/<group>/<version>` otherwise. */
export const groupVersionPath = (group: string, version: string): string => (group ? `apis/${group}/${version}` : `api/${version}`);

/** SHA-512 of the bytes, upper-case hex (kube-openapi's computeETag). */
export const openApiHash = (json: string): string => createHash('sha512').update(json).digest('hex').toUpperCase();

function v3Documents(scheme: Scheme): Map<string, Serialized<OpenAPIV3Document>> {
  const cache = cacheFor(scheme);
  if (cache.v3) return cache.v3;
  const docs = new Map<string, Serialized<OpenAPIV3Document>>();
  for (const { group, versions } of scheme.groupVersions()) {
    for (const version of versions) {
      const document = buildV3Document(scheme, group, version);
      const json = JSON.stringify(document);
      docs.set(groupVersionPath(group, version), { document, json, hash: openApiHash(json) });
    }
  }
  const logbook = buildLogbookDocument(scheme);
  const json = JSON.stringify(logbook);
  docs.set(groupVersionPath(LOGBOOK_GROUP, 'v1'), { document: logbook, json, hash: openApiHash(json) });
  return (cache.v3 = docs);
}

const LOGBOOK_GROUP = 'logbook.io';

/** `/apis/logbook.io/v1`: the history API (not in the Scheme: its answers are views of the log, not stored kinds). */
function buildLogbookDocument(scheme: Scheme): OpenAPIV3Document {
  const paths: OpenAPIV3Document['paths'] = {
    '/apis/logbook.io/v1/': {
      get: {
        tags: ['logbook_v1'],
        description: 'get available resources',
        operationId: 'getLogbookV1APIResources',
        responses: {
          '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `${REF_PREFIX}io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList` } } } },
          '401': { description: 'Unauthorized' },
        },
      },
    },
    ...logbookV1Paths(),
  };
  return { openapi: '3.0.0', info: info(), paths, components: { schemas: closure(paths, schemaRegistry(scheme).definitions), securitySchemes } };
}

export function openApiV3Root(scheme: Scheme): OpenAPIV3Root {
  const cache = cacheFor(scheme);
  if (cache.root) return cache.root;
  const paths: OpenAPIV3Root['paths'] = {};
  const docs = v3Documents(scheme);
  for (const key of [...docs.keys()].sort()) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${docs.get(key)!.hash}` };
  return (cache.root = { paths });
}

const normalize = (gvPath: string): string => gvPath.replace(/^\/+/, '').replace(/^openapi\/v3\//, '').replace(/[?#].*$/, '').replace(/\/+$/, '');

/** The document of one group/version (`api/v1`, `apis/apps/v1`), or undefined when the Scheme does not serve it. */
export function openApiV3Document(scheme: Scheme, gvPath: string): OpenAPIV3Document | undefined {
  return v3Documents(scheme).get(normalize(gvPath))?.document;
}

/** The document as sent on the wire, with its hash (the ETag and the root's `?hash=`). */
export function openApiV3Serialized(scheme: Scheme, gvPath: string): { json: string; hash: string } | undefined {
  const entry = v3Documents(scheme).get(normalize(gvPath));
  return entry && { json: entry.json, hash: entry.hash };
}

function buildV3Document(scheme: Scheme, group: string, version: string): OpenAPIV3Document {
  const registry = schemaRegistry(scheme);
  const definitions = registry.definitions;
  const prefix = `/${groupVersionPath(group, version)}`;
  const nameFor = (gvk: GroupVersionKind) => {
    const name = registry.nameFor(gvk) ?? definitionName({ dir: `${groupDir(gvk.group)}/${gvk.version}`, name: gvk.kind });
    return definitions[name] ? name : undefined;
  };
  const paths: OpenAPIV3Document['paths'] = {
    [`${prefix}/`]: {
      get: {
        tags: [`${group ? group.split('.')[0] : 'core'}_${version}`],
        description: 'get available resources',
        operationId: `get${operationIdPrefix(group, version)}APIResources`,
        responses: {
          '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `${REF_PREFIX}io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList` } } } },
          '401': { description: 'Unauthorized' },
        },
      },
    },
  };
  const resources = scheme.resourcesFor(group, version).sort((a, b) => a.resource.localeCompare(b.resource));
  for (const d of resources) Object.assign(paths, resourcePaths(d, { prefix, nameFor }));
  return {
    openapi: '3.0.0',
    info: info(),
    paths,
    components: { schemas: closure(paths, definitions), securitySchemes },
  };
}

/** The definitions `root` refers to, directly or through other definitions. */
function closure(root: unknown, definitions: Readonly<Record<string, JSONSchema>>): Record<string, JSONSchema> {
  const out: Record<string, JSONSchema> = {};
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const name = refName(node as JSONSchema);
    if (name && !out[name] && definitions[name]) {
      out[name] = definitions[name];
      visit(definitions[name]);
    }
    Object.values(node).forEach(visit);
  };
  visit(root);
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}

// --- Swagger 2.0 -----------------------------------------------------------------

/**
 * `GET /openapi/v2` as JSON. kubectl asks for v2 only in protobuf and
 * tolerates a 404: serve this to clients that accept JSON, 404 otherwise.
 */
export function openApiV2Document(scheme: Scheme): SwaggerDocument {
  const cache = cacheFor(scheme);
  if (cache.v2) return cache.v2;
  const paths: SwaggerDocument['paths'] = {};
  for (const doc of v3Documents(scheme).values()) {
    for (const [p, item] of Object.entries(doc.document.paths)) paths[p] = toV2(v2PathItem(item)) as Record<string, unknown>;
  }
  const definitions = toV2(schemaRegistry(scheme).definitions) as Record<string, JSONSchema>;
  return (cache.v2 = {
    swagger: '2.0',
    info: info(),
    paths,
    definitions: Object.fromEntries(Object.keys(definitions).sort().map((k) => [k, definitions[k]])),
    securityDefinitions: securitySchemes,
    security: [{ BearerToken: [] }],
  });
}

function v2Parameter(p: JSONSchema): JSONSchema {
  const { schema, ...rest } = p;
  return { ...rest, ...(schema as JSONSchema) };
}

function v2PathItem(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    if (key === 'parameters') out.parameters = (value as JSONSchema[]).map(v2Parameter);
    else out[key] = v2Operation(value as JSONSchema);
  }
  return out;
}

function v2Operation(op: JSONSchema): JSONSchema {
  const { requestBody, responses, parameters, ...rest } = op;
  const out: JSONSchema = { ...rest };
  const params = ((parameters as JSONSchema[] | undefined) ?? []).map(v2Parameter);
  const produces = new Set<string>();
  const v2Responses: Record<string, JSONSchema> = {};
  for (const [code, r] of Object.entries((responses as Record<string, JSONSchema>) ?? {})) {
    const media = (r.content as Record<string, { schema: JSONSchema }> | undefined) ?? {};
    Object.keys(media).forEach((m) => produces.add(m));
    const first = Object.values(media)[0];
    v2Responses[code] = first ? { description: r.description, schema: first.schema } : { description: r.description };
  }
  if (requestBody) {
    const media = (requestBody as JSONSchema).content as Record<string, { schema: JSONSchema }>;
    out.consumes = Object.keys(media);
    params.push({ in: 'body', name: 'body', required: (requestBody as JSONSchema).required === true, schema: Object.values(media)[0].schema });
  }
  if (produces.size) out.produces = [...produces];
  if (params.length) out.parameters = params;
  out.responses = v2Responses;
  return out;
}

/** v3 refs and `allOf: [ref]` wrappers to Swagger 2.0's `$ref` + siblings into `#/definitions/`. */
function toV2(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toV2);
  if (!node || typeof node !== 'object') return node;
  const obj = node as JSONSchema;
  const name = refName(obj);
  const out: JSONSchema = {};
  for (const [k, v] of Object.entries(obj)) if (k !== '$ref' && !(k === 'allOf' && name)) out[k] = toV2(v);
  if (name) out.$ref = `#/definitions/${name}`;
  return out;
}
