import { randomUUID } from 'crypto';
import { IncomingMessage, Server, ServerResponse } from 'http';
import type { Socket } from 'net';
import type { Duplex } from 'stream';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Scheme, defaultScheme } from '@logbook/api';
import { EVENT_STORE, EventStore, poolOf } from '@logbook/event-store';
import { ApiError, badRequest } from '@logbook/machinery';
import { Authenticator, authenticatorOptionsFromEnv } from './auth/authenticator';
import { clusterPki } from './auth/pki';
import { serveTokenRequest } from './auth/tokenrequest';
import { TokenCache } from './auth/token-cache';
import { ServiceAccountClaims, ServiceAccountTokens } from './auth/tokens';
import { defaultAdmissionChain, disabledAdmissionPluginsFromEnv } from './admission';
import { ServiceAccountAdmission } from './auth/serviceaccount-admission';
import { RequestAuthorization } from './auth/authorizer/request-authorization';
import { answerReview, REVIEW_KINDS } from './auth/authorizer/reviews';
import { DeniedRequests } from './auth/denials';
import { RbacEscalationCheck } from './auth/rbac/escalation';
import { PolicyCache } from './auth/rbac/policy-cache';
import { PolicyWatch } from './auth/rbac/policy-watch';
import { NodeAuthorizer } from './auth/node/node-authorizer';
import { NodeGraph } from './auth/node/node-graph';
import { NodeRestriction } from './auth/node/node-restriction';
import { reconcileBootstrapPolicy } from './auth/rbac/reconcile';
import { CrdRegistrar } from './crd/crd-registrar';
import { Discovery } from './handlers/discovery';
import { HistoryApi } from './history';
import { isUiPath, serveUi } from './ui';
import { withSecretAccess } from './history/redact';
import { OpenApi } from './handlers/openapi';
import { markUpgrade, PodProxy } from './handlers/pod-proxy';
import { ResourceHandlers } from './handlers/rest';
import { readBody, decodeObject } from './request/body';
import { negotiate } from './request/negotiate';
import { parseRequestInfo } from './request/request-info';
import { writeError, writeJson } from './request/respond';
import { RequestContext, UserInfo } from './storage/context';
import { resourceNotFound, toApiError } from './storage/errors';
import { NamespaceLifecycle } from './storage/namespace-lifecycle';
import { ResourceStore } from './storage/resource-store';
import { ObjectValidator } from './storage/validator';
import { ServiceAllocator, serviceAllocationOptionsFromEnv } from './storage/service-allocation';
import { ensureKubernetesService } from './storage/service-allocation-bootstrap';

export const CAUSE_SEQ_HEADER = 'x-logbook-cause-seq';

/** LOGBOOK_TOKEN_CACHE_TTL_MS: how long a checked ServiceAccount token is believed (default 10 s; 0: not cached). */
function tokenCacheTtlFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.LOGBOOK_TOKEN_CACHE_TTL_MS;
  if (v === undefined || v === '') return 10_000;
  if (!/^\d+$/.test(v)) throw new Error(`LOGBOOK_TOKEN_CACHE_TTL_MS must be a number of milliseconds, not ${JSON.stringify(v)}`);
  return Number(v);
}

/** Pod subresources answered by the pod's kubelet (handlers/pod-proxy.ts). */
const PROXIED_POD_SUBRESOURCES = new Set(['log', 'exec', 'portforward']);

/** The API server's own identity, for what it writes itself. */
export const SYSTEM_APISERVER: UserInfo = { username: 'system:apiserver', groups: ['system:masters'] };

/**
 * The Kubernetes API: discovery, and every resource request, dispatched by
 * path. Non-API paths (health, metrics) are left to Nest's router.
 */
