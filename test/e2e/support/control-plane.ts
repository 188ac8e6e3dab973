import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControllerManager, type RunningControllerManager } from './controller-manager.js';
import { startEtcd, type RunningEtcd } from './etcd.js';
import { request } from './http.js';
import { currentTestFileFailed } from './jest-state.js';
import { startKubeApiServer, type RunningKubeApiServer } from './kube-apiserver.js';
import { kubectl, runKubectl, type KubectlOptions, type KubectlResult } from './kubectl.js';
import { writeKubeconfig } from './kubeconfig.js';
import { createControlPlanePki, issueClientCertificate, type ControlPlanePki } from './pki.js';
import { ProcessGroup, type SupervisedProcess } from './processes.js';
import { waitFor } from './wait.js';

export { DEFAULT_CONTROLLERS } from './controller-manager.js';
export { SERVICE_ACCOUNT_ISSUER, SERVICE_CLUSTER_IP_RANGE } from './kube-apiserver.js';
export { request, type SimpleResponse, type TlsRequestOptions } from './http.js';
export { kubectl, runKubectl, type KubectlOptions, type KubectlResult } from './kubectl.js';
export { kubeconfigYaml, writeKubeconfig, type KubeconfigOptions } from './kubeconfig.js';
export {
  FRONT_PROXY_CLIENT_NAME,
  KUBERNETES_SERVICE_IP,
  type CertificateFiles,
  type ControlPlanePki,
  type ServiceAccountKeys,
} from './pki.js';
export { delay, FatalWaitError, waitFor } from './wait.js';

export interface ControlPlaneOptions {
  /** Extra kube-apiserver flags, after the harness's (for a repeated scalar flag the last wins). */
  readonly apiServerArgs?: readonly string[];
  /** Start kube-controller-manager (default true). */
  readonly controllerManager?: boolean;
  /** Controllers to run (default DEFAULT_CONTROLLERS). */
  readonly controllers?: readonly string[];
  /** Extra kube-controller-manager flags, after the harness's. */
  readonly controllerManagerArgs?: readonly string[];
  /** Budget for the whole start, etcd to default ServiceAccount (default 120 s). */
  readonly startupTimeoutMs?: number;
}

export interface ControlPlaneDirs {
  /** The temporary root of everything but the logs; removed by stop(). */
  readonly base: string;
  readonly pki: string;
  readonly etcdData: string;
  readonly kubeconfigs: string;
  /** Kept by stop() when a test of the file failed, removed otherwise. */
  readonly logs: string;
}

export interface StopOptions {
  /**
   * Keep the logs directory (and print its path). Default: keep when E2E_KEEP_LOGS=1 or when a
   * test or hook of the current jest test file has failed (or that cannot be told).
   */
  readonly keepLogs?: boolean;
}

export interface ControlPlane {
  /** kube-apiserver's URL, https://127.0.0.1:<port>. */
  readonly server: string;
  /** A kubeconfig for kubernetes-admin (client certificate in group system:masters). */
  readonly kubeconfigPath: string;
  /** etcd's client URL (plain HTTP on 127.0.0.1). */
  readonly etcdUrl: string;
  readonly dirs: ControlPlaneDirs;
  /** Same as dirs.logs: one `<process>.log` per process, first line is its command line. */
  readonly logsDir: string;
  readonly pki: ControlPlanePki;
  readonly processes: {
    readonly etcd: SupervisedProcess;
    readonly kubeApiServer: SupervisedProcess;
    readonly controllerManager?: SupervisedProcess;
  };
  /** The flags each component was started with. */
  readonly args: {
    readonly kubeApiServer: readonly string[];
    readonly controllerManager?: readonly string[];
  };
  /** Milliseconds each start phase took. */
  readonly timings: Readonly<Record<string, number>>;
  /**
   * Writes a kubeconfig for `user` in `groups` (client certificate signed by the cluster CA,
   * no RBAC bindings) and returns its path.
   */
  makeUserKubeconfig(user: string, groups?: readonly string[]): Promise<string>;
  /** Writes a kubeconfig that authenticates with a bearer token and returns its path. */
  makeTokenKubeconfig(name: string, token: string): string;
  /** kubectl as kubernetes-admin unless options.kubeconfig says otherwise. */
  kubectl(args: readonly string[], options?: Partial<KubectlOptions>): Promise<string>;
  /** Like kubectl(), but resolves with the exit code and output instead of throwing. */
  runKubectl(args: readonly string[], options?: Partial<KubectlOptions>): Promise<KubectlResult>;
  /** Stops every process (SIGTERM, then SIGKILL) and removes the temporary directories. */
  stop(options?: StopOptions): Promise<void>;
}

function keepLogsByDefault(): boolean {
  const env = process.env.E2E_KEEP_LOGS;
  if (env === '1' || env === 'true') return true;
  return currentTestFileFailed() ?? true;
}

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

