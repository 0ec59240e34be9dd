import type { ObjectMeta } from '@logbook/api';
import { customKind } from '@logbook/sdk';

/** A Website: a page (inline HTML or a git repository) served by `replicas` pods. */
export interface Website {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: { html?: string; gitRepo?: string; replicas?: number };
  status?: {
    availableReplicas?: number;
    url?: string;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string; observedGeneration?: number }>;
  };
}

export const websites = customKind<Website>({
  group: 'extensions.example.com',
  version: 'v1',
  kind: 'Website',
  plural: 'websites',
  namespaced: true,
});

/** The finalizer that lets the operator say goodbye before a Website goes. */
export const WEBSITE_FINALIZER = 'extensions.example.com/cleanup';
