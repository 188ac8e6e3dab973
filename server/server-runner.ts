import { join } from 'node:path';
import { ApiServer } from './api-server.js';
import { unionAuthenticator, type Authenticator } from './auth/authenticator.js';
import { denyAll, privilegedAuthorizer, type Authorizer } from './auth/authorizer.js';
import { createDelegatedSecurity } from './auth/delegated/delegated-security.js';
import { loadKubeConfig, NotInClusterError } from './auth/delegated/kube-client.js';
import { NamespaceLifecycle, type CreateAdmission } from './admission/namespace-lifecycle.js';
import type { HealthCheck } from './http/health.js';
import { parseCertificateBundle, x509Authenticator } from './auth/x509-authenticator.js';
import { startSecureServer, type RunningServer } from './http/secure-server.js';
import { openSslCipherList } from './options/cipher-suites.js';
import { FlagError } from './options/flag-parser.js';
import type { ServerFlags } from './options/server-flags.js';
import { ensureSelfSignedServing } from './pki/certificate-files.js';
import { servedResources } from './resources/index.js';
import { prepareStandalone } from './standalone/standalone-setup.js';
import { CachedStorage } from './storage/cacher/cached-storage.js';
import { openEtcdStorage } from './storage/etcd/etcd-storage.js';
import { openSqliteStorage } from './storage/sqlite-storage.js';
import type { Storage } from '../api/storage.js';
import type { Logger } from './util/logger.js';

export interface RunningApiServer {
  readonly api: ApiServer;
  readonly transport: RunningServer;
  readonly storage: Storage;
  readonly port: number;
  /** Set in standalone mode: the kubeconfig written for kubectl. */
  readonly kubeconfigPath?: string;
  /** Graceful shutdown: readiness fails, requests drain, watches end, storage closes. */
  shutdown(): Promise<void>;
}

/**
 * The backend the flags describe (etcd with --etcd-servers, else the embedded database in
 * --data-dir), behind the watch cache unless --watch-cache=false. Keys are laid out as
 * kube-apiserver lays them out: `<--etcd-prefix>/<group>/<plural>/<namespace>/<name>`.
 */
async function openStorage(flags: ServerFlags, log: Logger): Promise<{ storage: Storage; keyRoot: string }> {
  const useEtcd = flags.etcdServers.length > 0;
  const keyRoot = useEtcd ? flags.etcdPrefix.replace(/\/+$/, '') : '';
  const backend: Storage = useEtcd
    ? await openEtcdStorage({
        endpoints: flags.etcdServers,
        caFile: flags.etcdCafile || undefined,
        certFile: flags.etcdCertfile || undefined,
        keyFile: flags.etcdKeyfile || undefined,
        compactionIntervalMs: flags.etcdCompactionInterval,
        logger: log,
      })
    : await openSqliteStorage({ path: join(flags.dataDir, 'state.db') });
  if (!flags.watchCache) return { storage: backend, keyRoot };
  const prefixes = servedResources.map((r) => `${keyRoot}/${r.group}/${r.plural}/`);
  return { storage: new CachedStorage(backend, { prefixes, logger: log }), keyRoot };
}

function tlsMinVersion(flag: string): 'TLSv1.2' | 'TLSv1.3' {
  if (flag === 'VersionTLS12') return 'TLSv1.2';
  if (flag === 'VersionTLS13') return 'TLSv1.3';
  throw new FlagError(`--tls-min-version: unsupported value "${flag}": VersionTLS12 or VersionTLS13`);
}

interface Security {
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly certFile: string;
  readonly keyFile: string;
  readonly writeKubeconfig?: (port: number) => string;
  /** Health checks the security setup adds to /readyz (e.g. the delegated configuration was read). */
  readonly readyChecks?: readonly HealthCheck[];
  /** Admission of creates against the cluster's namespaces (delegated mode only). */
  readonly admission?: CreateAdmission;
  /** Stops what the security setup watches (ConfigMaps, CA files, namespaces). */
  close?(): Promise<void>;
}

/**
 * Namespace lifecycle admission needs the core cluster (--kubeconfig, else in-cluster). Without
 * one, objects may be created in any namespace, which is logged once.
 */
