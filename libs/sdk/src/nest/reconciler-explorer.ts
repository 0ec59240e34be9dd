import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ControllerConfigError, reconcilerOptionsOf } from '../controller';
import type { Reconciler } from '../controller/reconciler';
import { ControllerManager } from '../manager';

/**
 * Finds every provider of the application whose class carries
 * `@Reconciler(...)` — in any module — and adds it to the manager, once
 * all providers exist and before the manager starts.
 */
@Injectable()
export class ReconcilerExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly manager: ControllerManager,
  ) {}

  onModuleInit(): void {
    const seen = new Set<unknown>();
    for (const wrapper of this.discovery.getProviders()) {
      const { instance, metatype } = wrapper;
      if (!metatype || typeof metatype !== 'function' || !reconcilerOptionsOf(metatype)) continue;
      if (!wrapper.isDependencyTreeStatic()) {
        throw new ControllerConfigError(metatype.name, ['a reconciler must be a singleton provider (not request-scoped or transient)']);
      }
      if (!instance || seen.has(instance)) continue;
      seen.add(instance);
      this.manager.add(instance as Reconciler);
    }
  }
}
