import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDeclarativeResources } from '../api/declarative-resources.js';
import type { ResourceDefinition } from '../api/resource-definition.js';
import type { Storage } from '../api/storage.js';
import { storageKey } from '../api/storage-key.js';
import { AdmissionChain } from './admission/admission-chain.js';
import type { AdmissionPlugin } from './admission/admission-plugin.js';
import { recommendedAdmissionPlugins, recommendedPluginOrder } from './admission/recommended-plugins.js';
import { ApiServer, type ServedResource } from './api-server.js';
import { auditSettings } from './options/audit-settings.js';
import { createAuditor } from './audit/auditor.js';
import { unionAuthenticator, type Authenticator } from './auth/authenticator.js';
import { bearerTokenRejection } from './auth/bearer-token-rejection.js';
import { denyAll, privilegedAuthorizer, type Authorizer } from './auth/authorizer.js';
import type { Controller } from './controllers/controller.js';
import type { ControllerManager } from './controllers/controller-manager.js';
import { prepareControllers } from './controllers/prepare-controllers.js';
import { createDelegatedSecurity } from './auth/delegated/delegated-security.js';
import { loadKubeConfig, NotInClusterError } from './auth/delegated/kube-client.js';
import { parseCertificateBundle, x509Authenticator } from './auth/x509-authenticator.js';
import type { HealthCheck } from './http/health.js';
import { startSecureServer, type RunningServer } from './http/secure-server.js';
import { openSslCipherList } from './options/cipher-suites.js';
import { FlagError } from './options/flag-parser.js';
import type { ServerFlags } from './options/server-flags.js';
import { ensureSelfSignedServing } from './pki/certificate-files.js';
import { selfManagedServing } from './pki/self-managed/index.js';
import { prepareStandalone } from './standalone/standalone-setup.js';
import type { Logger } from './util/logger.js';

export interface RunningApiServer {
  readonly api: ApiServer;
  readonly transport: RunningServer;
  /** Every storage the server opened: the flags' backend and the resources' own. */
  readonly storages: readonly Storage[];
  readonly port: number;
  /** Set in standalone mode: the kubeconfig written for kubectl. */
  readonly kubeconfigPath?: string;
  /** Graceful shutdown: readiness fails, requests drain, watches end, storage closes. */
  shutdown(): Promise<void>;
}

/** What a server serves and runs, beyond what its flags say. */
export interface ServeOptions {
  /** The resources to serve (declarative ones from `--resource-definitions` are added). */
  readonly resources: readonly ResourceDefinition[];
  /**
   * Admission plugins, run after the built-in NamespaceLifecycle (when a cluster is reachable);
   * `--disable-admission-plugins` turns any of them off by name.
   * @default []
   */
  readonly admission?: readonly AdmissionPlugin[];
  /**
   * One storage for every resource instead of what the flags and the definitions say (tests,
   * embedding). The server does not close it.
   * @default - the flags' backend, and each definition's own storage
   */
  readonly storage?: Storage;
  /** How often watches that allow bookmarks get one. @default 60000 */
  readonly bookmarkIntervalMs?: number;
  /**
   * Background work over the served resources, run by the replica that holds the leader Lease
   * (see Controller); their flags are parsed with the server's (see parseServeFlags).
   * @default []
   */
  readonly controllers?: readonly Controller[];
}

/**
 * The backend the flags describe (etcd with --etcd-servers, else the embedded database in
 * --data-dir), behind the watch cache for the resources it holds unless --watch-cache=false.
 * Loaded on first use, so a server whose resources all bring their own storage needs neither.
 */
async function openBackend(
  flags: ServerFlags,
  log: Logger,
  resources: readonly ResourceDefinition[],
): Promise<{ storage: Storage; keyRoot: string }> {
  const useEtcd = flags.etcdServers.length > 0;
  const keyRoot = useEtcd ? flags.etcdPrefix.replace(/\/+$/, '') : '';
  let backend: Storage;
  if (useEtcd) {
    const { openEtcdStorage } = await import('./storage/etcd/etcd-storage.js');
    backend = await openEtcdStorage({
      endpoints: flags.etcdServers,
      caFile: flags.etcdCafile || undefined,
      certFile: flags.etcdCertfile || undefined,
      keyFile: flags.etcdKeyfile || undefined,
      compactionIntervalMs: flags.etcdCompactionInterval,
      logger: log,
    });
  } else {
    const { openSqliteStorage } = await import('./storage/sqlite-storage.js');
    backend = await openSqliteStorage({ path: join(flags.dataDir, 'state.db') });
  }
  if (!flags.watchCache) return { storage: backend, keyRoot };
  const { CachedStorage } = await import('./storage/cacher/cached-storage.js');
  const prefixes = resources.map((r) => storageKey({ root: keyRoot, group: r.group, plural: r.plural }));
  return { storage: new CachedStorage(backend, { prefixes, logger: log }), keyRoot };
}

