/**
 * coordination.k8s.io/v1 Lease: node heartbeats and leader election.
 */
import type { MicroTime } from '../../meta/v1/types';
import { ObjectMeta } from '../../meta/v1/types';
import { FieldRule, Int, Nested } from '../../validation/rules';

export class LeaseSpec {
  holderIdentity?: string;
  @Int()
  @FieldRule('leaseDuration', (v) => (typeof v === 'number' && v <= 0 ? [{ type: 'FieldValueInvalid', detail: 'must be greater than 0' }] : []))
  leaseDurationSeconds?: number;
  acquireTime?: MicroTime;
  renewTime?: MicroTime;
  @Int()
  @FieldRule('leaseTransitions', (v) =>
    typeof v === 'number' && v < 0 ? [{ type: 'FieldValueInvalid', detail: 'must be greater than or equal to 0' }] : [],
  )
  leaseTransitions?: number;
  strategy?: string;
  preferredHolder?: string;
}

export class Lease {
  apiVersion?: 'coordination.k8s.io/v1';
  kind?: 'Lease';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => LeaseSpec)
  spec?: LeaseSpec;
}
