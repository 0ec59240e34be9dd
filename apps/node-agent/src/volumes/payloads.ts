/**
 * The files of configMap, secret, downwardAPI and projected volumes (kube's
 * MakePayload of each plugin), ready for the AtomicWriter.
 */
import type { ConfigMap, KeyToPath, Pod, Secret, ServiceAccountTokenProjection, Volume } from '@logbook/api';
import type { FileProjection, Payload } from './atomic-writer';
import { containerResourceValue, podFieldValue } from './downward-api';

export const DEFAULT_MODE = 0o644;

/** Where a payload's inputs come from (the volume manager's caches and the API). */
export interface PayloadSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** The node's allocatable resources (the default of `limits.*` resource fields). */
  allocatable(): Promise<Record<string, string>>;
  /** A service account token for the pod; undefined when it cannot be had now (the file is left out). */
  token(pod: Pod, volume: string, projection: ServiceAccountTokenProjection): Promise<string | undefined>;
}

/** A key-value source (ConfigMap or Secret) as plain bytes per key. */
type Entries = Map<string, Buffer>;

const configMapEntries = (cm: ConfigMap): Entries => {
  const out: Entries = new Map();
  for (const [k, v] of Object.entries(cm.data ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
};

const secretEntries = (s: Secret): Entries => {
  const out: Entries = new Map();
  for (const [k, v] of Object.entries(s.data ?? {})) out.set(k, Buffer.from(v, 'base64'));
  // stringData is write-only on a real server; honoured if a client sends it back.
  for (const [k, v] of Object.entries(s.stringData ?? {})) out.set(k, Buffer.from(v, 'utf8'));
  return out;
};

/** All keys (or the listed items) of a source into the payload. */
function project(into: Payload, entries: Entries, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean, missingKey: (key: string) => string): void {
  if (!items?.length) {
    for (const [k, data] of entries) into.set(k, { data, mode: defaultMode });
    return;
  }
  for (const item of items) {
    const data = entries.get(item.key);
    if (data === undefined) {
      if (optional) continue;
      throw new Error(missingKey(item.key));
    }
    into.set(item.path, { data, mode: item.mode ?? defaultMode });
  }
}

async function configMapInto(into: Payload, pod: Pod, src: { name?: string; items?: KeyToPath[]; optional?: boolean }, defaultMode: number, sources: PayloadSources): Promise<void> {
  const cm = await sources.configMap(pod.metadata!.namespace!, src.name ?? '');
  if (!cm) {
    if (src.optional) return;
    throw new Error(`configmap "${src.name}" not found`);
  }
  project(into, configMapEntries(cm), src.items, defaultMode, !!src.optional, (k) => `configmap references non-existent config key: ${k}`);
}

async function secretInto(into: Payload, pod: Pod, src: { name?: string; items?: KeyToPath[]; optional?: boolean }, defaultMode: number, sources: PayloadSources): Promise<void> {
  const s = await sources.secret(pod.metadata!.namespace!, src.name ?? '');
  if (!s) {
    if (src.optional) return;
    throw new Error(`secret "${src.name}" not found`);
  }
  project(into, secretEntries(s), src.items, defaultMode, !!src.optional, (k) => `references non-existent secret key: ${k}`);
}

async function downwardInto(into: Payload, pod: Pod, src: NonNullable<Volume['downwardAPI']>, defaultMode: number, sources: PayloadSources): Promise<void> {
  for (const item of src.items ?? []) {
    let text: string;
    if (item.fieldRef) {
      text = podFieldValue(pod, item.fieldRef.fieldPath);
    } else if (item.resourceFieldRef) {
      const ref = item.resourceFieldRef;
      const container = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === ref.containerName);
      text = containerResourceValue(container, ref.resource, ref.divisor, await sources.allocatable());
    } else {
      continue;
    }
    into.set(item.path, { data: Buffer.from(text, 'utf8'), mode: item.mode ?? defaultMode } satisfies FileProjection);
  }
}

/** The payload of a configMap, secret, downwardAPI or projected volume. */
export async function volumePayload(pod: Pod, volume: Volume, sources: PayloadSources): Promise<Payload> {
  const out: Payload = new Map();
  if (volume.configMap) {
    const v = volume.configMap;
    await configMapInto(out, pod, v, v.defaultMode ?? DEFAULT_MODE, sources);
  } else if (volume.secret) {
    const v = volume.secret;
    await secretInto(out, pod, { name: v.secretName, items: v.items, optional: v.optional }, v.defaultMode ?? DEFAULT_MODE, sources);
  } else if (volume.downwardAPI) {
    await downwardInto(out, pod, volume.downwardAPI, volume.downwardAPI.defaultMode ?? DEFAULT_MODE, sources);
  } else if (volume.projected) {
    const mode = volume.projected.defaultMode ?? DEFAULT_MODE;
    for (const source of volume.projected.sources ?? []) {
      if (source.configMap) await configMapInto(out, pod, source.configMap, mode, sources);
      else if (source.secret) await secretInto(out, pod, source.secret, mode, sources);
      else if (source.downwardAPI) await downwardInto(out, pod, source.downwardAPI, mode, sources);
      else if (source.serviceAccountToken) {
        const token = await sources.token(pod, volume.name, source.serviceAccountToken);
        if (token !== undefined) out.set(source.serviceAccountToken.path, { data: Buffer.from(token, 'utf8'), mode });
      } else if (source.clusterTrustBundle) {
        throw new Error('clusterTrustBundle projections are not supported by Logbook');
      }
    }
  } else {
    throw new Error(`volume ${volume.name} has no payload source`);
  }
  return out;
}

/** What a payload volume reads: ConfigMaps and Secrets (by name), the pod's own metadata, tokens. */
export interface PayloadDependencies {
  configMaps: string[];
  secrets: string[];
  podMetadata: boolean;
  token: boolean;
}

export function payloadDependencies(volume: Volume): PayloadDependencies {
  const deps: PayloadDependencies = { configMaps: [], secrets: [], podMetadata: false, token: false };
  if (volume.configMap?.name) deps.configMaps.push(volume.configMap.name);
  if (volume.secret?.secretName) deps.secrets.push(volume.secret.secretName);
  if (volume.downwardAPI) deps.podMetadata = true;
  for (const s of volume.projected?.sources ?? []) {
    if (s.configMap?.name) deps.configMaps.push(s.configMap.name);
    if (s.secret?.name) deps.secrets.push(s.secret.name);
    if (s.downwardAPI) deps.podMetadata = true;
    if (s.serviceAccountToken) deps.token = true;
  }
  return deps;
}

export const isPayloadVolume = (v: Volume): boolean => !!(v.configMap || v.secret || v.downwardAPI || v.projected);
