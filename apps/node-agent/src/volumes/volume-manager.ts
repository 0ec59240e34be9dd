/**
 * The node's volume manager (kubelet's volumemanager and volume plugins,
 * for what a single machine can offer): sets up a pod's volumes under
 * `<root>/pods/<uid>/`, tells the runtime which host path each container
 * mounts where, keeps configMap/secret/downwardAPI/projected volumes
 * current, and removes a pod's volumes with the pod.
 *
 * Layout, as kubelet's:
 *
 *   <root>/pods/<uid>/volumes/kubernetes.io~empty-dir/<volume>/
 *   <root>/pods/<uid>/volumes/kubernetes.io~configmap/<volume>/   (also ~secret, ~downward-api, ~projected)
 *   <root>/pods/<uid>/volume-subpaths/<volume>/<container>/<mount index>
 *
 * hostPath volumes and PersistentVolumes (hostPath or local) are the host
 * directories themselves: they outlive the pod.
 *
 * Live updates: ConfigMaps and Secrets are watched per namespace (only
 * namespaces whose pods reference some), the node's pods for label and
 * annotation changes; a change re-renders the volumes that read it through
 * the AtomicWriter. Mounts with `subPath` of those volumes are copies made
 * once, so they are not updated, as in Kubernetes. `changes$` emits a pod's
 * uid when one of its volumes changed, or when something a failed set-up
 * waited for appeared (so the runtime tries `setUp` again).
 */
import type { ConfigMap, Container, Pod, Secret, ServiceAccountTokenProjection, Volume, VolumeMount } from '@logbook/api';
import { VOLUME_SOURCE_FIELDS } from '@logbook/api';
import { isNotFound } from '@logbook/machinery';
import { EventRecorder, InformerEvent, InformerFactory, kinds, KubeClient, SdkLogger } from '@logbook/sdk';
import { chmod, cp, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Observable, Subject, Subscription } from 'rxjs';
import { filter } from 'rxjs/operators';
import { AtomicWriter } from './atomic-writer';
import { podFieldValue } from './downward-api';
import { checkHostPathType, resolveSubPath } from './host-path';
import { isPayloadVolume, PayloadDependencies, payloadDependencies, PayloadSources, volumePayload } from './payloads';
import { ServiceAccountTokens } from './service-account-tokens';
import { ContainerMount, PodVolumes, VolumeSetUpError } from './types';

export interface VolumeManagerOptions {
  client: KubeClient;
  /** The node's data directory; pods live in `<rootDir>/pods/<uid>`. */
  rootDir: string;
  nodeName: string;
  /** FailedMount and token events on pods. Default true. */
  recordEvents?: boolean;
  logger?: SdkLogger;
  /** How often projected service account tokens are checked for refresh (and unavailable ones retried). Default 30 s. */
  tokenCheckIntervalMs?: number;
  now?: () => number;
}

const PLUGIN_DIRS = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

interface MountedVolume {
  name: string;
  hostPath: string;
  readOnly: boolean;
  /** configMap, secret, downwardAPI, projected: re-rendered when their inputs change. */
  payload?: { writer: AtomicWriter; spec: Volume; deps: PayloadDependencies };
}

interface PodRecord {
  uid: string;
  pod: Pod;
  dir: string;
  volumes: Map<string, MountedVolume>;
  mounts: Map<string, ContainerMount[]>;
  /** `namespace/name` of the ConfigMaps and Secrets its volumes read (mounted or not yet). */
  configMaps: Set<string>;
  secrets: Set<string>;
  podMetadata: boolean;
  tokens: boolean;
  /** Volumes whose set-up failed last time. */
  failed: Set<string>;
  /** Set-up, updates and tear-down of one pod run one after another. */
  lock: Promise<unknown>;
  removed: boolean;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));
const metadataKey = (p: Pod) => JSON.stringify([p.metadata?.labels ?? {}, p.metadata?.annotations ?? {}]);

