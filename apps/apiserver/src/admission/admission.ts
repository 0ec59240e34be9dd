import type { ResourceDefinition } from '@logbook/api';
import type { UserInfo } from '../storage/context';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/** What an admission plugin sees of a write (kube's admission.Attributes). */
export interface AdmissionAttributes {
  operation: Operation;
  /** The resource, in its storage version. */
  def: ResourceDefinition;
  namespace: string;
  /** Empty on a create with generateName (the name is chosen later). */
  name: string;
  subresource: string;
  /** The incoming object (CREATE, UPDATE), in its storage version; mutating plugins change it in place. */
  object?: Obj;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: Obj;
  user: UserInfo;
  dryRun: boolean;
}

/**
 * One admission plugin. `admit` runs in the mutating phase (after
 * defaulting, before the kind's own validation) and may change
 * `attributes.object`; `validate` runs in the validating phase (after the
 * kind's validation, just before the write) and may only reject, by
 * throwing an ApiError. Either may be absent.
 */
export interface AdmissionPlugin {
  readonly name: string;
  admit?(a: AdmissionAttributes): void | Promise<void>;
  validate?(a: AdmissionAttributes): void | Promise<void>;
}

/**
 * The ordered admission chain every create, update and delete through the
 * API passes: all mutating steps in order, then (after the object is
 * validated) all validating steps in order. The first rejection wins and
 * nothing is written.
 */
export class AdmissionChain {
  private readonly plugins: AdmissionPlugin[] = [];

  constructor(plugins: readonly AdmissionPlugin[] = []) {
    for (const p of plugins) this.add(p);
  }

  /** Appends a plugin, or puts it before the one named `before`. */
  add(plugin: AdmissionPlugin, opts: { before?: string } = {}): void {
    const at = opts.before ? this.plugins.findIndex((p) => p.name === opts.before) : -1;
    if (at < 0) this.plugins.push(plugin);
    else this.plugins.splice(at, 0, plugin);
  }

  /** The plugins' names, in the order they run. */
  names(): string[] {
    return this.plugins.map((p) => p.name);
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.admit) await p.admit(a);
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.validate) await p.validate(a);
  }
}
