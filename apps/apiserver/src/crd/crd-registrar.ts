import { randomUUID } from 'crypto';
import { Logger } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { CustomResourceDefinition, ResourceDefinition, Scheme } from '@logbook/api';
import { StoredEvent, WatchCache } from '@logbook/event-store';
import { ApiError } from '@logbook/machinery';
import { SchemaRegistry } from '../openapi';
import { RequestContext, UserInfo } from '../storage/context';
import { Obj, ResourceStore, now } from '../storage/resource-store';
import { ObjectValidator } from '../storage/validator';
import { StructuralSchema } from './structural-schema';

const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const APIEXTENSIONS: UserInfo = { username: 'system:apiextensions', groups: ['system:masters'] };

/**
 * Serves custom resources: every CustomResourceDefinition in the log is
 * registered in the scheme (discovery, routing, Tables, OpenAPI), its
 * schema validates and prunes its objects, and its status says Established.
 * Each apiserver replica follows the CRDs in the log itself. Deleting a
 * CRD deletes its objects first (through a finalizer), as Kubernetes does.
 */
export class CrdRegistrar {
  private readonly log = new Logger('CustomResources');
  private readonly schemas = new Map<string, StructuralSchema>();
  private readonly registered = new Map<string, CustomResourceDefinition>();
  private sub?: Subscription;
  private def!: ResourceDefinition;

  constructor(
    private readonly scheme: Scheme,
    private readonly store: ResourceStore,
    private readonly cache: WatchCache,
    private readonly registry: SchemaRegistry,
    validator: ObjectValidator,
  ) {
    validator.use((def, obj) => (def.custom ? (this.schemaOf(def)?.errors(obj) ?? []) : []));
    store.useMutator((def, obj) => (def.custom ? (this.schemaOf(def)?.prune(obj) as Obj | undefined) ?? obj : obj));
  }

  async start(): Promise<void> {
    this.def = this.scheme.byGroupVersionResource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    const { items, resourceVersion } = await this.store.list(this.def, {});
    for (const crd of items) await this.apply(crd);
    const storage = this.store.storageOf(this.def);
    this.sub = this.cache.watch({ group: storage.group, resource: storage.resource, fromSeq: resourceVersion }).subscribe({
      next: (e) => void this.onEvent(e).catch((err) => this.log.error(`${e.name}: ${(err as Error).stack ?? err}`)),
      error: (err) => this.log.error(`CRD watch ended: ${err}`),
    });
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  private schemaOf(def: ResourceDefinition): StructuralSchema | undefined {
    return this.schemas.get(`${def.group}/${def.version}/${def.kind}`);
  }

  private async onEvent(e: StoredEvent): Promise<void> {
    const crd = e.object as Obj;
    if (e.type === 'DELETED') this.remove(crd);
    else await this.apply(crd);
  }

  /** (Re)registers a CRD, then moves it along: finalizer, Established, or cleanup. */
  private async apply(crd: Obj): Promise<void> {
    const typed = crd as unknown as CustomResourceDefinition;
    const previous = this.registered.get(crd.metadata.name!);
    if (previous) this.scheme.unregisterCRD(previous);
    this.scheme.registerCRD(typed);
    this.registry.registerCRD(typed);
    this.registered.set(crd.metadata.name!, typed);
    for (const v of typed.spec!.versions) {
      const key = `${typed.spec!.group}/${v.name}/${typed.spec!.names.kind}`;
      if (v.schema?.openAPIV3Schema) this.schemas.set(key, new StructuralSchema(v.schema.openAPIV3Schema as Obj));
      else this.schemas.delete(key);
    }
    if (crd.metadata.deletionTimestamp) return this.cleanUp(crd);
    if (!(crd.metadata.finalizers as string[] | undefined)?.includes(CLEANUP_FINALIZER)) {
      await this.write(crd, (c) => ({ ...c, metadata: { ...c.metadata, finalizers: [...((c.metadata.finalizers as string[]) ?? []), CLEANUP_FINALIZER] } }));
      return;
    }
    const established = ((crd.status?.conditions as Obj[] | undefined) ?? []).some((c) => c.type === 'Established' && c.status === 'True');
    if (!established) {
      const at = now();
      await this.write(
        crd,
        (c) => ({
          ...c,
          status: {
            conditions: [
              { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: at },
              { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: at },
            ],
            acceptedNames: c.spec.names,
            storedVersions: (c.spec.versions as Array<{ name: string; storage: boolean }>).filter((v) => v.storage).map((v) => v.name),
          },
        }),
        'status',
      );
    }
  }

  /** A deleted CRD takes its objects with it, then lets itself go. */
  private async cleanUp(crd: Obj): Promise<void> {
    const typed = crd as unknown as CustomResourceDefinition;
    const storageVersion = typed.spec!.versions.find((v) => v.storage)?.name ?? typed.spec!.versions[0].name;
    const def = this.scheme.byGroupVersionResource(typed.spec!.group, storageVersion, typed.spec!.names.plural);
    if (def) {
      const { items } = await this.store.list(def, {});
      for (const o of items) {
        await this.store.delete(def, o.metadata.namespace ?? '', o.metadata.name!, {}, this.ctx('delete')).catch(ignoreNotFound);
      }
    }
    await this.write(crd, (c) => ({ ...c, metadata: { ...c.metadata, finalizers: ((c.metadata.finalizers as string[]) ?? []).filter((f) => f !== CLEANUP_FINALIZER) } }));
  }

  private remove(crd: Obj): void {
    const typed = this.registered.get(crd.metadata.name!) ?? (crd as unknown as CustomResourceDefinition);
    this.scheme.unregisterCRD(typed);
    this.registry.unregisterCRD(typed);
    this.registered.delete(crd.metadata.name!);
    for (const v of typed.spec!.versions) this.schemas.delete(`${typed.spec!.group}/${v.name}/${typed.spec!.names.kind}`);
  }

  private async write(crd: Obj, change: (c: Obj) => Obj, subresource?: string): Promise<void> {
    await this.store
      .modify(this.def, '', crd.metadata.name!, { ...this.ctx('update'), subresource }, change)
      .catch(ignoreNotFound);
  }

  private ctx(verb: string): RequestContext {
    return { user: APIEXTENSIONS, verb, requestId: randomUUID(), dryRun: false, fieldManager: 'apiextensions-apiserver' };
  }
}

function ignoreNotFound(err: unknown): void {
  if (!(err instanceof ApiError && err.code === 404)) throw err;
}