export class VolumeManager implements PayloadSources {
  private readonly pods = new Map<string, PodRecord>();
  private readonly changes = new Subject<string>();
  private readonly informers: InformerFactory;
  /** `configMaps/<ns>/<name>` and `secrets/<ns>/<name>` watched one object each (as kubelet's watch-based manager). */
  private readonly watchedObjects = new Map<string, Subscription>();
  private readonly subscriptions: Subscription[] = [];
  private readonly recorder?: EventRecorder;
  private readonly log: SdkLogger;
  private readonly tokens: ServiceAccountTokens;
  /** When a token-unavailable event was last recorded, per pod/volume (one a minute at most). */
  private readonly tokenWarnings = new Map<string, number>();
  private tokenTimer?: NodeJS.Timeout;
  private podsWatched = false;
  private allocatableCache?: { at: number; value: Record<string, string> };
  private closed = false;

  /** A pod's uid, when one of its volumes changed or a failed set-up may now succeed. */
  readonly changes$: Observable<string> = this.changes.asObservable();

  constructor(private readonly opts: VolumeManagerOptions) {
    this.log = opts.logger ?? new Logger(`VolumeManager ${opts.nodeName}`);
    this.informers = new InformerFactory(opts.client);
    this.informers.start();
    if (opts.recordEvents !== false) this.recorder = new EventRecorder(opts.client, { component: 'kubelet', instance: opts.nodeName, logger: this.log });
    this.tokens = new ServiceAccountTokens(opts.client, opts.now);
  }

  get rootDir(): string {
    return this.opts.rootDir;
  }

  /** The directory of a pod's data on this node. */
  podDir(uid: string): string {
    return join(this.opts.rootDir, 'pods', uid);
  }

  /** The volumes of a pod set up before, if any. */
  get(uid: string): PodVolumes | undefined {
    const rec = this.pods.get(uid);
    return rec && !rec.removed && rec.failed.size === 0 ? this.view(rec) : undefined;
  }

  /**
   * Sets up every volume of the pod and resolves the containers' mounts.
   * Idempotent: call it on every change of the pod (a set-up volume is kept
   * as it is; downwardAPI files follow the pod's labels and annotations).
   * Throws a VolumeSetUpError (and records a FailedMount event) when a
   * volume cannot be set up yet; the others stay set up.
   */
  async setUp(pod: Pod): Promise<PodVolumes> {
    if (this.closed) throw new Error('the volume manager is closed');
    const uid = pod.metadata?.uid;
    if (!uid) throw new Error('a pod without uid has no volumes');
    let rec = this.pods.get(uid);
    if (!rec || rec.removed) {
      rec = this.newRecord(pod);
      this.pods.set(uid, rec);
    }
    const r = rec;
    return this.serialized(r, () => this.setUpLocked(r, pod));
  }

  /**
   * `setUp`, tried again until it succeeds — when something it waits for
   * appears (`changes$`), else after a back-off (1 s doubling to 30 s, as
   * kubelet retries mounts) — for a runtime that starts a pod's containers
   * once its volumes are there (they stay ContainerCreating meanwhile; each
   * failure records its FailedMount event). Rejects when the pod is torn
   * down or the manager closes first.
   */
  async setUpWhenReady(pod: Pod, opts: { maxBackoffMs?: number } = {}): Promise<PodVolumes> {
    const uid = pod.metadata?.uid ?? '';
    let backoff = 1_000;
    for (;;) {
      const rec = this.pods.get(uid);
      const generation = rec && !rec.removed ? rec : undefined;
      try {
        return await this.setUp(pod);
      } catch (err) {
        if (!(err instanceof VolumeSetUpError)) this.log.warn(`setting up the volumes of pod ${pod.metadata?.namespace}/${pod.metadata?.name}: ${errText(err)}`);
      }
      const record = generation ?? this.pods.get(uid);
      if (this.closed || !record || record.removed) throw new Error(`pod ${pod.metadata?.namespace}/${pod.metadata?.name}: volumes torn down before they were set up`);
      await this.nextAttempt(uid, record, backoff);
      if (this.closed || record.removed) throw new Error(`pod ${pod.metadata?.namespace}/${pod.metadata?.name}: volumes torn down before they were set up`);
      backoff = Math.min(backoff * 2, opts.maxBackoffMs ?? 30_000);
    }
  }