/**
 * Starts etcd, kube-apiserver and kube-controller-manager on 127.0.0.1 with a full PKI, and
 * resolves once kube-apiserver is ready, the `default` namespace, the
 * kube-system/extension-apiserver-authentication ConfigMap and (with a controller manager)
 * the `default` ServiceAccount exist. On failure everything started is stopped, the logs are
 * kept and the error names them.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const started = Date.now();
  const deadline = started + (options.startupTimeoutMs ?? 120_000);
  const remaining = (): number => Math.max(1_000, deadline - Date.now());
  const base = mkdtempSync(join(tmpdir(), 'k8s-e2e-'));
  const logs = mkdtempSync(join(tmpdir(), 'k8s-e2e-logs-'));
  const dirs: ControlPlaneDirs = {
    base,
    pki: join(base, 'pki'),
    etcdData: join(base, 'etcd'),
    kubeconfigs: join(base, 'kubeconfigs'),
    logs,
  };
  mkdirSync(dirs.kubeconfigs, { mode: 0o700 });
  const group = new ProcessGroup(logs, base, [base]);
  const timings: Record<string, number> = {};
  const phase = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const result = await run();
    timings[name] = Date.now() - t;
    return result;
  };

  let pki: ControlPlanePki;
  let etcd: RunningEtcd;
  let apiServer: RunningKubeApiServer;
  let controllerManager: RunningControllerManager | undefined;
  let kubeconfigPath: string;
  try {
    pki = await phase('pki', () => createControlPlanePki(dirs.pki));
    etcd = await phase('etcd', () =>
      startEtcd(group, { dataDir: dirs.etcdData, startupTimeoutMs: remaining() }),
    );
    apiServer = await phase('kubeApiServer', () =>
      startKubeApiServer(group, {
        pki,
        etcdUrl: etcd.clientUrl,
        dir: join(base, 'kube-apiserver'),
        extraArgs: options.apiServerArgs,
        startupTimeoutMs: remaining(),
      }),
    );
    kubeconfigPath = writeKubeconfig(join(dirs.kubeconfigs, 'admin.kubeconfig'), {
      server: apiServer.url,
      caPem: pki.clusterCa.certPem,
      credentials: pki.admin,
      name: 'admin',
    });
    if (options.controllerManager ?? true) {
      controllerManager = await phase('controllerManager', () =>
        startControllerManager(group, {
          pki,
          server: apiServer.url,
          dir: join(base, 'kube-controller-manager'),
          controllers: options.controllers,
          extraArgs: options.controllerManagerArgs,
          startupTimeoutMs: remaining(),
        }),
      );
    }
    const tls = { ca: pki.clusterCa.certPem, cert: pki.admin.certPem, key: pki.admin.keyPem };
    const exists = async (path: string): Promise<boolean> => {
      for (const supervised of group.all) supervised.assertRunning();
      return (await request(`${apiServer.url}${path}`, tls)).status === 200;
    };
    await phase('bootstrapObjects', async () => {
      await waitFor(() => exists('/api/v1/namespaces/default'), 'the default namespace', remaining());
      await waitFor(
        () => exists('/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication'),
        'the kube-system/extension-apiserver-authentication ConfigMap',
        remaining(),
      );
      if (controllerManager) {
        await waitFor(
          () => exists('/api/v1/namespaces/default/serviceaccounts/default'),
          'the default ServiceAccount',
          remaining(),
        );
      }
    });
  } catch (error) {
    await group.stopAll();
    rmSync(base, { recursive: true, force: true });
    throw new Error(`the control plane did not start: ${(error as Error).message}\n(logs kept in ${logs})`, {
      cause: error,
    });
  }
  timings.total = Date.now() - started;

  let stopping: Promise<void> | undefined;
  let users = 0;
  const withDefaults = (overrides: Partial<KubectlOptions> = {}): KubectlOptions => ({
    ...overrides,
    kubeconfig: overrides.kubeconfig ?? kubeconfigPath,
  });

  return {
    server: apiServer.url,
    kubeconfigPath,
    etcdUrl: etcd.clientUrl,
    dirs,
    logsDir: logs,
    pki,
    processes: {
      etcd: etcd.process,
      kubeApiServer: apiServer.process,
      controllerManager: controllerManager?.process,
    },
    args: { kubeApiServer: apiServer.args, controllerManager: controllerManager?.args },
    timings,
    async makeUserKubeconfig(user, groups = []) {
      const pair = await issueClientCertificate(pki.clusterCa, user, groups);
      return writeKubeconfig(join(dirs.kubeconfigs, `user-${++users}-${sanitize(user)}.kubeconfig`), {
        server: apiServer.url,
        caPem: pki.clusterCa.certPem,
        credentials: pair,
        name: user,
      });
    },
    makeTokenKubeconfig(name, token) {
      return writeKubeconfig(join(dirs.kubeconfigs, `token-${++users}-${sanitize(name)}.kubeconfig`), {
        server: apiServer.url,
        caPem: pki.clusterCa.certPem,
        credentials: { token },
        name,
      });
    },
    kubectl: (args, overrides) => kubectl(args, withDefaults(overrides)),
    runKubectl: (args, overrides) => runKubectl(args, withDefaults(overrides)),
    stop(stopOptions = {}) {
      stopping ??= (async () => {
        await group.stopAll();
        rmSync(base, { recursive: true, force: true });
        if (stopOptions.keepLogs ?? keepLogsByDefault()) {
          console.warn(`control plane logs kept in ${logs}`);
        } else {
          rmSync(logs, { recursive: true, force: true });
        }
      })();
      return stopping;
    },
  };
}

/**
 * Starts a control plane in `beforeAll` and stops it in `afterAll` of the enclosing describe
 * block (or file); returns an accessor for it. Call it at describe time, not inside a hook.
 */
export function useControlPlane(options: ControlPlaneOptions = {}): () => ControlPlane {
  let current: ControlPlane | undefined;
  const budget = options.startupTimeoutMs ?? 120_000;
  beforeAll(async () => {
    current = await startControlPlane(options);
  }, budget + 15_000);
  afterAll(async () => {
    await current?.stop();
  }, 60_000);
  return () => {
    if (!current) throw new Error('the control plane is not running (did its beforeAll fail?)');
    return current;
  };
}