@Injectable()
export class KubeApiHandler implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('KubeApi');
  readonly scheme: Scheme = defaultScheme;
  readonly validator = new ObjectValidator();
  readonly store: ResourceStore;
  private readonly discovery: Discovery;
  readonly openApi: OpenApi;
  private readonly resources: ResourceHandlers;
  private authn = new Authenticator(authenticatorOptionsFromEnv());
  /** Signs and verifies ServiceAccount tokens with the cluster's key (set up in onModuleInit). */
  serviceAccountTokens?: ServiceAccountTokens;
  /** ServiceAccount tokens checked lately (LOGBOOK_TOKEN_CACHE_TTL_MS, default 10 s; 0 turns it off), voided as their objects are deleted. */
  readonly tokenCache = new TokenCache({ ttlMs: tokenCacheTtlFromEnv() });
  private readonly tailEvents$: EventStore['tail']['events$'];
  private readonly podProxy: PodProxy;
  private readonly crds: CrdRegistrar;
  readonly history: HistoryApi;
  readonly serviceAllocator: ServiceAllocator;
  /** RBAC: the policy (followed from the log), the authorizer, and the pipeline step that uses it. */
  private readonly rbac: PolicyWatch;
  private readonly nodeGraph: NodeGraph;
  readonly access: RequestAuthorization;

  constructor(
    @Inject(EVENT_STORE) eventStore: EventStore,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {
    const namespaces = new NamespaceLifecycle(eventStore.log);
    namespaces.follow(eventStore.tail.events$);
    this.tailEvents$ = eventStore.tail.events$;
    this.store = new ResourceStore(eventStore.log, this.scheme, this.validator, namespaces);
    this.serviceAllocator = new ServiceAllocator(eventStore.log, serviceAllocationOptionsFromEnv());
    this.store.useCompanion(this.serviceAllocator);
    this.discovery = new Discovery(this.scheme);
    this.openApi = new OpenApi(this.scheme);
    this.resources = new ResourceHandlers(this.store, eventStore.watchCache, (def, body, r) =>
      this.openApi.check(body, r, r.info.subresource === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : def),
    );
    this.podProxy = new PodProxy(this.store, this.scheme);
    this.history = new HistoryApi(eventStore, this.store);
    this.crds = new CrdRegistrar(this.scheme, this.store, eventStore.watchCache, this.openApi.registry, this.validator);
    // --authorization-mode=Node,RBAC: the node graph follows pods and claims from the log.
    this.nodeGraph = new NodeGraph(this.scheme, this.store, eventStore.watchCache);
    const authz = new NodeAuthorizer(new PolicyCache(), this.nodeGraph);
    this.rbac = new PolicyWatch(this.scheme, this.store, eventStore.watchCache, authz.policy);
    const denials = new DeniedRequests(poolOf(eventStore.dataSource));
    this.access = new RequestAuthorization(authz, denials);
    this.history.useDenials(denials);
    const serviceAccounts = this.scheme.byGroupVersionResource('', 'v1', 'serviceaccounts')!;
    const serviceAccountAdmission = new ServiceAccountAdmission(async (ns, name) => (await this.store.tryGet(serviceAccounts, ns, name))?.object);
    this.store.useAdmission(
      defaultAdmissionChain({ extra: [serviceAccountAdmission, new NodeRestriction(), new RbacEscalationCheck(authz)], disabled: disabledAdmissionPluginsFromEnv() }),
    );
  }

  /** The namespaces every cluster has: default, kube-system, kube-public, kube-node-lease. */
  async onModuleInit(): Promise<void> {
    const pki = await clusterPki();
    this.serviceAccountTokens = new ServiceAccountTokens(pki.serviceAccountKey);
    this.podProxy.useTickets(pki.caKey);
    this.authn = new Authenticator({
      ...authenticatorOptionsFromEnv(),
      clientCa: pki.caCert,
      serviceAccountTokens: this.serviceAccountTokens,
      tokenObjects: (claims) => this.tokenObjectsExist(claims),
      tokenCache: this.tokenCache,
    });
    this.tokenCache.follow(this.tailEvents$);
    this.openApi.warm();
    await this.crds.start();
    this.history.startRetention();
    const def = this.scheme.byGroupVersionResource('', 'v1', 'namespaces')!;
    const ctx: RequestContext = { user: SYSTEM_APISERVER, verb: 'create', requestId: randomUUID(), dryRun: false, fieldManager: 'kube-apiserver' };
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      if (await this.store.tryGet(def, '', name)) continue;
      await this.store.create(def, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, ctx).catch((err) => {
        // Another replica created it first.
        if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
      });
    }
    await ensureKubernetesService(this.store, this.scheme, this.serviceAllocator, ctx);
    const policy = await reconcileBootstrapPolicy(this.scheme, this.store);
    if (policy.created || policy.updated) this.log.log(`bootstrap RBAC policy: ${policy.created} created, ${policy.updated} updated`);
    await this.rbac.start();
    await this.nodeGraph.start();
  }

  /**
   * Whether a ServiceAccount token's account and bound object (pod or
   * secret) still exist as the same objects (uid), as kube-apiserver checks:
   * one deleted more than a minute ago, or replaced, voids the token.
   */
  private async tokenObjectsExist(claims: ServiceAccountClaims): Promise<boolean> {
    const k8s = claims['kubernetes.io'];
    const checks: Array<[string, { name: string; uid: string }]> = [['serviceaccounts', k8s.serviceaccount]];
    if (k8s.pod) checks.push(['pods', k8s.pod]);
    if (k8s.secret) checks.push(['secrets', k8s.secret]);
    for (const [resource, ref] of checks) {
      const def = this.scheme.byGroupVersionResource('', 'v1', resource)!;
      const obj = (await this.store.tryGet(def, k8s.namespace, ref.name))?.object as { metadata?: { uid?: string; deletionTimestamp?: string } } | undefined;
      if (!obj || obj.metadata?.uid !== ref.uid) return false;
      const deleting = obj.metadata.deletionTimestamp;
      if (deleting && Date.parse(deleting) < Date.now() - 60_000) return false;
    }
    return true;
  }

  /**
   * Serves API paths ahead of Express and Nest's middleware chain (URL and
   * query parsing, routing), which the API does not use and which cost a
   * share of every request. Express's application function hands every
   * request to its `handle` method, for the TLS port and the development
   * port alike; API paths are taken there, everything else (health,
   * metrics, the UI) goes on as before. The middleware in ApiServerModule
   * remains for adapters this cannot wrap.
   */
  onApplicationBootstrap(): void {
    const app = this.adapterHost?.httpAdapter?.getInstance?.() as ExpressLike | undefined;
    const next = app?.handle;
    if (typeof next !== 'function') return;
    app!.handle = (req, res, done) => {
      if (!isApiPath(req.url)) return next.call(app, req, res, done);
      this.handle(req, res).then(
        (served) => (served ? undefined : next.call(app, req, res, done)),
        () => next.call(app, req, res, done),
      );
    };
  }

  async onModuleDestroy(): Promise<void> {
    this.store.namespaces.stop();
    this.tokenCache.stop();
    this.crds.stop();
    this.rbac.stop();
    this.nodeGraph.stop();
    await this.history.stopRetention();
  }

  /**
   * Serves upgrade requests (WebSocket and SPDY: `kubectl exec`,
   * `port-forward`) arriving on `server`. They go through the same
   * authentication and authorization as any request, answered on a response
   * bound to the connection; the pod proxy then takes the connection over.
   */
  serveUpgrades(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => undefined);
      const res = new ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(socket as Socket);
      res.on('finish', () => socket.end());
      if (!isApiPath(req.url)) {
        writeError(res, resourceNotFound());
        return;
      }
      markUpgrade(req, { socket, head });
      void this.handle(req, res);
    });
  }

  /** Serves the request if it is an API request; false leaves it to the next handler. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const info = parseRequestInfo(req.method ?? 'GET', url);
    const isOpenApi = url.pathname.startsWith('/openapi/');
    if (isUiPath(url.pathname)) return serveUi(req, res, url), true;
    if (info.apiPrefix === '' && !isOpenApi) return false;
    const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
    res.setHeader('Audit-Id', requestId);
    try {
      let requester: UserInfo;
      try {
        requester = await this.authn.authenticate(req);
      } catch (err) {
        if (err instanceof ApiError && err.code === 401) this.access.unauthenticated(req, url, requestId, err);
        throw err;
      }
      const user = this.access.authorize(req, url, info, requester, requestId);
      if (isOpenApi) {
        if (!this.openApi.serve(req, res, url)) throw resourceNotFound();
        return true;
      }
      if (info.group === 'logbook.io') {
        if (!info.isResourceRequest && info.parts.length === 3) writeJson(res, 200, this.history.resourceList());
        else await withSecretAccess((ns, name) => this.access.canGetSecret(user, ns, name), () => this.history.handle(req, res, info, url, user));
        return true;
      }
      if (!info.isResourceRequest) {
        this.serveDiscovery(req, res, info.apiPrefix, info.group, info.version, info.parts);
        return true;
      }
      if (info.group === 'authentication.k8s.io' && info.resource === 'selfsubjectreviews') {
        return this.selfSubjectReview(req, res, user, info.version), true;
      }
      if (info.group === 'authorization.k8s.io' && info.version === 'v1' && info.resource in REVIEW_KINDS) {
        await this.accessReview(req, res, info.resource, info.namespace, user);
        return true;
      }
      const def = this.scheme.byGroupVersionResource(info.group, info.version, info.resource);
      if (!def || (!def.namespaced && info.namespace) || (def.namespaced && !info.namespace && info.name && info.resource !== 'namespaces')) {
        throw resourceNotFound();
      }
      if (info.resource === 'serviceaccounts' && info.subresource === 'token' && info.group === '' && this.serviceAccountTokens) {
        return await serveTokenRequest(req, res, info, this.store, this.scheme, this.serviceAccountTokens), true;
      }
      const params = url.searchParams;
      const ctx = this.context(req, params, user, requestId, info.verb, info.subresource);
      const request = { req, res, info, def, params, rendering: negotiate(req.headers.accept), ctx };
      if (def.group === '' && def.resource === 'pods' && PROXIED_POD_SUBRESOURCES.has(info.subresource)) await this.podProxy.handle(request);
      else await this.resources.handle(request);
    } catch (err) {
      const apiErr = toApiError(err);
      if (apiErr.code >= 500) this.log.error(`${req.method} ${req.url}: ${(err as Error).stack ?? err}`);
      if (res.headersSent) res.end();
      else writeError(res, apiErr);
    }
    return true;
  }

  private context(req: IncomingMessage, params: URLSearchParams, user: UserInfo, requestId: string, verb: string, subresource: string): RequestContext {
    const dryRun = params.getAll('dryRun');
    for (const d of dryRun) if (d !== 'All') throw badRequest(`dryRun: Unsupported value: "${d}": supported values: "All"`);
    const userAgent = req.headers['user-agent'];
    const cause = req.headers[CAUSE_SEQ_HEADER] as string | undefined;
    if (cause !== undefined && !/^\d+$/.test(cause)) throw badRequest(`${CAUSE_SEQ_HEADER} must be a resourceVersion`);
    return {
      user,
      verb,
      subresource: subresource || undefined,
      fieldManager: params.get('fieldManager') ?? defaultFieldManager(userAgent),
      userAgent,
      requestId,
      causeSeq: cause !== undefined ? Number(cause) : undefined,
      dryRun: dryRun.length > 0,
    };
  }

  private serveDiscovery(req: IncomingMessage, res: ServerResponse, prefix: string, group: string, version: string, parts: string[]): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw resourceNotFound();
    let body: unknown;
    if (prefix === 'api' && parts.length === 1) body = this.discovery.apiVersions(req.headers.host ?? '127.0.0.1:8080');
    else if (prefix === 'api' && parts.length === 2) body = this.discovery.apiResourceList('', parts[1]);
    else if (prefix === 'apis' && parts.length === 1) body = this.discovery.apiGroupList();
    else if (prefix === 'apis' && parts.length === 2) body = this.discovery.apiGroup(parts[1]);
    else if (prefix === 'apis' && parts.length === 3) body = this.discovery.apiResourceList(group, version);
    if (!body) throw resourceNotFound();
    writeJson(res, 200, body);
  }

  /** `kubectl auth can-i` and the other authorization reviews: answered, not stored. */
  private async accessReview(req: IncomingMessage, res: ServerResponse, resource: string, namespace: string, user: UserInfo): Promise<void> {
    if (req.method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const namespaced = resource === 'localsubjectaccessreviews';
    if (namespaced !== !!namespace) throw resourceNotFound();
    const body = decodeObject(await readBody(req), req.headers['content-type']);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
    writeJson(res, 201, answerReview(resource, namespace, body as Record<string, unknown>, user, this.access.authz));
  }

  /** `kubectl auth whoami`: who the server thinks the caller is. */
  private async selfSubjectReview(req: IncomingMessage, res: ServerResponse, user: UserInfo, version: string): Promise<void> {
    if (req.method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const body = (decodeObject(await readBody(req), req.headers['content-type']) ?? {}) as Record<string, unknown>;
    const userInfo: Record<string, unknown> = { username: user.username, groups: user.groups };
    if (user.uid) userInfo.uid = user.uid;
    if (user.extra) userInfo.extra = user.extra;
    writeJson(res, 201, {
      kind: 'SelfSubjectReview',
      apiVersion: `authentication.k8s.io/${version}`,
      metadata: { ...((body.metadata as object) ?? {}), creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') },
      status: { userInfo },
    });
  }
}

/** Express's application, as far as onApplicationBootstrap needs it. */
type ExpressLike = { handle?: (req: IncomingMessage, res: ServerResponse, done?: unknown) => void };

/** Paths KubeApiHandler.handle may serve (it answers false for the rest). */
function isApiPath(url: string | undefined): boolean {
  return url !== undefined && (url.startsWith('/api') || url.startsWith('/openapi/'));
}

/** kube-apiserver's default field manager: the user agent's program name. */
function defaultFieldManager(userAgent: string | undefined): string | undefined {
  if (!userAgent) return undefined;
  return userAgent.split('/')[0].slice(0, 128) || undefined;
}
