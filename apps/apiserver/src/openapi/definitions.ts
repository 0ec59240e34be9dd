/**
 * OpenAPI v3 schemas for the types of libs/api, named as Kubernetes names
 * them (`io.k8s.api.core.v1.Pod`, `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`)
 * and linked with `$ref`s into `#/components/schemas/`.
 */
import { ATOMIC_MAPS, ATOMIC_STRUCTS, isInt64, LIST_MARKERS, TYPE_META_DESCRIPTIONS, VALUE_TYPE_DESCRIPTIONS } from './k8s-markers';
import type { PropertyModel, TypeExpr, TypeModel, TypeSource, WellKnown } from './type-source';

/** An OpenAPI v3 schema object (plain JSON). */
export type JSONSchema = Record<string, unknown>;

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export const REF_PREFIX = '#/components/schemas/';
export const GVK_EXTENSION = 'x-kubernetes-group-version-kind';
export const PRESERVE_UNKNOWN = 'x-kubernetes-preserve-unknown-fields';
export const INT_OR_STRING = 'x-kubernetes-int-or-string';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const WELL_KNOWN_NAMES: Readonly<Record<WellKnown, string>> = {
  IntOrString: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  Quantity: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
  Time: `${META}.Time`,
  MicroTime: `${META}.MicroTime`,
};
export const OBJECT_META = `${META}.ObjectMeta`;
export const LIST_META = `${META}.ListMeta`;
export const STATUS = `${META}.Status`;
export const DELETE_OPTIONS = `${META}.DeleteOptions`;
export const WATCH_EVENT = `${META}.WatchEvent`;
export const PATCH = `${META}.Patch`;

export const ref = (name: string): JSONSchema => ({ $ref: REF_PREFIX + name });
export const refName = (schema: JSONSchema): string | undefined => {
  const r = schema.$ref ?? (Array.isArray(schema.allOf) && schema.allOf.length === 1 ? (schema.allOf[0] as JSONSchema).$ref : undefined);
  return typeof r === 'string' && r.startsWith(REF_PREFIX) ? r.slice(REF_PREFIX.length) : undefined;
};

/** A reference carrying its own description: OpenAPI 3.0 ignores siblings of `$ref`, so wrap it in `allOf` as kube-openapi does. */
export const describedRef = (name: string, description?: string): JSONSchema =>
  description ? { description, allOf: [ref(name)] } : ref(name);

/** `io.k8s.api.<group>.<version>` (or the apimachinery / apiextensions-apiserver package) for a libs/api folder. */
export function packageOf(dir: string): string {
  if (dir.startsWith('meta/')) return `io.k8s.apimachinery.pkg.apis.${dir.replace('/', '.')}`;
  if (dir.startsWith('apiextensions/')) return `io.k8s.apiextensions-apiserver.pkg.apis.${dir.replace('/', '.')}`;
  // Logbook's own history API (logbook.io) is not a Kubernetes package.
  if (dir.startsWith('logbook/')) return `io.${dir.replace('/', '.')}`;
  return `io.k8s.api.${dir.replace('/', '.')}`;
}

/** The Kubernetes name of a type: `IngressV1beta1` in networking/v1beta1 is `Ingress` there. */
export function kubeTypeName(model: Pick<TypeModel, 'name' | 'dir'>): string {
  const version = model.dir.split('/')[1];
  const suffix = version.charAt(0).toUpperCase() + version.slice(1);
  return version !== 'v1' && model.name.endsWith(suffix) && model.name !== suffix ? model.name.slice(0, -suffix.length) : model.name;
}

export const definitionName = (model: Pick<TypeModel, 'name' | 'dir'>): string => `${packageOf(model.dir)}.${kubeTypeName(model)}`;

/** The libs/api folder of a group: `''` is core, `networking.k8s.io` is networking. */
export const groupDir = (group: string): string => (group === '' ? 'core' : group.split('.')[0]);

/** The Go type name kube reports in decode errors (`v1.PodSpec`, `[]v1.Container`, `map[string]string`). */
export const goPackageOf = (definition: string): string => {
  const parts = definition.split('.');
  return parts[parts.length - 2];
};