async function namespaceAdmission(flags: ServerFlags, log: Logger): Promise<NamespaceLifecycle | undefined> {
  let kubeConfig;
  try {
    kubeConfig = loadKubeConfig(flags.kubeconfig, { flagName: '--kubeconfig' });
  } catch (error) {
    if (flags.kubeconfig || !(error instanceof NotInClusterError)) throw error;
    log.info(0, 'no --kubeconfig and not in a cluster: namespaces are not checked on create');
    return undefined;
  }
  const lifecycle = new NamespaceLifecycle(kubeConfig, log);
  await lifecycle.start();
  return lifecycle;
}

async function prepareSecurity(flags: ServerFlags, log: Logger): Promise<Security> {
  const alwaysAllow = flags.authorizationAlwaysAllowPaths;
  if (flags.standalone) {
    const setup = await prepareStandalone(flags.dataDir, flags.bindAddress);
    const cas = parseCertificateBundle(setup.clientCaPem);
    return {
      authenticator: unionAuthenticator([x509Authenticator(() => cas)], true),
      authorizer: privilegedAuthorizer(alwaysAllow, denyAll),
      certFile: flags.tlsCertFile || setup.certFile,
      keyFile: flags.tlsPrivateKeyFile || setup.keyFile,
      writeKubeconfig: setup.writeKubeconfig,
    };
  }
  if (Boolean(flags.tlsCertFile) !== Boolean(flags.tlsPrivateKeyFile)) {
    throw new FlagError('--tls-cert-file and --tls-private-key-file must be given together');
  }
  const serving = flags.tlsCertFile
    ? { certFile: flags.tlsCertFile, keyFile: flags.tlsPrivateKeyFile }
    : await ensureSelfSignedServing(flags.certDir, ['localhost', '127.0.0.1']);
  const delegated = await createDelegatedSecurity(flags, log);
  const admission = await namespaceAdmission(flags, log).catch(async (error: unknown) => {
    await delegated.close();
    throw error;
  });
  return {
    authenticator: delegated.authenticator,
    authorizer: delegated.authorizer,
    readyChecks: [delegated.readyCheck],
    admission,
    close: async () => {
      await admission?.stop();
      await delegated.close();
    },
    ...serving,
  };
}

/** What an embedding program (or a test) may supply instead of what the flags describe. */
export interface RunOverrides {
  readonly storage?: Storage;
  readonly bookmarkIntervalMs?: number;
}

/** Builds and starts the whole server from parsed flags. */
export async function runServer(
  flags: ServerFlags,
  log: Logger,
  overrides: RunOverrides = {},
): Promise<RunningApiServer> {
  const minVersion = tlsMinVersion(flags.tlsMinVersion);
  const security = await prepareSecurity(flags, log);
  const { storage, keyRoot } = overrides.storage
    ? { storage: overrides.storage, keyRoot: '' }
    : await openStorage(flags, log);
  const api = new ApiServer({
    resources: servedResources,
    storage,
    keyRoot,
    authenticator: security.authenticator,
    authorizer: security.authorizer,
    log,
    maxRequestsInFlight: flags.maxRequestsInflight,
    maxMutatingRequestsInFlight: flags.maxMutatingRequestsInflight,
    requestTimeoutMs: flags.requestTimeout,
    minRequestTimeoutSeconds: flags.minRequestTimeout,
    bookmarkIntervalMs: overrides.bookmarkIntervalMs,
    readyChecks: security.readyChecks,
    admission: security.admission,
  });
  let transport: RunningServer;
  try {
    transport = await startSecureServer({
      bindAddress: flags.bindAddress,
      port: flags.securePort,
      certFile: security.certFile,
      keyFile: security.keyFile,
      minVersion,
      cipherSuites: openSslCipherList(flags.tlsCipherSuites),
      listener: api.listener,
      log,
    });
  } catch (error) {
    await security.close?.();
    await storage.close();
    throw error;
  }
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (shuttingDown ??= (async () => {
      log.info(0, 'shutting down', { delayMs: flags.shutdownDelayDuration });
      api.beginShutdown();
      await new Promise((resolve) => setTimeout(resolve, flags.shutdownDelayDuration));
      const closing = transport.close(flags.shutdownTimeout);
      api.abortAll('the server is shutting down');
      const deadline = Date.now() + flags.shutdownTimeout;
      while (api.inFlightCount > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      await closing;
      await security.close?.();
      await storage.close();
      log.info(0, 'shut down');
    })());
  const kubeconfigPath = security.writeKubeconfig?.(transport.port);
  if (kubeconfigPath) log.info(0, 'standalone mode: kubeconfig written', { kubeconfig: kubeconfigPath });
  return { api, transport, storage, port: transport.port, kubeconfigPath, shutdown };
}
