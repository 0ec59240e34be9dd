/**
 * authentication.k8s.io/v1: SelfSubjectReview (`kubectl auth whoami`) and
 * TokenRequest (serviceaccounts/token).
 */
import { ObjectMeta } from '../../meta/v1/types';

export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export class SelfSubjectReview {
  apiVersion?: 'authentication.k8s.io/v1';
  kind?: 'SelfSubjectReview';
  metadata?: ObjectMeta;
  status?: { userInfo?: UserInfo };
}

export class TokenRequest {
  apiVersion?: 'authentication.k8s.io/v1';
  kind?: 'TokenRequest';
  metadata?: ObjectMeta;
  spec?: { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } };
  status?: { token: string; expirationTimestamp: string };
}
