import type { Scale } from '@logbook/api';
import { LabelSelector } from '@logbook/machinery';
import { Observable } from 'rxjs';
import { ClientConfig, resolveClientConfig } from './client-config';
import { discover, Discovery } from './discovery';
import { CAUSE_SEQ_HEADER, HttpRequest, HttpTransport } from './http-transport';
import { apiVersionOf, ResourceKind, resourcePath } from './resource-kind';
import {
  ApplyOptions,
  DeleteOptions,
  KubeObject,
  ListOptions,
  ListResult,
  ObjectKey,
  PatchOptions,
  PatchType,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from './types';
import { watchRequest } from './watch-stream';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** A successful write, as the client reports it to write observers. */
export interface ObservedWrite {
  kind: ResourceKind<unknown>;
  verb: 'create' | 'update' | 'patch' | 'delete';
  /** The object the server returned (for deletes: its last state). */
  object: KubeObject;
}

interface Scope {
  causeSeq?: string;
  requestTimeoutMs?: number;
  fieldManager?: string;
  observers: ReadonlyArray<(write: ObservedWrite) => void>;
}

const selectorString = (s: string | LabelSelector | undefined) => (s === undefined ? undefined : typeof s === 'string' ? s : s.toString());

/**
 * A typed client for any Kubernetes-style API server.
 *
 * Errors are `ApiError`s built from the server's `metav1.Status` (use the
 * guards of `@logbook/machinery`: `isNotFound`, `isConflict`, ...), or a
 * `TransportError` when no answer came back. Every write resolves with the
 * object the server stored, carrying its new resourceVersion.
 *
 * Clients are cheap views over one connection pool: `withCause` and
 * `observeWrites` return new clients that share it.
 */
export class KubeClient {
  private readonly transport: HttpTransport;
  private readonly scope: Scope;

  constructor(config?: ClientConfig);
  /** @internal */
  constructor(config: ClientConfig | undefined, shared: { transport: HttpTransport; scope: Scope });
  constructor(config: ClientConfig = {}, shared?: { transport: HttpTransport; scope: Scope }) {
    this.transport = shared?.transport ?? new HttpTransport(resolveClientConfig(config));
    this.scope = shared?.scope ?? { observers: [], fieldManager: this.transport.config.fieldManager };
  }

  /** The API server's base URL. */
  get server(): string {
    return this.transport.config.server;
  }

  /** The CA bundle (PEM) this client trusts the server with, when one is configured. */
  get caCert(): string | undefined {
    return this.transport.config.tls?.ca?.toString();
  }

  /** The resourceVersion writes of this client are attributed to (`x-logbook-cause-seq`). */
  get causeSeq(): string | undefined {
    return this.scope.causeSeq;
  }

  /**
   * A client whose writes record `resourceVersion` as their cause: the
   * event that made a controller act. Logbook's history uses it to explain
   * a change; other servers ignore the header.
   */
  withCause(resourceVersion: string | undefined): KubeClient {
    return new KubeClient(undefined, { transport: this.transport, scope: { ...this.scope, causeSeq: resourceVersion } });
  }

  /** A client whose writes use `fieldManager` unless a call names another. */
  withFieldManager(fieldManager: string): KubeClient {
    return new KubeClient(undefined, { transport: this.transport, scope: { ...this.scope, fieldManager } });
  }

  /** A client whose requests (watches aside) time out after `ms`. */
  withRequestTimeout(ms: number): KubeClient {
    return new KubeClient(undefined, { transport: this.transport, scope: { ...this.scope, requestTimeoutMs: ms } });
  }

  /** A client that reports each successful write to `observer` (after the server answered). */
  observeWrites(observer: (write: ObservedWrite) => void): KubeClient {
    return new KubeClient(undefined, { transport: this.transport, scope: { ...this.scope, observers: [...this.scope.observers, observer] } });
  }

  // --- reads -------------------------------------------------------------------

  get<T>(kind: ResourceKind<T>, key: ObjectKey): Promise<T> {
    return this.transport.json<T>({ method: 'GET', path: this.objectPath(kind, key), timeoutMs: this.scope.requestTimeoutMs });
  }

  /** Lists objects; with `limit`, one page (follow `continue`), else all of them. */
  async list<T>(kind: ResourceKind<T>, opts: ListOptions = {}): Promise<ListResult<T>> {
    const body = await this.transport.json<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>({
      method: 'GET',
      timeoutMs: this.scope.requestTimeoutMs,
      path: resourcePath(kind, opts.namespace),
      query: {
        labelSelector: selectorString(opts.labelSelector),
        fieldSelector: opts.fieldSelector,
        limit: opts.limit,
        continue: opts.continue,
        resourceVersion: opts.resourceVersion,
        resourceVersionMatch: opts.resourceVersionMatch,
      },
    });
    const apiVersion = apiVersionOf(kind);
    // Items of a list carry no apiVersion/kind on the wire in Kubernetes; set them, as client-go's decoder does.
    const items = (body.items ?? []).map((o) => ({ apiVersion, kind: kind.kind, ...(o as object) }) as T);
    return { items, resourceVersion: body.metadata?.resourceVersion ?? '', continue: body.metadata?.continue || undefined };
  }

  /**
   * A GET of any path of the server, parsed as JSON: for APIs that are not
   * kinds, such as Logbook's history under `/apis/logbook.io/v1`.
   */
  getRaw<T>(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T> {
    if (!path.startsWith('/')) throw new Error(`getRaw needs an absolute path, not ${JSON.stringify(path)}`);
    return this.transport.json<T>({ method: 'GET', path, query, timeoutMs: this.scope.requestTimeoutMs });
  }

  /**
   * Watches a kind as an Observable of typed events (see `WatchEvent`).
   * Nothing is sent until subscription; unsubscribing closes the request.
   */
  watch<T>(kind: ResourceKind<T>, opts: WatchOptions = {}): Observable<WatchEvent<T>> {
    return watchRequest<T>(this.transport, {
      path: resourcePath(kind, opts.namespace),
      query: {
        watch: 'true',
        labelSelector: selectorString(opts.labelSelector),
        fieldSelector: opts.fieldSelector,
        resourceVersion: opts.resourceVersion,
        allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined,
        timeoutSeconds: opts.timeoutSeconds,
      },
    });
  }

  /**
   * What the server serves: every resource at the preferred version of its
   * group, custom resources included (client-go's ServerPreferredResources).
   * Ask again to see CRDs added since.
   */
  discover(): Promise<Discovery> {
    return discover(this.transport, this.scope.requestTimeoutMs);
  }

  // --- writes ------------------------------------------------------------------

  /** Creates `obj` in its `metadata.namespace` (required for namespaced kinds). */
  create<T extends KubeObject>(kind: ResourceKind<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    const namespace = this.namespaceOf(kind, obj.metadata?.namespace);
    return this.write(kind, 'create', { method: 'POST', path: resourcePath(kind, namespace), body: this.typed(kind, obj), query: this.writeQuery(opts) });
  }

  /** Replaces `obj`; its `metadata.resourceVersion`, if set, must be current (else 409 Conflict). */
  update<T extends KubeObject>(kind: ResourceKind<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.write(kind, 'update', { method: 'PUT', path: this.objectPath(kind, this.keyOf(kind, obj)), body: this.typed(kind, obj), query: this.writeQuery(opts) });
  }

  /** Patches an object: `merge` (RFC 7386), `strategic` (built-ins), `json` (RFC 6902) or `apply` (server-side apply). */
  patch<T>(kind: ResourceKind<T>, key: ObjectKey, patch: unknown, opts: PatchOptions): Promise<T> {
    return this.patchAt(kind, key, patch, opts);
  }

  /** Server-side apply of `obj` (a partial object naming what `fieldManager` owns). */
  apply<T extends KubeObject>(kind: ResourceKind<T>, obj: T, opts: ApplyOptions): Promise<T> {
    return this.patchAt(kind, this.keyOf(kind, obj), this.typed(kind, obj), { ...opts, type: 'apply' });
  }

  /**
   * Deletes an object; resolves with its last state (with a deletionTimestamp
   * if finalizers hold it back). Preconditions guard against deleting a
   * newer object than the one you read.
   */
  delete<T>(kind: ResourceKind<T>, key: ObjectKey, opts: DeleteOptions = {}): Promise<T> {
    const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions' };
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.preconditions) body.preconditions = opts.preconditions;
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.dryRun) body.dryRun = ['All'];
    return this.write(kind, 'delete', { method: 'DELETE', path: this.objectPath(kind, key), body }, (result) => {
      // Most resources answer a deleted object with a Status (kube's
      // generic registry); give callers the object's identity and the
      // deletion's resourceVersion either way.
      const r = result as { kind?: string; metadata?: { resourceVersion?: string }; details?: { name?: string; uid?: string } };
      if (r?.kind !== 'Status') return result;
      return {
        apiVersion: apiVersionOf(kind),
        kind: kind.kind,
        metadata: { name: r.details?.name ?? key.name, namespace: key.namespace, uid: r.details?.uid, resourceVersion: r.metadata?.resourceVersion },
      } as T;
    });
  }

  /** Replaces the status subresource (spec changes in `obj` are ignored by the server). */
  updateStatus<T extends KubeObject>(kind: ResourceKind<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.write(kind, 'update', {
      method: 'PUT',
      path: this.objectPath(kind, this.keyOf(kind, obj), 'status'),
      body: this.typed(kind, obj),
      query: this.writeQuery(opts),
    });
  }

  /**
   * Replaces a subresource other than status and scale: a Namespace's
   * `finalize` (`PUT /api/v1/namespaces/{name}/finalize`), say. Resolves
   * with what the server returns (for `finalize`, the namespace).
   */
  updateSubresource<T extends KubeObject, R = T>(kind: ResourceKind<T>, obj: T, subresource: string, opts: WriteOptions = {}): Promise<R> {
    if (!/^[a-z][a-z0-9-]*$/.test(subresource)) throw new Error(`not a subresource name: ${JSON.stringify(subresource)}`);
    return this.write<R>(kind, 'update', {
      method: 'PUT',
      path: this.objectPath(kind, this.keyOf(kind, obj), subresource),
      body: this.typed(kind, obj),
      query: this.writeQuery(opts),
    });
  }

  /**
   * Creates through a subresource of an object (`POST .../{name}/{subresource}`):
   * a ServiceAccount's `token` (a TokenRequest), a Pod's `eviction` or
   * `binding`. Resolves with what the server returns.
   */
  createSubresource<R>(kind: ResourceKind<unknown>, key: ObjectKey, subresource: string, body: unknown, opts: WriteOptions = {}): Promise<R> {
    if (!/^[a-z][a-z0-9-]*$/.test(subresource)) throw new Error(`not a subresource name: ${JSON.stringify(subresource)}`);
    const headers: Record<string, string> = this.scope.causeSeq ? { [CAUSE_SEQ_HEADER]: this.scope.causeSeq } : {};
    // Not reported to write observers: the answer is not the object (no resourceVersion of it to wait for).
    return this.transport.json<R>({
      method: 'POST',
      path: this.objectPath(kind, key, subresource),
      body,
      query: this.writeQuery(opts),
      headers,
      timeoutMs: this.scope.requestTimeoutMs,
    });
  }

  patchStatus<T>(kind: ResourceKind<T>, key: ObjectKey, patch: unknown, opts: PatchOptions): Promise<T> {
    return this.patchAt(kind, key, patch, opts, 'status');
  }

  getScale(kind: ResourceKind<unknown>, key: ObjectKey): Promise<Scale> {
    return this.transport.json<Scale>({ method: 'GET', path: this.objectPath(kind, key, 'scale'), timeoutMs: this.scope.requestTimeoutMs });
  }

  /** Sets the replicas through the scale subresource; resolves with the new Scale. */
  async updateScale(kind: ResourceKind<unknown>, key: ObjectKey, scale: Scale, opts: WriteOptions = {}): Promise<Scale> {
    const body = { apiVersion: 'autoscaling/v1', kind: 'Scale', ...scale, metadata: { ...scale.metadata, name: key.name, namespace: key.namespace } };
    return this.write<Scale>(kind, 'update', { method: 'PUT', path: this.objectPath(kind, key, 'scale'), body, query: this.writeQuery(opts) });
  }

  // --- internals ---------------------------------------------------------------

  private patchAt<T>(kind: ResourceKind<T>, key: ObjectKey, patch: unknown, opts: PatchOptions, subresource?: string): Promise<T> {
    if (opts.type === 'apply' && !(opts.fieldManager ?? this.scope.fieldManager)) {
      throw new Error('server-side apply needs a fieldManager');
    }
    const query = { ...this.writeQuery(opts), force: opts.type === 'apply' && opts.force ? 'true' : undefined };
    return this.write(kind, 'patch', {
      method: 'PATCH',
      path: this.objectPath(kind, key, subresource),
      body: patch,
      contentType: PATCH_CONTENT_TYPES[opts.type],
      query,
    });
  }

  private async write<T>(kind: ResourceKind<unknown>, verb: ObservedWrite['verb'], req: HttpRequest, shape: (result: T) => T = (r) => r): Promise<T> {
    const headers: Record<string, string> = { ...req.headers };
    if (this.scope.causeSeq) headers[CAUSE_SEQ_HEADER] = this.scope.causeSeq;
    const result = shape(await this.transport.json<T>({ ...req, headers, timeoutMs: this.scope.requestTimeoutMs }));
    for (const observe of this.scope.observers) observe({ kind, verb, object: result as KubeObject });
    return result;
  }

  private writeQuery(opts: WriteOptions): Record<string, string | undefined> {
    return { fieldManager: opts.fieldManager ?? this.scope.fieldManager, dryRun: opts.dryRun ? 'All' : undefined };
  }

  private typed<T extends KubeObject>(kind: ResourceKind<T>, obj: T): T {
    return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(kind), kind: obj.kind ?? kind.kind };
  }

  private namespaceOf(kind: ResourceKind<unknown>, namespace: string | undefined): string | undefined {
    if (!kind.namespaced) return undefined;
    if (!namespace) throw new Error(`${kind.kind} is namespaced: set metadata.namespace (or the key's namespace)`);
    return namespace;
  }

  private keyOf(kind: ResourceKind<unknown>, obj: KubeObject): ObjectKey {
    const name = obj.metadata?.name;
    if (!name) throw new Error(`${kind.kind}: metadata.name is required`);
    return { namespace: obj.metadata?.namespace, name };
  }

  private objectPath(kind: ResourceKind<unknown>, key: ObjectKey, subresource?: string): string {
    if (!key.name) throw new Error(`${kind.kind}: a name is required`);
    return resourcePath(kind, this.namespaceOf(kind, key.namespace), key.name, subresource);
  }
}
