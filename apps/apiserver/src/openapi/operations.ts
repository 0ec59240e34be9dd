/**
 * The OpenAPI v3 `paths` of one group/version, shaped like kube-apiserver's:
 * one path per collection, item, subresource and (deprecated) watch URL,
 * an operation per verb with `x-kubernetes-action` and
 * `x-kubernetes-group-version-kind`, and the query parameters each verb
 * takes. kubectl reads the `patch` operations: one that carries the kind's
 * GVK and a `fieldValidation` query parameter switches it to server-side
 * field validation.
 */
import type { ResourceDefinition, SubresourceDefinition } from '@logbook/api';
import { DELETE_OPTIONS, GroupVersionKind, GVK_EXTENSION, JSONSchema, PATCH, ref, STATUS, WATCH_EVENT } from './definitions';

export type Operation = JSONSchema;
export type PathItem = Record<string, unknown>;

const q = (name: string, description: string, type = 'string', uniqueItems = true): JSONSchema => ({
  description,
  in: 'query',
  name,
  schema: { type, uniqueItems },
});

/** The query parameters, with kube's descriptions (shortened). */
export const PARAMETERS = {
  pretty: q('pretty', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: q('dryRun', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: q('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  fieldValidation: q(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. This is the default. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.',
  ),
  force: q('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.', 'boolean'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK".', 'boolean'),
  continue: q('continue', 'The continue option should be set when retrieving more results from the server.'),
  fieldSelector: q('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: q('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: q('limit', 'limit is a maximum number of responses to return for a list call.', 'integer'),
  resourceVersion: q('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from. Defaults to unset'),
  resourceVersionMatch: q('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  sendInitialEvents: q('sendInitialEvents', '`sendInitialEvents=true` may be set together with `watch=true`.', 'boolean'),
  timeoutSeconds: q('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  watch: q('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', 'integer'),
  orphanDependents: q('orphanDependents', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.', 'boolean'),
  propagationPolicy: q('propagationPolicy', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
} as const;

const P = PARAMETERS;
const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const RESPONSE_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const WATCH_TYPES = ['application/json', 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf', 'application/vnd.kubernetes.protobuf;stream=watch'];

const pathParam = (name: string, description: string): JSONSchema => ({ description, in: 'path', name, required: true, schema: { type: 'string', uniqueItems: true } });
const content = (types: string[], schemaName: string) => Object.fromEntries(types.map((t) => [t, { schema: ref(schemaName) }]));
const responses = (codes: string[], schemaName: string, types = RESPONSE_TYPES) => ({
  ...Object.fromEntries(codes.map((c) => [c, { description: c === '201' ? 'Created' : c === '202' ? 'Accepted' : 'OK', content: content(types, schemaName) }])),
  '401': { description: 'Unauthorized' },
});
const body = (schemaName: string, types = ['*/*']) => ({ content: content(types, schemaName), required: true });

/** `apps` -> `Apps`, `networking.k8s.io` -> `Networking`, `stable.example.com` -> `StableExampleCom`, core -> `Core`. */
function groupWord(group: string): string {
  const base = group === '' ? 'core' : group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
  return base
    .split(/[.-]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** `CoreV1`, `AppsV1`, `NetworkingV1beta1`: what kube puts between the verb and the kind in operation ids. */
export const operationIdPrefix = (group: string, version: string): string => `${groupWord(group)}${version.charAt(0).toUpperCase()}${version.slice(1)}`;

export interface OperationContext {
  /** `/api/v1` or `/apis/apps/v1`. */
  prefix: string;
  /** Definition name of each kind served in this group/version (and of Scale etc. elsewhere). */
  nameFor(gvk: GroupVersionKind): string | undefined;
}

/** Every path of one resource (and its subresources) in its group/version. */
export function resourcePaths(d: ResourceDefinition, ctx: OperationContext): Record<string, PathItem> {
  const gvk: GroupVersionKind = { group: d.group, version: d.version, kind: d.kind };
  const kindName = ctx.nameFor(gvk);
  const listName = ctx.nameFor({ ...gvk, kind: d.listKind });
  if (!kindName || !listName) return {};
  const id = operationIdPrefix(d.group, d.version);
  const scope = d.namespaced ? 'Namespaced' : '';
  const tags = [`${d.group ? d.group.split('.')[0] : 'core'}_${d.version}`];
  const op = (action: string, verb: string, description: string, extra: JSONSchema, opGvk: GroupVersionKind = gvk): Operation => ({
    tags,
    description,
    operationId: `${verb}${id}${extra.operationSuffix ?? ''}`,
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'operationSuffix')),
    'x-kubernetes-action': action,
    [GVK_EXTENSION]: { group: opGvk.group, kind: opGvk.kind, version: opGvk.version },
  });
  const has = (verb: string) => d.verbs.includes(verb);
  const nsParam = pathParam('namespace', 'object name and auth scope, such as for teams and projects');
  const nameParam = pathParam('name', `name of the ${d.kind}`);
  const base = `${ctx.prefix}${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.resource}`;
  const common = d.namespaced ? [nsParam, P.pretty] : [P.pretty];
  const paths: Record<string, PathItem> = {};

  const listResponses = responses(['200'], listName, [...RESPONSE_TYPES, 'application/json;stream=watch']);
  const named = `${scope}${d.kind}`;

  const collection: PathItem = { parameters: common };
  if (has('list')) {
    collection.get = op('list', 'list', `list or watch objects of kind ${d.kind}`, { operationSuffix: named, parameters: LIST_PARAMS, responses: listResponses });
  }
  if (has('create')) {
    collection.post = op('post', 'create', `create a ${d.kind}`, {
      operationSuffix: named,
      parameters: WRITE_PARAMS,
      requestBody: body(kindName),
      responses: responses(['200', '201', '202'], kindName),
    });
  }
  if (has('deletecollection')) {
    collection.delete = op('deletecollection', 'delete', `delete collection of ${d.kind}`, {
      operationSuffix: `Collection${named}`,
      parameters: [...LIST_PARAMS.filter((p) => p !== P.watch && p !== P.allowWatchBookmarks), ...DELETE_PARAMS],
      requestBody: body(DELETE_OPTIONS),
      responses: responses(['200'], STATUS),
    });
  }
  if (Object.keys(collection).length > 1) paths[base] = collection;

  const item: PathItem = { parameters: [nameParam, ...common] };
  if (has('get')) item.get = op('get', 'read', `read the specified ${d.kind}`, { operationSuffix: named, responses: responses(['200'], kindName) });
  if (has('update')) {
    item.put = op('put', 'replace', `replace the specified ${d.kind}`, {
      operationSuffix: named,
      parameters: WRITE_PARAMS,
      requestBody: body(kindName),
      responses: responses(['200', '201'], kindName),
    });
  }
  if (has('patch')) {
    item.patch = op('patch', 'patch', `partially update the specified ${d.kind}`, {
      operationSuffix: named,
      parameters: [...WRITE_PARAMS, P.force],
      requestBody: body(PATCH, PATCH_TYPES),
      responses: responses(['200', '201'], kindName),
    });
  }
  if (has('delete')) {
    item.delete = op('delete', 'delete', `delete a ${d.kind}`, {
      operationSuffix: named,
      parameters: DELETE_PARAMS,
      requestBody: { content: content(['*/*'], DELETE_OPTIONS) },
      responses: responses(['200', '202'], STATUS),
    });
  }
  if (Object.keys(item).length > 1) paths[`${base}/{name}`] = item;

  if (has('watch')) {
    const watchBase = `${ctx.prefix}/watch${d.namespaced ? '/namespaces/{namespace}' : ''}/${d.resource}`;
    const watchOp = (action: string, suffix: string, description: string) =>
      op(action, 'watch', description, { operationSuffix: suffix, responses: responses(['200'], WATCH_EVENT, WATCH_TYPES) });
    const deprecated = "deprecated: use the 'watch' parameter with a list operation instead";
    paths[watchBase] = { parameters: [...LIST_PARAMS, ...common], get: watchOp('watchlist', `${named}List`, `watch individual changes to a list of ${d.kind}. ${deprecated}.`) };
    paths[`${watchBase}/{name}`] = {
      parameters: [...LIST_PARAMS, nameParam, ...common],
      get: watchOp('watch', named, `watch changes to an object of kind ${d.kind}. ${deprecated}, filtered to a single item with the 'fieldSelector' parameter.`),
    };
    if (d.namespaced) {
      paths[`${ctx.prefix}/watch/${d.resource}`] = {
        parameters: [...LIST_PARAMS, P.pretty],
        get: watchOp('watchlist', `${d.kind}ListForAllNamespaces`, `watch individual changes to a list of ${d.kind}. ${deprecated}.`),
      };
    }
  }
  if (d.namespaced && has('list')) {
    paths[`${ctx.prefix}/${d.resource}`] = {
      parameters: [...LIST_PARAMS, P.pretty],
      get: op('list', 'list', `list or watch objects of kind ${d.kind}`, { operationSuffix: `${d.kind}ForAllNamespaces`, responses: listResponses }),
    };
  }

  for (const sub of d.subresources) Object.assign(paths, subresourcePath(d, sub, `${base}/{name}/${sub.name}`, [nameParam, ...common], ctx, op, scope));
  return paths;
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

type OpFn = (action: string, verb: string, description: string, extra: JSONSchema, gvk?: GroupVersionKind) => Operation;

function subresourcePath(
  d: ResourceDefinition,
  sub: SubresourceDefinition,
  path: string,
  params: JSONSchema[],
  ctx: OperationContext,
  op: OpFn,
  scope: string,
): Record<string, PathItem> {
  const gvk: GroupVersionKind = { group: sub.group ?? d.group, version: sub.version ?? d.version, kind: sub.kind };
  const schemaName = ctx.nameFor(gvk) ?? STATUS;
  const suffix = `${scope}${d.kind}${capitalize(sub.name)}`;
  const item: PathItem = { parameters: params };
  const connect = ['exec', 'attach', 'portforward', 'proxy'].includes(sub.name);
  const text = `${sub.name} of the specified ${d.kind}`;
  for (const verb of sub.verbs) {
    if (connect) {
      const method = ({ create: 'post', get: 'get', update: 'put' } as Record<string, string>)[verb] ?? verb;
      const streamed = { '200': { description: 'OK', content: { '*/*': { schema: { type: 'string' } } } }, '401': { description: 'Unauthorized' } };
      item[method] = op('connect', 'connect', `connect ${method.toUpperCase()} requests to ${text}`, { operationSuffix: `${capitalize(method)}${suffix}`, responses: streamed }, gvk);
    } else if (verb === 'get') {
      item.get = op('get', 'read', `read ${text}`, { operationSuffix: suffix, responses: responses(['200'], schemaName) }, gvk);
    } else if (verb === 'update') {
      const extra = { operationSuffix: suffix, parameters: WRITE_PARAMS, requestBody: body(schemaName), responses: responses(['200', '201'], schemaName) };
      item.put = op('put', 'replace', `replace ${text}`, extra, gvk);
    } else if (verb === 'patch') {
      const extra = { operationSuffix: suffix, parameters: [...WRITE_PARAMS, P.force], requestBody: body(PATCH, PATCH_TYPES), responses: responses(['200', '201'], schemaName) };
      item.patch = op('patch', 'patch', `partially update ${text}`, extra, gvk);
    } else if (verb === 'create') {
      const extra = { operationSuffix: suffix, parameters: WRITE_PARAMS, requestBody: body(schemaName), responses: responses(['200', '201', '202'], schemaName) };
      item.post = op('post', 'create', `create ${text}`, extra, gvk);
    }
  }
  return Object.keys(item).length > 1 ? { [path]: item } : {};
}
