/**
 * The Pulumi component for aggregated API servers: `import { AggregatedApiServer } from
 * 'aggregated-apiserver/pulumi'`. The option types come from lib/core and are re-exported here.
 */
export * from './aggregated-apiserver.js';
export * from './args.js';
export * from './await-annotations.js';
export type { PulumiObjectByKind, PulumiObjects } from './kubernetes-children.js';
export type { ServingPki } from './serving-pki.js';
export {
  AggregatedApiServerConfigError,
  DEFAULT_ETCD_IMAGE,
  DEFAULT_IMAGE,
  OBJECT_ROLES,
  PACKAGE_VERSION,
  type AggregatedApiServerManifests,
  type CertManagerIssuerRef,
  type CertManagerTlsOptions,
  type ComputeResources,
  type DedicatedEtcdStorageOptions,
  type EmbeddedStorageOptions,
  type EtcdStorageOptions,
  type EtcdBackupOptions,
  type ExternalServerOptions,
  type AuditGroupResources,
  type AuditLevel,
  type AuditPolicy,
  type AuditPolicyRule,
  type AuditStage,
  type KeyReference,
  type MetricsOptions,
  type PolicyRuleOptions,
  type PrometheusOptions,
  type ResourceQuantities,
  type SelfManagedTlsOptions,
  type ServerSelfSignedTlsOptions,
  type StorageOptions,
  type TlsMaterial,
  type TolerationOptions,
} from '../core/index.js';
