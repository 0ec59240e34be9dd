import type { KubeObject, ResourceType } from './types';

/**
 * Transforms objects on their way into and out of Postgres, for both
 * `events` and `resources`. Encryption at rest of Secrets is a codec; the
 * default stores objects as they are. `encode` must leave
 * `metadata.resourceVersion` reachable at `{metadata,resourceVersion}`,
 * which the append statement sets in SQL.
 */
export interface ObjectCodec {
  encode(type: Pick<ResourceType, 'group' | 'resource'>, object: KubeObject): KubeObject;
  decode(type: Pick<ResourceType, 'group' | 'resource'>, object: KubeObject): KubeObject;
}

export const identityCodec: ObjectCodec = {
  encode: (_t, o) => o,
  decode: (_t, o) => o,
};
