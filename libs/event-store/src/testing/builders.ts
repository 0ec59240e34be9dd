import { AppendOp, KubeObject, Provenance, ResourceType } from '../types';

export const configMaps: ResourceType = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap' };
export const pods: ResourceType = { group: '', version: 'v1', resource: 'pods', kind: 'Pod' };

export const alice: Provenance = { actor: { user: 'alice', groups: ['system:authenticated'] }, verb: 'create' };

export function aConfigMap(name: string, data: Record<string, string> = {}, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels: { app: 'test' } }, data };
}

export function createOp(object: KubeObject, type = configMaps, provenance = alice): AppendOp {
  return { type: 'create', resourceType: type, object, provenance };
}

export function updateOp(object: KubeObject, resourceVersion?: string, provenance: Provenance = { ...alice, verb: 'update' }): AppendOp {
  return { type: 'update', resourceType: configMaps, object, provenance, preconditions: resourceVersion ? { resourceVersion } : undefined };
}

export function deleteOp(name: string, namespace = 'default', provenance: Provenance = { ...alice, verb: 'delete' }): AppendOp {
  return { type: 'delete', resourceType: configMaps, namespace, name, provenance };
}

/** Resolves when `cond` holds, polling; rejects after `ms`. */
export async function eventually(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
