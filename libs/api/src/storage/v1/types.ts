/**
 * storage.k8s.io/v1 StorageClass.
 */
import { ObjectMeta } from '../../meta/v1/types';
import { Nested, OneOf } from '../../validation/rules';

export const STORAGE_RECLAIM_POLICIES = ['Delete', 'Retain'] as const;
export const VOLUME_BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'] as const;

export interface TopologySelectorTerm {
  matchLabelExpressions?: { key: string; values: string[] }[];
}

export class StorageClass {
  apiVersion?: 'storage.k8s.io/v1';
  kind?: 'StorageClass';
  @Nested(() => ObjectMeta)
  metadata?: ObjectMeta;
  provisioner!: string;
  parameters?: Record<string, string>;
  @OneOf(STORAGE_RECLAIM_POLICIES)
  reclaimPolicy?: 'Delete' | 'Retain';
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
  @OneOf(VOLUME_BINDING_MODES)
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
  allowedTopologies?: TopologySelectorTerm[];
}
