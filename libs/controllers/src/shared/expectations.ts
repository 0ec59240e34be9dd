/**
 * What a controller is still waiting to see in its cache after acting
 * (Kubernetes' UIDTrackingControllerExpectations). A controller that
 * created three pods must not create them again just because its informer
 * has not delivered them yet: it records "3 creations expected" before
 * creating, its pod event handler counts them off as they arrive, and its
 * sync acts again only once nothing is outstanding — or once the record is
 * older than the TTL, in case an event was lost.
 *
 * Deletions are tracked by object key, so a pod that is observed twice (a
 * deletionTimestamp, then the DELETED event) is counted once.
 *
 * Keys are the controller's own object keys (`namespace/name`).
 */
export class ControllerExpectations {
  private readonly records = new Map<string, { adds: number; deletions: Set<string>; at: number }>();

  constructor(private readonly opts: { ttlMs?: number; now?: () => number } = {}) {}

  private get ttlMs(): number {
    return this.opts.ttlMs ?? 5 * 60_000;
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Records that `count` creations are about to be made (replacing any record: call it only when satisfied). */
  expectCreations(key: string, count: number): void {
    this.records.set(key, { adds: count, deletions: new Set(), at: this.now() });
  }

  /** Records that the objects named by `objectKeys` are about to be deleted. */
  expectDeletions(key: string, objectKeys: Iterable<string>): void {
    this.records.set(key, { adds: 0, deletions: new Set(objectKeys), at: this.now() });
  }

  /** A creation was observed (or will never be: a create failed or was skipped). */
  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r && r.adds > 0) r.adds--;
  }

  /** The deletion of `objectKey` was observed (or will never be: the delete failed). */
  deletionObserved(key: string, objectKey: string): void {
    this.records.get(key)?.deletions.delete(objectKey);
  }

  /**
   * Whether the controller may act on its cache: nothing recorded, all
   * observed, or the record expired.
   */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.adds <= 0 && r.deletions.size === 0) return true;
    return this.now() - r.at > this.ttlMs;
  }

  /** What is still outstanding (for logs and tests). */
  pending(key: string): { adds: number; deletions: string[] } | undefined {
    const r = this.records.get(key);
    return r ? { adds: Math.max(0, r.adds), deletions: [...r.deletions] } : undefined;
  }

  /** Forgets the key (its object was deleted; a new one of the same name starts clean). */
  delete(key: string): void {
    this.records.delete(key);
  }
}
