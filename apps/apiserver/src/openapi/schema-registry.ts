/**
 * The schemas of every kind a Scheme serves: the libs/api types (read once
 * per process), the top-level kinds and their Lists stamped with
 * `x-kubernetes-group-version-kind`, and the custom resources whose
 * CustomResourceDefinitions were registered here. Rebuilt lazily whenever
 * the Scheme changes; `generation` counts the rebuilds (caches key on it).
 */
import type { CustomResourceDefinition, ResourceDefinition, Scheme } from '@logbook/api';
import {
  buildTypeDefinitions,
  definitionName,
  DELETE_OPTIONS,
  describedRef,
  groupDir,
  GroupVersionKind,
  GVK_EXTENSION,
  JSONSchema,
  LIST_META,
  OBJECT_META,
  PRESERVE_UNKNOWN,
  ref,
  refName,
  STATUS,
  WATCH_EVENT,
} from './definitions';
import { specDescription, statusDescription, TYPE_META_DESCRIPTIONS } from './k8s-markers';
import { loadTypeSource, TypeSource } from './type-source';

export interface SchemaRegistry {
  /** Bumped on every change of the Scheme or of the registered CRDs. */
  readonly generation: number;
  /** Every definition, by Kubernetes name. Do not modify. */
  readonly definitions: Readonly<Record<string, JSONSchema>>;
  /** The definition name of a kind (`io.k8s.api.apps.v1.Deployment`), if the Scheme serves it. */
  nameFor(gvk: GroupVersionKind): string | undefined;
  definitionFor(gvk: GroupVersionKind): JSONSchema | undefined;
  /** Uses the CRD's `openAPIV3Schema` of each version as the definition of its kind. */
  registerCRD(crd: CustomResourceDefinition): void;
  unregisterCRD(crd: CustomResourceDefinition): void;
  onChange(listener: () => void): () => void;
}

export interface SchemaRegistryOptions {
  /** libs/api/src; found by walking up from this file when omitted. */
  apiSourceDir?: string;
}

const registries = new WeakMap<Scheme, Registry>();

/** The registry of a Scheme (one per Scheme, created on first use). */
export function schemaRegistry(scheme: Scheme, options: SchemaRegistryOptions = {}): SchemaRegistry {
  let r = registries.get(scheme);
  if (!r) {
    r = new Registry(scheme, loadTypeSource(options.apiSourceDir));
    registries.set(scheme, r);
  }
  return r;
}

const typeDefinitionCache = new WeakMap<TypeSource, Record<string, JSONSchema>>();
function typeDefinitions(source: TypeSource): Record<string, JSONSchema> {
  let defs = typeDefinitionCache.get(source);
  if (!defs) typeDefinitionCache.set(source, (defs = buildTypeDefinitions(source)));
  return defs;
}

const gvkKey = (g: GroupVersionKind) => `${g.group}/${g.version}/${g.kind}`;
const gvkOf = (d: ResourceDefinition): GroupVersionKind => ({ group: d.group, version: d.version, kind: d.kind });

