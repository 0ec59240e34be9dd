/**
 * authorization.k8s.io/v1: questions to the authorizer, answered in the
 * response's status and never stored. SelfSubjectAccessReview is
 * `kubectl auth can-i`, SelfSubjectRulesReview is `kubectl auth can-i
 * --list`, SubjectAccessReview and LocalSubjectAccessReview ask on behalf
 * of someone else.
 */
import { ObjectMeta } from '../../meta/v1/types';

/** A request on a resource, as the authorizer sees it. */
export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

/** A request on a URL that is not a resource (`/healthz`, `/api`). */
export interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

export interface SelfSubjectAccessReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: NonResourceAttributes;
}

export interface SubjectAccessReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: NonResourceAttributes;
  user?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  uid?: string;
}

export interface SubjectAccessReviewStatus {
  allowed: boolean;
  /** Only set when an authorizer explicitly denies; RBAC never does. */
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

export class SelfSubjectAccessReview {
  apiVersion?: 'authorization.k8s.io/v1';
  kind?: 'SelfSubjectAccessReview';
  metadata?: ObjectMeta;
  spec!: SelfSubjectAccessReviewSpec;
  status?: SubjectAccessReviewStatus;
}

export class SubjectAccessReview {
  apiVersion?: 'authorization.k8s.io/v1';
  kind?: 'SubjectAccessReview';
  metadata?: ObjectMeta;
  spec!: SubjectAccessReviewSpec;
  status?: SubjectAccessReviewStatus;
}

export class LocalSubjectAccessReview {
  apiVersion?: 'authorization.k8s.io/v1';
  kind?: 'LocalSubjectAccessReview';
  metadata?: ObjectMeta;
  spec!: SubjectAccessReviewSpec;
  status?: SubjectAccessReviewStatus;
}

export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

export interface SubjectRulesReviewStatus {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
  evaluationError?: string;
}

export class SelfSubjectRulesReview {
  apiVersion?: 'authorization.k8s.io/v1';
  kind?: 'SelfSubjectRulesReview';
  metadata?: ObjectMeta;
  spec!: { namespace?: string };
  status?: SubjectRulesReviewStatus;
}
