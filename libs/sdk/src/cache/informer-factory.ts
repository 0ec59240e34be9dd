import { KubeClient, KubeObject, kindKey, ResourceKind } from '../client';
import { InformerOptions, SharedInformer } from './shared-informer';

/** What distinguishes two informers of one kind. */
export interface InformerScope {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

const scopeKey = (kind: ResourceKind<unknown>, s: InformerScope) =>
  [kindKey(kind), s.namespace ?? '', s.labelSelector ?? '', s.fieldSelector ?? ''].join('|');

/**
 * One shared informer per kind (and scope) per factory: every controller
 * that watches Pods shares one list, one watch and one cache.
 *
 * Informers can be added and removed at run time (a CRD created or
 * deleted). Once the factory is started, new informers start at once.
 */
export class InformerFactory {
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private started = false;

  constructor(
    readonly client: KubeClient,
    private readonly defaults: Omit<InformerOptions, keyof InformerScope> = {},
  ) {}

  /** The shared informer of `kind` in `scope`, created (and started, if the factory runs) on first use. */
  informerFor<T extends KubeObject>(kind: ResourceKind<T>, scope: InformerScope = {}): SharedInformer<T> {
    const key = scopeKey(kind, scope);
    let informer = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!informer) {
      informer = new SharedInformer<T>(this.client, kind, { ...this.defaults, ...scope });
      this.informers.set(key, informer as unknown as SharedInformer<KubeObject>);
      if (this.started) informer.start();
    }
    return informer;
  }

  /** The informer of `kind` in `scope`, if there is one. */
  find<T extends KubeObject>(kind: ResourceKind<T>, scope: InformerScope = {}): SharedInformer<T> | undefined {
    return this.informers.get(scopeKey(kind, scope)) as SharedInformer<T> | undefined;
  }

  /** Stops and forgets an informer; its handlers' streams complete. Returns whether there was one. */
  async remove(kind: ResourceKind<unknown>, scope: InformerScope = {}): Promise<boolean> {
    const key = scopeKey(kind, scope);
    const informer = this.informers.get(key);
    if (!informer) return false;
    this.informers.delete(key);
    await informer.stop({ complete: true });
    return true;
  }

  all(): SharedInformer<KubeObject>[] {
    return [...this.informers.values()];
  }

  get isStarted(): boolean {
    return this.started;
  }

  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  /** Waits for every informer's first list; false if `timeoutMs` passes first. */
  async waitForSync(opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    const results = await Promise.all(this.all().map((i) => i.waitForSync(opts)));
    return results.every(Boolean);
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all(this.all().map((i) => i.stop({ complete: true })));
  }
}
