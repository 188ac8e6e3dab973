/**
 * cdk8s constructs for aggregated API servers: `import { AggregatedApiServer } from
 * 'aggregated-apiserver/cdk8s'`. The option types come from lib/core and are re-exported here.
 */
export * from './aggregated-apiserver.js';
export * from './app-directory.js';
export * from './key-store.js';
export * from './props.js';
export { defaultKeyStoreDir } from './serving-material.js';
export * from './synth-time-pki.js';
export {
  AggregatedApiServerConfigError,
  DEFAULT_ETCD_IMAGE,
  DEFAULT_IMAGE,
  OBJECT_ROLES,
  PACKAGE_VERSION,
  type AggregatedApiServerConfig,
  type AggregatedApiServerManifests,
  type AggregatedApiServerOptions,
  type CaOptions,
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
  type GeneratedTlsOptions,
  type PolicyRuleOptions,
  type PrometheusOptions,
  type ProvidedTlsOptions,
  type ResourceQuantities,
  type SelfManagedTlsOptions,
  type ServerSelfSignedTlsOptions,
  type StorageOptions,
  type TlsMaterial,
  type TlsOptions,
  type TolerationOptions,
} from '../core/index.js';
