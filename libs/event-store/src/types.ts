/**
 * The vocabulary of the event log. Objects are plain JSON as Kubernetes
 * serialises them; the store reads only `metadata.name`, `metadata.uid` and
 * writes `metadata.resourceVersion`.
 */

/** Which kind of thing an object is, in the API's terms. */
export interface ResourceType {
  /** API group, `''` for the core group. */
  group: string;
  version: string;
  /** Plural resource name, e.g. `pods`. */
  resource: string;
  kind: string;
}

/** Identifies one object. `namespace` is `''` for cluster-scoped objects. */
export interface ObjectKey {
  group: string;
  resource: string;
  namespace: string;
  name: string;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Who made a change. */
export interface Actor {
  user: string;
  uid?: string;
  groups?: string[];
}

/** Why and how a change happened; recorded on every event. */
export interface Provenance {
  actor: Actor;
  /** The API verb: create, update, patch, delete, deletecollection, ... */
  verb: string;
  /** Subresource written, if any (`status`, `scale`, `binding`, ...). */
  subresource?: string;
  fieldManager?: string;
  userAgent?: string;
  requestId?: string;
  /** The event a controller was reconciling when it made this change. */
  causeSeq?: number;
}

/** A JSON object with Kubernetes metadata. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** One committed entry of the log. `seq` is the resourceVersion. */
export interface StoredEvent {
  seq: number;
  /** Seq of the previous event of the same object, null for its first. */
  prevSeq: number | null;
  time: Date;
  type: EventType;
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  /** The whole object after the change (for DELETED: its last state). */
  object: KubeObject;
  provenance: Provenance;
}

/** Conditions an append requires of the current state. */
export interface Preconditions {
  /** The object's current resourceVersion must equal this. */
  resourceVersion?: string;
  /** The object's current uid must equal this. */
  uid?: string;
}

export type AppendOp =
  | { type: 'create'; resourceType: ResourceType; object: KubeObject; provenance: Provenance }
  | {
      type: 'update';
      resourceType: ResourceType;
      object: KubeObject;
      preconditions?: Preconditions;
      provenance: Provenance;
    }
  | {
      type: 'delete';
      resourceType: ResourceType;
      namespace: string;
      name: string;
      /**
       * The last state to record in the DELETED event (e.g. with its
       * deletionTimestamp); defaults to the current object.
       */
      object?: KubeObject;
      preconditions?: Preconditions;
      provenance: Provenance;
    };

/** A row of the projection: the current state of one live object. */
export interface StoredObject {
  resourceVersion: number;
  object: KubeObject;
}

export function objectKeyOf(op: AppendOp): ObjectKey {
  const { group, resource } = op.resourceType;
  if (op.type === 'delete') return { group, resource, namespace: op.namespace, name: op.name };
  return {
    group,
    resource,
    namespace: op.object.metadata?.namespace ?? '',
    name: op.object.metadata?.name ?? '',
  };
}

export function keyString(k: ObjectKey): string {
  return `${k.group}/${k.resource}/${k.namespace}/${k.name}`;
}