/** Each resource with its storage: its own when it has one, else the flags' backend. */
async function openStorages(
  flags: ServerFlags,
  log: Logger,
  resources: readonly ResourceDefinition[],
  shared: Storage | undefined,
): Promise<{ served: ServedResource[]; opened: Storage[] }> {
  if (shared) return { served: resources.map((definition) => ({ definition, storage: shared })), opened: [] };
  const opened: Storage[] = [];
  try {
    const onBackend = resources.filter((r) => !r.storage);
    const backend = onBackend.length > 0 ? await openBackend(flags, log, onBackend) : undefined;
    if (backend) opened.push(backend.storage);
    const served: ServedResource[] = [];
    for (const definition of resources) {
      if (!definition.storage) {
        served.push({ definition, storage: backend!.storage, keyRoot: backend!.keyRoot });
        continue;
      }
      const keyPrefix = storageKey({ root: '', group: definition.group, plural: definition.plural });
      const storage = await definition.storage({ dataDir: flags.dataDir, keyPrefix });
      opened.push(storage);
      served.push({ definition, storage });
    }
    return { served, opened };
  } catch (error) {
    await Promise.allSettled(opened.map((s) => s.close()));
    throw error;
  }
}

/** The resources given in code plus the declarative ones the flags name; a name served twice is an error. */
function resourcesToServe(
  flags: ServerFlags,
  resources: readonly ResourceDefinition[],
): ResourceDefinition[] {
  const all = [...resources];
  for (const file of flags.resourceDefinitions) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new FlagError(`--resource-definitions: cannot read ${file}: ${(error as Error).message}`);
    }
    all.push(...loadDeclarativeResources(text, file));
  }
  const byName = new Map<string, ResourceDefinition>();
  for (const r of all) {
    const name = `${r.plural}.${r.group}`;
    if (byName.has(name)) throw new FlagError(`the resource ${name} is defined more than once`);
    byName.set(name, r);
  }
  const unknown = flags.resources.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    const known = [...byName.keys()].join(', ') || 'none';
    throw new FlagError(`--resources: ${unknown.join(', ')} not defined; this server knows ${known}`);
  }
  const chosen = flags.resources;
  const served = chosen.length > 0 ? all.filter((r) => chosen.includes(`${r.plural}.${r.group}`)) : all;
  if (served.length === 0)
    throw new FlagError('no resources to serve: pass resource definitions or --resource-definitions');
  return served;
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
  /** Stops what the security setup watches (ConfigMaps, CA files). */
  close?(): Promise<void>;
}

/**
 * The built-in admission plugins (NamespaceLifecycle, the cluster's webhooks and policies) need
 * the core cluster (--kubeconfig, else in-cluster); without one, none runs, which is logged once.
 */
function builtInAdmission(flags: ServerFlags, log: Logger): AdmissionPlugin[] {
  if (flags.standalone) return [];
  try {
    return recommendedAdmissionPlugins(loadKubeConfig(flags.kubeconfig, { flagName: '--kubeconfig' }), log);
  } catch (error) {
    if (flags.kubeconfig || !(error instanceof NotInClusterError)) throw error;
    log.info(
      0,
      'no --kubeconfig and not in a cluster: no admission webhooks or policies, namespaces not checked',
    );
    return [];
  }
}

function admissionChain(
  flags: ServerFlags,
  log: Logger,
  plugins: readonly AdmissionPlugin[],
): AdmissionChain {
  const all = [...builtInAdmission(flags, log), ...plugins];
  // The built-in names are known even where the plugins do not run (standalone), as in kube.
  const names = new Set([...recommendedPluginOrder, ...all.map((p) => p.name)]);
  const unknown = flags.disableAdmissionPlugins.filter((name) => !names.has(name));
  if (unknown.length > 0) {
    throw new FlagError(
      `--disable-admission-plugins: unknown plugin ${unknown.join(', ')}; known: ${[...names].join(', ') || 'none'}`,
    );
  }
  return new AdmissionChain(all.filter((p) => !flags.disableAdmissionPlugins.includes(p.name)));
}

