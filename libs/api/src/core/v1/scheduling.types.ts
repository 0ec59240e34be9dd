/**
 * core/v1 scheduling constraints: node selectors, affinity, tolerations,
 * topology spread.
 */
import { LabelSelector } from '../../meta/v1/types';
import { FieldRule, Int, Nested, OneOf, QualifiedName, Required } from '../../validation/rules';

export const NODE_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] as const;
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
export const TOLERATION_OPERATORS = ['Equal', 'Exists'] as const;

export class NodeSelectorRequirement {
  @Required()
  @QualifiedName()
  key!: string;
  @Required()
  @OneOf(NODE_SELECTOR_OPERATORS)
  operator!: (typeof NODE_SELECTOR_OPERATORS)[number];
  values?: string[];
}

export class NodeSelectorTerm {
  @Nested(() => NodeSelectorRequirement)
  matchExpressions?: NodeSelectorRequirement[];
  @Nested(() => NodeSelectorRequirement)
  matchFields?: NodeSelectorRequirement[];
}

export class NodeSelector {
  @Required()
  @Nested(() => NodeSelectorTerm, { required: true })
  nodeSelectorTerms!: NodeSelectorTerm[];
}

export class PreferredSchedulingTerm {
  @Int()
  @FieldRule('weight', (v) => (typeof v === 'number' && (v < 1 || v > 100) ? [{ type: 'FieldValueInvalid', detail: 'must be in the range 1-100' }] : []))
  weight!: number;
  @Nested(() => NodeSelectorTerm)
  preference!: NodeSelectorTerm;
}

export class NodeAffinity {
  @Nested(() => NodeSelector)
  requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
  @Nested(() => PreferredSchedulingTerm)
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[];
}

export class PodAffinityTerm {
  @Nested(() => LabelSelector)
  labelSelector?: LabelSelector;
  namespaces?: string[];
  @Required()
  @QualifiedName()
  topologyKey!: string;
  @Nested(() => LabelSelector)
  namespaceSelector?: LabelSelector;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
}

export class WeightedPodAffinityTerm {
  @Int()
  @FieldRule('weight', (v) => (typeof v === 'number' && (v < 1 || v > 100) ? [{ type: 'FieldValueInvalid', detail: 'must be in the range 1-100' }] : []))
  weight!: number;
  @Nested(() => PodAffinityTerm)
  podAffinityTerm!: PodAffinityTerm;
}

export class PodAffinity {
  @Nested(() => PodAffinityTerm)
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  @Nested(() => WeightedPodAffinityTerm)
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}

export class Affinity {
  @Nested(() => NodeAffinity)
  nodeAffinity?: NodeAffinity;
  @Nested(() => PodAffinity)
  podAffinity?: PodAffinity;
  @Nested(() => PodAffinity)
  podAntiAffinity?: PodAffinity;
}

export class Toleration {
  @QualifiedName()
  key?: string;
  @OneOf(TOLERATION_OPERATORS)
  operator?: 'Equal' | 'Exists';
  value?: string;
  @OneOf(TAINT_EFFECTS)
  effect?: (typeof TAINT_EFFECTS)[number];
  @Int()
  tolerationSeconds?: number;
}

export class TopologySpreadConstraint {
  @Int()
  @FieldRule('maxSkew', (v) => (typeof v === 'number' && v <= 0 ? [{ type: 'FieldValueInvalid', detail: 'must be greater than zero' }] : []))
  maxSkew!: number;
  @Required()
  @QualifiedName()
  topologyKey!: string;
  @Required()
  @OneOf(['DoNotSchedule', 'ScheduleAnyway'])
  whenUnsatisfiable!: 'DoNotSchedule' | 'ScheduleAnyway';
  @Nested(() => LabelSelector)
  labelSelector?: LabelSelector;
  minDomains?: number;
  nodeAffinityPolicy?: 'Honor' | 'Ignore';
  nodeTaintsPolicy?: 'Honor' | 'Ignore';
  matchLabelKeys?: string[];
}
