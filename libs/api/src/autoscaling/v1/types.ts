/**
 * autoscaling/v1 Scale: the body of every `<resource>/scale` subresource.
 */
import { ObjectMeta } from '../../meta/v1/types';
import { Int, Nested, NonNegative } from '../../validation/rules';

export class ScaleSpec {
  @Int()
  @NonNegative()
  replicas?: number;
}

export class ScaleStatus {
  replicas!: number;
  /** The label selector in its string form (`app=kubia`). */
  selector?: string;
}

export class Scale {
  apiVersion?: 'autoscaling/v1';
  kind?: 'Scale';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  @Nested(() => ScaleSpec)
  spec?: ScaleSpec;
  status?: ScaleStatus;
}