async function prepareSecurity(flags: ServerFlags, log: Logger): Promise<Security> {
  const alwaysAllow = flags.authorizationAlwaysAllowPaths;
  if (flags.standalone) {
    const setup = await prepareStandalone(flags.dataDir, flags.bindAddress);
    const cas = parseCertificateBundle(setup.clientCaPem);
    return {
      authenticator: unionAuthenticator([x509Authenticator(() => cas), bearerTokenRejection()], true),
      authorizer: privilegedAuthorizer(alwaysAllow, denyAll),
      certFile: flags.tlsCertFile || setup.certFile,
      keyFile: flags.tlsPrivateKeyFile || setup.keyFile,
      writeKubeconfig: setup.writeKubeconfig,
    };
  }
  if (Boolean(flags.tlsCertFile) !== Boolean(flags.tlsPrivateKeyFile)) {
    throw new FlagError('--tls-cert-file and --tls-private-key-file must be given together');
  }
  const selfManaged = await selfManagedServing(flags, log);
  const serving = flags.tlsCertFile
    ? { certFile: flags.tlsCertFile, keyFile: flags.tlsPrivateKeyFile }
    : (selfManaged ?? (await ensureSelfSignedServing(flags.certDir, ['localhost', '127.0.0.1'])));
  const delegated = await createDelegatedSecurity(flags, log).catch(async (error: unknown) => {
    await selfManaged?.close();
    throw error;
  });
  return {
    authenticator: delegated.authenticator,
    authorizer: delegated.authorizer,
    readyChecks: [delegated.readyCheck],
    close: async () => {
      await selfManaged?.close();
      await delegated.close();
    },
    certFile: serving.certFile,
    keyFile: serving.keyFile,
  };
}

/**
 * Builds and starts the whole server from parsed flags: delegated (or standalone) security,
 * storage per resource, admission, the API and its transport. For embedding and tests;
 * `runApiServer` is the main of a server entry.
 */
export async function startApiServer(
  flags: ServerFlags,
  log: Logger,
  options: ServeOptions,
): Promise<RunningApiServer> {
  const minVersion = tlsMinVersion(flags.tlsMinVersion);
  const resources = resourcesToServe(flags, options.resources);
  const controllers = options.controllers ?? [];
  const admission = admissionChain(flags, log, [
    ...(options.admission ?? []),
    ...controllers.flatMap((c) => c.admission ?? []),
  ]);
  const auditor = createAuditor(auditSettings(flags), log);
  const security = await prepareSecurity(flags, log);
  const cleanups: (() => Promise<void>)[] = [async () => auditor?.close(), async () => security.close?.()];
  const cleanUp = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  let api: ApiServer;
  let transport: RunningServer;
  let opened: Storage[];
  let manager: ControllerManager | undefined;
  try {
    await admission.start();
    cleanups.push(() => admission.stop());
    const storages = await openStorages(flags, log, resources, options.storage);
    opened = storages.opened;
    cleanups.push(async () => {
      await Promise.all(opened.map((s) => s.close()));
    });
    api = new ApiServer({
      resources: storages.served,
      authenticator: security.authenticator,
      authorizer: security.authorizer,
      log,
      maxRequestsInFlight: flags.maxRequestsInflight,
      maxMutatingRequestsInFlight: flags.maxMutatingRequestsInflight,
      requestTimeoutMs: flags.requestTimeout,
      minRequestTimeoutSeconds: flags.minRequestTimeout,
      bookmarkIntervalMs: options.bookmarkIntervalMs,
      readyChecks: security.readyChecks,
      admission,
      auditor,
      garbageCollector: !flags.standalone,
    });
    const prepared = await prepareControllers({
      flags,
      log,
      controllers,
      stores: api.stores,
      registry: api.metrics.registry,
    });
    manager = prepared;
    if (prepared) cleanups.push(() => prepared.stop());
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
    await cleanUp();
    throw error;
  }
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (shuttingDown ??= (async () => {
      log.info(0, 'shutting down', { delayMs: flags.shutdownDelayDuration });
      // Controllers first: the Lease is released at once, so another replica takes over.
      await manager?.stop();
      api.beginShutdown();
      await new Promise((resolve) => setTimeout(resolve, flags.shutdownDelayDuration));
      const closing = transport.close(flags.shutdownTimeout);
      api.abortAll('the server is shutting down');
      const deadline = Date.now() + flags.shutdownTimeout;
      while (api.inFlightCount > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      await closing;
      await cleanUp();
      log.info(0, 'shut down');
    })());
  manager?.start();
  const kubeconfigPath = security.writeKubeconfig?.(transport.port);
  if (kubeconfigPath) log.info(0, 'standalone mode: kubeconfig written', { kubeconfig: kubeconfigPath });
  return { api, transport, storages: opened, port: transport.port, kubeconfigPath, shutdown };
}
