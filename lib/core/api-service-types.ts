import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

/** `apiregistration.k8s.io/v1` APIService (kube-aggregator's type; kubernetes-types lacks it). */
export interface APIService {
  apiVersion?: 'apiregistration.k8s.io/v1';
  kind?: 'APIService';
  metadata?: ObjectMeta;
  spec?: APIServiceSpec;
}

/** Where the aggregator proxies a group/version, and how it trusts the server. */
export interface APIServiceSpec {
  /** The API group name. */
  group?: string;
  /** The API version. */
  version?: string;
  /** Priority of the group among all groups, 1..20000. */
  groupPriorityMinimum: number;
  /** Priority of the version within its group, 1..1000. */
  versionPriority: number;
  /** The Service the aggregator dials; none for a version the kube-apiserver serves itself. */
  service?: { name?: string; namespace?: string; port?: number };
  /** PEM CA bundle (base64 in JSON) that verifies the server's certificate. */
  caBundle?: string;
  /** Skip verification of the server's certificate (development only). */
  insecureSkipTLSVerify?: boolean;
}
