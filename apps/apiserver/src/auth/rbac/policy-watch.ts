import { Logger } from '@nestjs/common';
import { Subscription } from 'rxjs';
import type { ClusterRole, Scheme } from '@logbook/api';
import type { WatchCache } from '@logbook/event-store';
import type { ResourceStore } from '../../storage/resource-store';
import { PolicyCache } from './policy-cache';

export const RBAC_RESOURCES = ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'] as const;

/**
 * Keeps a PolicyCache current: lists the four RBAC kinds once, then follows
 * their events in the log from that point (every replica does this itself,
 * as it does for CRDs). `ready` resolves once the initial lists are in.
 */
export class PolicyWatch {
  private readonly log = new Logger('RBAC');
  private readonly subs: Subscription[] = [];

  constructor(
    private readonly scheme: Scheme,
    private readonly store: ResourceStore,
    private readonly cache: WatchCache,
    readonly policy: PolicyCache,
  ) {}

  async start(): Promise<void> {
    for (const resource of RBAC_RESOURCES) {
      const def = this.scheme.byGroupVersionResource('rbac.authorization.k8s.io', 'v1', resource)!;
      const { items, resourceVersion } = await this.store.list(def, {});
      for (const o of items) this.policy.apply(def.kind, o as unknown as ClusterRole, false);
      this.subs.push(
        this.cache.watch({ group: def.group, resource: def.resource, fromSeq: resourceVersion }).subscribe({
          next: (e) => this.policy.apply(def.kind, e.object as unknown as ClusterRole, e.type === 'DELETED'),
          error: (err) => this.log.error(`${resource} watch ended: ${err}`),
        }),
      );
    }
  }

  stop(): void {
    for (const s of this.subs.splice(0)) s.unsubscribe();
  }
}
