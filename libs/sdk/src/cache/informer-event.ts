/**
 * What an informer tells its handlers. Each variant says where it came from,
 * so handlers can set priorities and predicates can tell a resync from a
 * change.
 */
export type InformerEvent<T> =
  /** `initialList`: the object was in the first list (or the cache when the handler subscribed), not a fresh change. */
  | { type: 'ADDED'; object: T; initialList: boolean }
  /** `resync`: a periodic resync re-delivering an unchanged object (old === new). */
  | { type: 'UPDATED'; oldObject: T; object: T; resync: boolean }
  /** `finalStateUnknown`: a relist found it gone; `object` is the last state the cache held. */
  | { type: 'DELETED'; object: T; finalStateUnknown: boolean };