/** Every type of libs/api as a schema, plus the value types of meta/v1 (not yet tied to a Scheme). */
export function buildTypeDefinitions(source: TypeSource): Record<string, JSONSchema> {
  const defs: Record<string, JSONSchema> = {};
  for (const model of source.types.values()) defs[definitionName(model)] = objectSchema(model, source);
  defs[WELL_KNOWN_NAMES.IntOrString] = { description: VALUE_TYPE_DESCRIPTIONS.IntOrString, [INT_OR_STRING]: true, format: 'int-or-string' };
  defs[WELL_KNOWN_NAMES.Quantity] = { description: VALUE_TYPE_DESCRIPTIONS.Quantity, [INT_OR_STRING]: true, format: 'quantity' };
  defs[WELL_KNOWN_NAMES.Time] = { description: VALUE_TYPE_DESCRIPTIONS.Time, type: 'string', format: 'date-time' };
  defs[WELL_KNOWN_NAMES.MicroTime] = { description: VALUE_TYPE_DESCRIPTIONS.MicroTime, type: 'string', format: 'date-time' };
  defs[PATCH] = { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', type: 'object' };
  if (defs[WATCH_EVENT]) {
    const object = (defs[WATCH_EVENT].properties as Record<string, JSONSchema>).object;
    if (object) object.description = 'Object is: * If Type is Added or Modified: the new state of the object. * If Type is Deleted: the state of the object immediately before deletion. * If Type is Error: *Status is recommended; other types may make sense depending on context.';
  }
  return defs;
}

function objectSchema(model: TypeModel, source: TypeSource): JSONSchema {
  const typeName = kubeTypeName(model);
  const schema: JSONSchema = {};
  if (model.description) schema.description = model.description;
  Object.assign(schema, propertiesSchema(model.properties, typeName, source));
  if (ATOMIC_STRUCTS.has(typeName)) schema['x-kubernetes-map-type'] = 'atomic';
  return schema;
}

function propertiesSchema(props: PropertyModel[], typeName: string, source: TypeSource): JSONSchema {
  const properties: Record<string, JSONSchema> = {};
  const required: string[] = [];
  // A kind's own TypeMeta (not OwnerReference's required apiVersion/kind).
  const typeMeta = props.filter((p) => p.name === 'apiVersion' || p.name === 'kind');
  const isKind = typeMeta.length === 2 && (props.some((p) => p.name === 'metadata') || typeMeta.every((p) => p.optional));
  for (const p of props) {
    if (isKind && (p.name === 'apiVersion' || p.name === 'kind')) {
      properties[p.name] = { description: TYPE_META_DESCRIPTIONS[p.name], type: 'string' };
    } else if (isKind && p.name === 'metadata' && p.type.kind === 'ref') {
      const meta = source.types.get(p.type.id);
      properties.metadata = describedRef(meta ? definitionName(meta) : OBJECT_META, TYPE_META_DESCRIPTIONS[meta?.name === 'ListMeta' ? 'listMetadata' : 'metadata']);
    } else {
      properties[p.name] = propertySchema(p, typeName, source);
    }
    if (!p.optional && !(isKind && (p.name === 'apiVersion' || p.name === 'kind'))) required.push(p.name);
  }
  const schema: JSONSchema = { type: 'object', properties };
  if (required.length) schema.required = required;
  return schema;
}

function propertySchema(p: PropertyModel, typeName: string, source: TypeSource): JSONSchema {
  const schema = exprSchema(p.type, source, `${typeName}.${p.name}`);
  if (p.type.kind === 'ref' || p.type.kind === 'wellKnown') {
    return describedRef(refName(schema)!, p.description);
  }
  const out: JSONSchema = p.description ? { description: p.description, ...schema } : schema;
  if (p.type.kind === 'array') Object.assign(out, listExtensions(LIST_MARKERS[`${typeName}.${p.name}`]));
  if (p.type.kind === 'map' && ATOMIC_MAPS.has(`${typeName}.${p.name}`)) out['x-kubernetes-map-type'] = 'atomic';
  return out;
}

function listExtensions(marker: (typeof LIST_MARKERS)[string] | undefined): JSONSchema {
  if (!marker) return {};
  const ext: JSONSchema = { 'x-kubernetes-list-type': marker.listType };
  if (marker.listMapKeys) ext['x-kubernetes-list-map-keys'] = marker.listMapKeys;
  if (marker.patchMergeKey) ext['x-kubernetes-patch-merge-key'] = marker.patchMergeKey;
  if (marker.patchStrategy) ext['x-kubernetes-patch-strategy'] = marker.patchStrategy;
  return ext;
}

/** `field` is `<Type>.<field>`, for the integer width. */
function exprSchema(expr: TypeExpr, source: TypeSource, field: string): JSONSchema {
  switch (expr.kind) {
    case 'string':
      return { type: 'string' };
    case 'number': {
      const [typeName, name] = field.split('.');
      return { type: 'integer', format: isInt64(typeName, name) ? 'int64' : 'int32' };
    }
    case 'boolean':
      return { type: 'boolean' };
    case 'any':
      return { [PRESERVE_UNKNOWN]: true };
    case 'enum':
      return { type: 'string', enum: [...expr.values] };
    case 'wellKnown':
      return ref(WELL_KNOWN_NAMES[expr.name]);
    case 'ref': {
      const target = source.types.get(expr.id);
      return target ? ref(definitionName(target)) : { [PRESERVE_UNKNOWN]: true };
    }
    case 'array':
      return { type: 'array', items: exprSchema(expr.items, source, field) };
    case 'map':
      return expr.values.kind === 'any'
        ? { type: 'object', [PRESERVE_UNKNOWN]: true }
        : { type: 'object', additionalProperties: exprSchema(expr.values, source, field) };
    case 'object':
      return propertiesSchema(expr.properties, field.split('.')[0], source);
  }
}