class Registry implements SchemaRegistry {
  generation = 0;
  private built?: { definitions: Record<string, JSONSchema>; names: Map<string, string> };
  private readonly crdSchemas = new Map<string, JSONSchema | undefined>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly scheme: Scheme,
    private readonly source: TypeSource,
  ) {
    scheme.onChange(() => this.invalidate());
  }

  get definitions(): Readonly<Record<string, JSONSchema>> {
    return this.build().definitions;
  }

  nameFor(gvk: GroupVersionKind): string | undefined {
    return this.build().names.get(gvkKey(gvk));
  }

  definitionFor(gvk: GroupVersionKind): JSONSchema | undefined {
    const name = this.nameFor(gvk);
    return name ? this.build().definitions[name] : undefined;
  }

  registerCRD(crd: CustomResourceDefinition): void {
    if (!crd.spec) return;
    for (const v of crd.spec.versions) {
      this.crdSchemas.set(gvkKey({ group: crd.spec.group, version: v.name, kind: crd.spec.names.kind }), v.schema?.openAPIV3Schema);
    }
    this.invalidate();
  }

  unregisterCRD(crd: CustomResourceDefinition): void {
    if (!crd.spec) return;
    for (const v of crd.spec.versions) this.crdSchemas.delete(gvkKey({ group: crd.spec.group, version: v.name, kind: crd.spec.names.kind }));
    this.invalidate();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private invalidate(): void {
    this.built = undefined;
    this.generation++;
    for (const l of this.listeners) l();
  }

  private build(): { definitions: Record<string, JSONSchema>; names: Map<string, string> } {
    if (this.built) return this.built;
    const definitions: Record<string, JSONSchema> = { ...typeDefinitions(this.source) };
    const names = new Map<string, string>();
    const resources = this.scheme.all();
    const gvks = (kind: string) => {
      const seen = new Map<string, GroupVersionKind>();
      // Built-in group versions only, so that a CRD coming or going leaves the other documents (and their hashes) alone.
      for (const d of resources) if (!d.custom) seen.set(`${d.group}/${d.version}`, { group: d.group, version: d.version, kind });
      return [...seen.values()];
    };
    for (const d of resources) {
      const name = d.custom ? this.customDefinition(d, definitions) : this.builtinDefinition(d, definitions);
      names.set(gvkKey(gvkOf(d)), name);
      const listName = `${name}List`;
      definitions[listName] = listDefinition(d, name);
      names.set(gvkKey({ ...gvkOf(d), kind: d.listKind }), listName);
    }
    // Kinds that subresources speak (autoscaling/v1 Scale, Binding, TokenRequest, ...).
    for (const d of resources) {
      for (const sub of d.subresources) {
        const gvk = { group: sub.group ?? d.group, version: sub.version ?? d.version, kind: sub.kind };
        const name = definitionName({ dir: `${groupDir(gvk.group)}/${gvk.version}`, name: gvk.kind });
        if (names.has(gvkKey(gvk)) || !definitions[name]) continue;
        definitions[name] = withGVK(definitions[name], [gvk]);
        names.set(gvkKey(gvk), name);
      }
    }
    // The meta/v1 kinds every group version speaks.
    if (definitions[STATUS]) definitions[STATUS] = withGVK(definitions[STATUS], [{ group: '', version: 'v1', kind: 'Status' }]);
    if (definitions[DELETE_OPTIONS]) definitions[DELETE_OPTIONS] = withGVK(definitions[DELETE_OPTIONS], gvks('DeleteOptions'));
    if (definitions[WATCH_EVENT]) definitions[WATCH_EVENT] = withGVK(definitions[WATCH_EVENT], gvks('WatchEvent'));
    this.built = { definitions, names };
    return this.built;
  }

  /** The class of a kind in libs/api/src/<group>/<version>; a version without one borrows another version's fields. */
  private builtinDefinition(d: ResourceDefinition, definitions: Record<string, JSONSchema>): string {
    const suffix = d.version.charAt(0).toUpperCase() + d.version.slice(1);
    const dir = `${groupDir(d.group)}/${d.version}`;
    const model = this.source.get(dir, d.kind) ?? this.source.get(dir, d.kind + suffix);
    const name = definitionName({ dir, name: d.kind });
    if (model) {
      definitions[name] = withGVK(describeSpecAndStatus(definitions[definitionName(model)], d.kind), [gvkOf(d)]);
      return name;
    }
    const sibling = this.scheme
      .versionsOf(d.group, d.resource)
      .map((v) => this.source.get(`${groupDir(v.group)}/${v.version}`, d.kind))
      .find((m) => m !== undefined);
    const base = sibling ? definitions[definitionName(sibling)] : genericObject(`${d.kind} (no type is declared in libs/api for ${d.group || 'core'}/${d.version})`);
    definitions[name] = withGVK(base, [gvkOf(d)]);
    return name;
  }

  /** A CRD's schema, with apiVersion/kind/metadata as kube-apiserver publishes them. */
  private customDefinition(d: ResourceDefinition, definitions: Record<string, JSONSchema>): string {
    const name = `${d.group.split('.').reverse().join('.')}.${d.version}.${d.kind}`;
    const stored = this.crdSchemas.get(gvkKey(gvkOf(d)));
    const schema: JSONSchema = stored ? structuredClone(stored) : { type: 'object', [PRESERVE_UNKNOWN]: true };
    schema.type = 'object';
    const props = { ...((schema.properties as Record<string, JSONSchema> | undefined) ?? {}) };
    props.apiVersion = { description: TYPE_META_DESCRIPTIONS.apiVersion, type: 'string' };
    props.kind = { description: TYPE_META_DESCRIPTIONS.kind, type: 'string' };
    props.metadata = describedRef(OBJECT_META, TYPE_META_DESCRIPTIONS.metadata);
    schema.properties = props;
    definitions[name] = withGVK(schema, [gvkOf(d)]);
    return name;
  }
}

/** Gives `spec` and `status` kube's standard descriptions when the class has none. */
function describeSpecAndStatus(schema: JSONSchema, kind: string): JSONSchema {
  const props = { ...(schema.properties as Record<string, JSONSchema>) };
  for (const [field, text] of [['spec', specDescription(kind)], ['status', statusDescription(kind)]] as const) {
    const target = props[field] && refName(props[field]);
    if (target && !props[field].description) props[field] = describedRef(target, text);
  }
  return { ...schema, properties: props };
}

function withGVK(schema: JSONSchema, gvks: GroupVersionKind[]): JSONSchema {
  return { ...schema, [GVK_EXTENSION]: gvks.map((g) => ({ group: g.group, kind: g.kind, version: g.version })) };
}

function genericObject(description: string): JSONSchema {
  return {
    description,
    type: 'object',
    properties: {
      apiVersion: { description: TYPE_META_DESCRIPTIONS.apiVersion, type: 'string' },
      kind: { description: TYPE_META_DESCRIPTIONS.kind, type: 'string' },
      metadata: describedRef(OBJECT_META, TYPE_META_DESCRIPTIONS.metadata),
    },
    [PRESERVE_UNKNOWN]: true,
  };
}

function listDefinition(d: ResourceDefinition, itemName: string): JSONSchema {
  return withGVK(
    {
      description: `${d.listKind} is a list of ${d.kind}.`,
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: { description: TYPE_META_DESCRIPTIONS.apiVersion, type: 'string' },
        items: { description: `List of ${d.resource}.`, type: 'array', items: ref(itemName) },
        kind: { description: TYPE_META_DESCRIPTIONS.kind, type: 'string' },
        metadata: describedRef(LIST_META, TYPE_META_DESCRIPTIONS.listMetadata),
      },
    },
    [{ group: d.group, version: d.version, kind: d.listKind }],
  );
}