  /** Resolves on the pod's next change, its tear-down, the manager's close, or after `ms`. */
  private nextAttempt(uid: string, rec: PodRecord, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        clearInterval(poll);
        sub.unsubscribe();
        resolve();
      };
      const timer = setTimeout(done, ms);
      // Tear-down and close are noticed within 100 ms.
      const poll = setInterval(() => (rec.removed || this.closed) && done(), 100);
      const sub = this.changes$.pipe(filter((u) => u === uid)).subscribe({ next: done, complete: done });
    });
  }

  /** Removes everything of the pod on this node except hostPath and PersistentVolume data. */
  async tearDown(uid: string): Promise<void> {
    const rec = this.pods.get(uid);
    const dir = this.podDir(uid);
    if (!rec) {
      await rm(dir, { recursive: true, force: true });
      return;
    }
    rec.removed = true;
    await this.serialized(rec, async () => {
      await rm(dir, { recursive: true, force: true });
    });
    if (this.pods.get(uid) === rec) this.pods.delete(uid);
    this.tokens.forgetPod(uid);
    for (const key of this.tokenWarnings.keys()) if (key.startsWith(`${uid}/`)) this.tokenWarnings.delete(key);
    await this.dropUnusedInformers();
  }

  /**
   * Removes the directories of pods not in `keep` (kubelet's
   * cleanupOrphanedPodDirs, e.g. after the node agent was down while pods
   * were deleted). Resolves with the uids removed.
   */
  async cleanUpOrphans(keep: Iterable<string>): Promise<string[]> {
    const wanted = new Set(keep);
    let entries: string[];
    try {
      entries = await readdir(join(this.opts.rootDir, 'pods'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const removed: string[] = [];
    for (const uid of entries) {
      if (wanted.has(uid) || this.pods.has(uid)) continue;
      await this.tearDown(uid);
      removed.push(uid);
    }
    return removed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.tokenTimer);
    this.subscriptions.splice(0).forEach((s) => s.unsubscribe());
    for (const sub of this.watchedObjects.values()) sub.unsubscribe();
    this.watchedObjects.clear();
    await this.informers.stop();
    this.changes.complete();
  }

  // --- set-up ------------------------------------------------------------------

  private newRecord(pod: Pod): PodRecord {
    const rec: PodRecord = {
      uid: pod.metadata!.uid!,
      pod,
      dir: this.podDir(pod.metadata!.uid!),
      volumes: new Map(),
      mounts: new Map(),
      configMaps: new Set(),
      secrets: new Set(),
      podMetadata: false,
      tokens: false,
      failed: new Set(),
      lock: Promise.resolve(),
      removed: false,
    };
    const ns = pod.metadata?.namespace ?? 'default';
    for (const v of pod.spec?.volumes ?? []) {
      if (!isPayloadVolume(v)) continue;
      const deps = payloadDependencies(v);
      deps.configMaps.forEach((n) => rec.configMaps.add(`${ns}/${n}`));
      deps.secrets.forEach((n) => rec.secrets.add(`${ns}/${n}`));
      rec.podMetadata ||= deps.podMetadata;
      rec.tokens ||= deps.token;
    }
    for (const key of rec.configMaps) this.watchObject('configMaps', key);
    for (const key of rec.secrets) this.watchObject('secrets', key);
    if (rec.podMetadata) this.watchPods();
    if (rec.tokens) this.startTokenTimer();
    return rec;
  }

  private serialized<T>(rec: PodRecord, fn: () => Promise<T>): Promise<T> {
    const run = rec.lock.then(fn, fn);
    rec.lock = run.catch(() => undefined);
    return run;
  }

  private async setUpLocked(rec: PodRecord, pod: Pod): Promise<PodVolumes> {
    if (rec.removed) throw new Error(`pod ${pod.metadata?.namespace}/${pod.metadata?.name} is being torn down`);
    const metadataChanged = metadataKey(rec.pod) !== metadataKey(pod);
    rec.pod = pod;
    mkdirSync(rec.dir, { recursive: true, mode: 0o750 });
    const errors: VolumeSetUpError[] = [];
    for (const volume of pod.spec?.volumes ?? []) {
      const mounted = rec.volumes.get(volume.name);
      if (mounted) {
        if (metadataChanged && mounted.payload?.deps.podMetadata) await this.rewrite(rec, mounted);
        continue;
      }
      try {
        rec.volumes.set(volume.name, await this.mountVolume(rec, volume));
        rec.failed.delete(volume.name);
      } catch (err) {
        rec.failed.add(volume.name);
        errors.push(new VolumeSetUpError(volume.name, errText(err)));
      }
    }
    if (errors.length === 0) {
      for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
        if (rec.mounts.has(c.name)) continue;
        try {
          rec.mounts.set(c.name, await this.containerMounts(rec, c));
        } catch (err) {
          errors.push(err instanceof VolumeSetUpError ? err : new VolumeSetUpError(c.name, errText(err)));
        }
      }
    }
    if (errors.length) {
      for (const e of errors) void this.recorder?.event(pod, 'Warning', 'FailedMount', e.message);
      throw errors[0];
    }
    return this.view(rec);
  }

  private async mountVolume(rec: PodRecord, volume: Volume): Promise<MountedVolume> {
    const pluginDir = (plugin: keyof typeof PLUGIN_DIRS) => join(rec.dir, 'volumes', PLUGIN_DIRS[plugin], volume.name);
    if (volume.emptyDir) {
      // medium: Memory is a plain directory too (no tmpfs without mount privileges); sizeLimit is not enforced.
      const dir = pluginDir('emptyDir');
      await mkdir(dir, { recursive: true });
      // World-writable like kubelet's, so a container running as any user can write.
      await chmod(dir, 0o777);
      return { name: volume.name, hostPath: dir, readOnly: false };
    }
    if (volume.hostPath) {
      await checkHostPathType(volume.hostPath.path, volume.hostPath.type);
      return { name: volume.name, hostPath: volume.hostPath.path, readOnly: false };
    }
    if (volume.persistentVolumeClaim) {
      const path = await this.claimPath(rec.pod, volume.persistentVolumeClaim.claimName);
      return { name: volume.name, hostPath: path, readOnly: !!volume.persistentVolumeClaim.readOnly };
    }
    if (isPayloadVolume(volume)) {
      const plugin = volume.configMap ? 'configMap' : volume.secret ? 'secret' : volume.downwardAPI ? 'downwardAPI' : 'projected';
      const mounted: MountedVolume = {
        name: volume.name,
        hostPath: pluginDir(plugin),
        // Always read-only, as kubelet mounts these.
        readOnly: true,
        payload: { writer: new AtomicWriter(pluginDir(plugin)), spec: volume, deps: payloadDependencies(volume) },
      };
      await mounted.payload!.writer.write(await volumePayload(rec.pod, volume, this));
      return mounted;
    }
    // Whatever else the pod names (cloud disks, nfs, csi, ...) this node cannot provide.
    const source = VOLUME_SOURCE_FIELDS.find((s) => volume[s] !== undefined);
    throw new Error(source ? `volume type ${source} is not supported by Logbook's node agent` : 'the volume has no source');
  }

  /** The host directory of a bound claim's PersistentVolume (hostPath or local). */
  private async claimPath(pod: Pod, claimName: string): Promise<string> {
    const ns = pod.metadata?.namespace ?? 'default';
    let claim;
    try {
      claim = await this.opts.client.get(kinds.PersistentVolumeClaim, { namespace: ns, name: claimName });
    } catch (err) {
      if (isNotFound(err)) throw new Error(`persistentvolumeclaim "${claimName}" not found`);
      throw err;
    }
    if (claim.metadata?.deletionTimestamp) throw new Error(`persistentvolumeclaim "${claimName}" is being deleted`);
    const volumeName = claim.spec?.volumeName ?? '';
    if (claim.status?.phase !== 'Bound' || !volumeName) {
      throw new Error(`PVC ${ns}/${claimName} has non-bound phase (${JSON.stringify(claim.status?.phase ?? '')}) or empty pvc.Spec.VolumeName (${JSON.stringify(volumeName)})`);
    }
    let pv;
    try {
      pv = await this.opts.client.get(kinds.PersistentVolume, { name: volumeName });
    } catch (err) {
      if (isNotFound(err)) throw new Error(`persistentvolume "${volumeName}" not found`);
      throw err;
    }
    const ref = pv.spec?.claimRef;
    if (ref?.uid && ref.uid !== claim.metadata?.uid) throw new Error(`persistentvolume "${volumeName}" is bound to another claim (${ref.namespace}/${ref.name})`);
    if (pv.spec?.hostPath) {
      await checkHostPathType(pv.spec.hostPath.path, pv.spec.hostPath.type);
      return pv.spec.hostPath.path;
    }
    if (pv.spec?.local?.path) {
      await checkHostPathType(pv.spec.local.path, 'Directory');
      return pv.spec.local.path;
    }
    throw new Error(`persistentvolume "${volumeName}" is neither hostPath nor local: Logbook's node agent mounts only directory-backed volumes`);
  }

  /** A container's mounts, subPaths resolved. */
  private async containerMounts(rec: PodRecord, c: Container): Promise<ContainerMount[]> {
    const out: ContainerMount[] = [];
    const mounts: VolumeMount[] = c.volumeMounts ?? [];
    for (let i = 0; i < mounts.length; i++) {
      const m = mounts[i];
      const volume = rec.volumes.get(m.name);
      if (!volume) throw new VolumeSetUpError(m.name, `container ${c.name} mounts volume ${m.name}, which the pod does not define`);
      const subPath = m.subPath || (m.subPathExpr ? expandSubPathExpr(m.subPathExpr, c, rec.pod) : '');
      let hostPath = volume.hostPath;
      if (subPath) {
        try {
          hostPath = volume.payload ? await this.subPathCopy(rec, volume, c.name, i, subPath) : await resolveSubPath(volume.hostPath, subPath);
        } catch (err) {
          throw new VolumeSetUpError(m.name, errText(err));
        }
      }
      out.push({ volume: m.name, hostPath, containerPath: m.mountPath, readOnly: !!m.readOnly || volume.readOnly });
    }
    return out;
  }

  /**
   * A subPath of a configMap/secret/downwardAPI/projected volume: in
   * Kubernetes a bind mount of the file as it was when the container
   * started, never updated; here a copy made once, at the path kubelet
   * uses for subPath mounts.
   */
  private async subPathCopy(rec: PodRecord, volume: MountedVolume, container: string, index: number, subPath: string): Promise<string> {
    const target = join(rec.dir, 'volume-subpaths', volume.name, container, String(index));
    const exists = await lstat(target).then(
      () => true,
      () => false,
    );
    if (!exists) {
      const source = join(volume.hostPath, subPath);
      await mkdir(join(rec.dir, 'volume-subpaths', volume.name, container), { recursive: true });
      const present = await lstat(source).then(
        () => true,
        () => false,
      );
      // A key that is not there: kubelet creates an empty directory in its place.
      if (present) await cp(source, target, { recursive: true, dereference: true, preserveTimestamps: true });
      else await mkdir(target, { recursive: true });
    }
    return target;
  }

  private view(rec: PodRecord): PodVolumes {
    const mounts = new Map(rec.mounts);
    const paths = new Map([...rec.volumes].map(([name, v]) => [name, v.hostPath]));
    return {
      podUid: rec.uid,
      podDir: rec.dir,
      mountsFor: (containerName: string) => (mounts.get(containerName) ?? []).map((m) => ({ ...m })),
      hostPathOf: (volumeName: string) => paths.get(volumeName),
    };
  }

  // --- live updates ----------------------------------------------------------------

  /** Re-renders one payload volume; true when its files changed. */
  private async rewrite(rec: PodRecord, volume: MountedVolume): Promise<boolean> {
    if (!volume.payload) return false;
    try {
      return await volume.payload.writer.write(await volumePayload(rec.pod, volume.payload.spec, this));
    } catch (err) {
      // As kubelet: the files stay as they were; the next change tries again.
      this.log.warn(`updating volume ${volume.name} of pod ${rec.pod.metadata?.namespace}/${rec.pod.metadata?.name}: ${errText(err)}`);
      return false;
    }
  }

  /** Brings a pod's payload volumes (those `which` selects) up to date; a pod with failed volumes is told to retry. */
  private refresh(uid: string, which: (deps: PayloadDependencies, ns: string) => boolean): void {
    const rec = this.pods.get(uid);
    if (!rec || rec.removed) return;
    void this.serialized(rec, async () => {
      if (rec.removed) return;
      const ns = rec.pod.metadata?.namespace ?? 'default';
      let changed = false;
      for (const v of rec.volumes.values()) if (v.payload && which(v.payload.deps, ns) && (await this.rewrite(rec, v))) changed = true;
      if (changed || rec.failed.size) this.changes.next(uid);
    });
  }

  /**
   * Watches one ConfigMap or Secret (`<ns>/<name>`) a pod's volume uses: a
   * list and watch with `fieldSelector=metadata.name=<name>`, as kubelet
   * does, so the node reads only the objects its pods reference (what the
   * Node authorizer lets it read).
   */
  private watchObject(kind: 'configMaps' | 'secrets', key: string): void {
    const id = `${kind}/${key}`;
    if (this.watchedObjects.has(id)) return;
    const [ns, name] = key.split('/');
    const scope = objectScope(ns, name);
    const events$: Observable<InformerEvent<ConfigMap | Secret>> =
      kind === 'configMaps' ? this.informers.informerFor(kinds.ConfigMap, scope).events$ : this.informers.informerFor(kinds.Secret, scope).events$;
    const sub = events$.subscribe((e) => {
      if (e.type === 'ADDED' && e.initialList) return;
      if (e.type === 'UPDATED' && e.resync) return;
      for (const rec of this.pods.values()) {
        if (rec[kind].has(key)) this.refresh(rec.uid, (deps) => (kind === 'configMaps' ? deps.configMaps : deps.secrets).includes(name));
      }
    });
    this.watchedObjects.set(id, sub);
  }

  /** Object informers no pod needs any more are stopped. */
  private async dropUnusedInformers(): Promise<void> {
    const used = new Set<string>();
    for (const rec of this.pods.values()) {
      for (const key of rec.configMaps) used.add(`configMaps/${key}`);
      for (const key of rec.secrets) used.add(`secrets/${key}`);
    }
    for (const [id, sub] of [...this.watchedObjects]) {
      if (used.has(id)) continue;
      this.watchedObjects.delete(id);
      sub.unsubscribe();
      const [kind, ns, name] = id.split('/');
      await this.informers.remove(kind === 'configMaps' ? kinds.ConfigMap : kinds.Secret, objectScope(ns, name));
    }
  }

  private watchPods(): void {
    if (this.podsWatched) return;
    this.podsWatched = true;
    const informer = this.informers.informerFor(kinds.Pod, { fieldSelector: `spec.nodeName=${this.opts.nodeName}` });
    this.subscriptions.push(
      informer.events$.subscribe((e) => {
        if (e.type !== 'UPDATED' || e.resync) return;
        const rec = this.pods.get(e.object.metadata?.uid ?? '');
        if (!rec || !rec.podMetadata || metadataKey(rec.pod) === metadataKey(e.object)) return;
        rec.pod = e.object;
        this.refresh(rec.uid, (deps) => deps.podMetadata);
      }),
    );
  }

  private startTokenTimer(): void {
    if (this.tokenTimer) return;
    this.tokenTimer = setInterval(() => {
      for (const rec of this.pods.values()) if (rec.tokens) this.refresh(rec.uid, (deps) => deps.token);
    }, this.opts.tokenCheckIntervalMs ?? 30_000);
    this.tokenTimer.unref();
  }

  // --- PayloadSources ----------------------------------------------------------------

  async configMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    return this.keyed(kinds.ConfigMap, namespace, name);
  }

  async secret(namespace: string, name: string): Promise<Secret | undefined> {
    return this.keyed(kinds.Secret, namespace, name);
  }

  /** From the namespace's informer when it has the object, else from the API (the informer may lag a new object). */
  private async keyed<T extends ConfigMap | Secret>(kind: typeof kinds.ConfigMap | typeof kinds.Secret, namespace: string, name: string): Promise<T | undefined> {
    const informer = this.informers.find(kind as typeof kinds.ConfigMap, objectScope(namespace, name));
    const cached = informer?.hasSynced ? informer.lister.get(namespace, name) : undefined;
    if (cached) return cached as T;
    try {
      return (await this.opts.client.get(kind as typeof kinds.ConfigMap, { namespace, name })) as T;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async allocatable(): Promise<Record<string, string>> {
    const now = Date.now();
    if (this.allocatableCache && now - this.allocatableCache.at < 60_000) return this.allocatableCache.value;
    try {
      const node = await this.opts.client.get(kinds.Node, { name: this.opts.nodeName });
      this.allocatableCache = { at: now, value: { ...(node.status?.allocatable ?? {}) } };
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.allocatableCache = { at: now, value: {} };
    }
    return this.allocatableCache.value;
  }

  async token(pod: Pod, volume: string, projection: ServiceAccountTokenProjection): Promise<string | undefined> {
    try {
      const token = await this.tokens.get(pod, projection);
      this.tokenWarnings.delete(`${pod.metadata?.uid}/${volume}`);
      return token;
    } catch (err) {
      // Tolerated: the volume is mounted without the token (retried every tokenCheckIntervalMs), and the pod says why.
      const key = `${pod.metadata?.uid}/${volume}`;
      const last = this.tokenWarnings.get(key);
      if (last === undefined || Date.now() - last > 60_000) {
        this.tokenWarnings.set(key, Date.now());
        const sa = pod.spec?.serviceAccountName ?? 'default';
        void this.recorder?.event(
          pod,
          'Warning',
          'FailedMount',
          `MountVolume.SetUp for volume "${volume}": no token for service account "${sa}" (TokenRequest failed: ${errText(err)}); mounted without ${projection.path}, retrying`,
        );
      }
      return undefined;
    }
  }
}

/** `$(VAR)` in a subPathExpr, from the container's literal env and downward fields (kubelet's expansion, unknown names kept). */
function expandSubPathExpr(expr: string, c: Container, pod: Pod): string {
  const env = new Map<string, string>();
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env.set(e.name, e.value);
    else if (e.valueFrom?.fieldRef) {
      try {
        env.set(e.name, podFieldValue(pod, e.valueFrom.fieldRef.fieldPath));
      } catch {
        // Not a field known here: the reference stays as written.
      }
    }
  }
  return expr.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => (whole === '$$' ? '$' : (env.get(name!) ?? whole)));
}

/** The informer scope of one named object. */
function objectScope(namespace: string, name: string): { namespace: string; fieldSelector: string } {
  return { namespace, fieldSelector: `metadata.name=${name}` };
}
