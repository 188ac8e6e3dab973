/**
 * `aggregated-apiserver/server`: the server as a library. A server entry is a few lines:
 *
 * ```ts
 * import { runApiServer } from 'aggregated-apiserver/server';
 * import { widgets } from './widgets.js';
 *
 * await runApiServer({ resources: [widgets] });
 * ```
 *
 * It takes every generic apiserver flag (`--help`), delegated authentication and authorization,
 * TLS reload, embedded or etcd storage with the watch cache, health and metrics. The definition
 * API (`aggregated-apiserver/api`) is re-exported here too.
 */
export * from '../api/index.js';

export { runApiServer, type RunApiServerOptions } from './run-api-server.js';
export { startApiServer, type RunningApiServer, type ServeOptions } from './server-runner.js';
export { parseServerFlags, serverFlagSpecs, type ServerFlags } from './options/server-flags.js';
export { FlagError, flagTypes, type FlagSpec } from './options/flag-parser.js';
export { ApiServer, type ApiServerConfig, type ServedResource } from './api-server.js';
export { startSecureServer, type RunningServer, type SecureServerOptions } from './http/secure-server.js';

export type { Controller, ControllerContext } from './controllers/controller.js';
export {
  serverIdentity,
  type ClientListOptions,
  type ResourceClient,
  type ObjectSelection,
  type ClientWatchOptions,
} from './controllers/resource-client.js';
export type { DeleteOptions, StoreWatch, StoreWatchEvent } from './registry/store-types.js';
export { Informer, objectKey, type InformerHandler, type InformerOptions } from './controllers/informer.js';
export { WorkQueue } from './controllers/work-queue.js';
export { parseServeFlags, serveFlagSpecs, type ServeFlags } from './controllers/controller-flags.js';

export {
  MetricSnapshotCollector,
  type MetricSnapshotCollectorOptions,
} from './collector/metricsnapshot-collector.js';
export {
  MetricReadError,
  ReadFailure,
  type MetricSource,
  type MetricSourcePlugin,
  type ReadOptions,
  type SourceContext,
} from './collector/metric-source.js';
export {
  PrometheusSource,
  prometheusSource,
  type PrometheusSourceOptions,
} from './collector/sources/prometheus-source.js';

export type { AdmissionAttributes, AdmissionPlugin } from './admission/admission-plugin.js';
export { AdmissionChain } from './admission/admission-chain.js';
export { NamespaceLifecycle } from './admission/namespace-lifecycle.js';

export {
  AuthenticationError,
  anonymousUser,
  unionAuthenticator,
  type Authenticator,
} from './auth/authenticator.js';
export {
  denyAll,
  privilegedAuthorizer,
  type AuthorizationAttributes,
  type Authorizer,
  type Decision,
} from './auth/authorizer.js';
export { x509Authenticator, parseCertificateBundle } from './auth/x509-authenticator.js';
export {
  createDelegatedSecurity,
  type DelegatedSecurity,
  type DelegatedSecurityOptions,
} from './auth/delegated/delegated-security.js';

export { ApiError, errors, isApiError, type ResourceRef } from './api/errors.js';

export { MemoryStorage, type MemoryStorageOptions } from './storage/memory-storage.js';
export { openSqliteStorage, SqliteStorage, type SqliteStorageOptions } from './storage/sqlite-storage.js';
export { openEtcdStorage, EtcdStorage, type EtcdStorageOptions } from './storage/etcd/etcd-storage.js';
export { CachedStorage, type CachedStorageOptions } from './storage/cacher/cached-storage.js';
export {
  StorageEventLog,
  type CommittedChange,
  type StorageEventLogOptions,
} from './storage/storage-event-log.js';
export { compareKeys } from './storage/key-order.js';

export { createLogger, silentLogger, type Logger } from './util/logger.js';
