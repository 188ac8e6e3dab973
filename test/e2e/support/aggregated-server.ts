import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { seedServerOptions } from '../../../apps/seed/seed-options.js';
import {
  deploymentEnvironment,
  type DeploymentEnvironment,
  type ExampleTlsMode,
} from '../../../apps/support/deployment-environment.js';
import {
  type AggregatedApiServerOptions,
  RESOURCE_DEFINITIONS_KEY,
  resolveConfig,
  serverArgs,
  tlsArgs,
} from '../../../lib/core/index.js';
import type { ControlPlane } from './control-plane.js';
import { freePorts } from '../../support/ports.js';
import { ProcessGroup, type SupervisedProcess } from './processes.js';
import { request, type SimpleResponse } from './http.js';
import { TcpFailover } from './tcp-failover.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

/** Which program renders the manifests: the cdk8s app or the Pulumi program under mocks. */
export type ManifestSource = 'cdk8s' | 'pulumi';

interface KubeDocument {
  apiVersion: string;
  kind: string;
  type?: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
  spec?: { caBundle?: string };
}

/** How the deployed server got its certificate: rendered into the manifests, or made by itself. */
export type ServingMode = 'generated' | 'self-managed';

/**
 * How fast a self-managed server rotates here: each half of a CA rotation lasts a few syncs, so a
 * forced rotation runs through in seconds (the defaults are 10m and 1m).
 */
export const E2E_ROTATION = { overlap: '8s', syncPeriod: '2s' } as const;

/**
 * An example deployment of apps/: the programs that render it, and the server entry that serves
 * what it deploys.
 */
export interface ExampleApp {
  /** Names the processes and the temporary directory. */
  readonly name: string;
  /** The program of each tool that renders the manifests into an output directory. */
  readonly renderers: Partial<Record<ManifestSource, string>>;
  /** The construct options the programs render for an environment. */
  readonly options: (
    environment: DeploymentEnvironment,
    defaultTlsMode: ExampleTlsMode,
  ) => AggregatedApiServerOptions;
  /** The server entry the process runs (relative to the repository). */
  readonly entry: string;
}

/** The seed system: MetricSnapshot on the stock server (apps/cdk8s, apps/pulumi). */
export const SEED_APP: ExampleApp = {
  name: 'aggregated-apiserver',
  renderers: { cdk8s: 'apps/cdk8s/main.ts', pulumi: 'apps/pulumi/render-manifests.ts' },
  options: seedServerOptions,
  entry: 'server/main.ts',
};

/** The default serving certificate mode of each tool's programs. */
const DEFAULT_TLS_MODE: Record<ManifestSource, ExampleTlsMode> = {
  cdk8s: 'self-managed',
  pulumi: 'generated',
};

/** How the server runs beside what the manifests say. */
export interface DeployOptions {
  /** What is deployed. @default SEED_APP */
  readonly app?: ExampleApp;
  /**
   * Server processes behind one address, as the replicas of a Deployment behind its Service (a
   * TCP front that skips replicas that are down). More than one needs shared storage: pass
   * `--etcd-servers` in `args`.
   * @default 1
   */
  readonly replicas?: number;
  /** More server flags. @default [] */
  readonly args?: readonly string[];
}

export interface AggregatedServer {
  readonly port: number;
  readonly url: string;
  readonly servingMode: ServingMode;
  /** The CA bundle the APIServices trust now (their caBundle), which covers the serving certificate. */
  servingCa(): Promise<string>;
  readonly manifests: readonly KubeDocument[];
  readonly process: SupervisedProcess;
  /** Every replica's process (the first is `process`). */
  readonly replicas: readonly SupervisedProcess[];
  /** A request straight to the server's port, bypassing the aggregator. */
  direct(
    path: string,
    options?: { cert?: string; key?: string; headers?: Record<string, string> },
  ): Promise<SimpleResponse>;
  /** A request straight to one replica, bypassing the aggregator and the front. */
  directTo(
    replica: number,
    path: string,
    options?: { cert?: string; key?: string; headers?: Record<string, string> },
  ): Promise<SimpleResponse>;
  stop(): Promise<void>;
}

/** The environment the example programs render with, for a server at 127.0.0.1:<port>. */
function renderEnv(dir: string, outDir: string, port: number): Record<string, string | undefined> {
  return {
    ...process.env,
    CDK8S_OUTDIR: outDir,
    AGGREGATED_APISERVER_EXTERNAL_ADDRESS: `127.0.0.1:${port}`,
    AGGREGATED_APISERVER_PKI_DIR: join(dir, 'pki'),
  };
}

/** What lib/core decides for the options the app's programs render for a server at 127.0.0.1:<port>. */
function renderedConfig(app: ExampleApp, source: ManifestSource, dir: string, port: number) {
  const env = renderEnv(dir, join(dir, 'manifests'), port);
  return resolveConfig(app.options(deploymentEnvironment(env), DEFAULT_TLS_MODE[source]));
}

/**
 * The serving flags of a self-managed server: what lib/core renders into the Deployment for the
 * same options (the cert dir is a temporary one here, and rotations are fast).
 */
function selfManagedArgs(app: ExampleApp, dir: string, port: number): string[] {
  const config = renderedConfig(app, 'cdk8s', dir, port);
  return [
    ...tlsArgs(config).filter(
      (arg) => !arg.startsWith('--cert-dir=') && !arg.startsWith('--self-managed-tls-rotation-overlap='),
    ),
    `--cert-dir=${join(dir, 'cert-dir')}`,
    `--self-managed-tls-rotation-overlap=${E2E_ROTATION.overlap}`,
    `--self-managed-tls-sync-period=${E2E_ROTATION.syncPeriod}`,
  ];
}

/**
 * What the server serves, as the flags lib/core renders into the Deployment: `--resources`, a
 * stock image's controllers turned off, and `--resource-definitions` naming a local copy of the
 * rendered ConfigMap's file.
 */
function resourceArgs(
  app: ExampleApp,
  source: ManifestSource,
  dir: string,
  port: number,
  manifests: readonly KubeDocument[],
): string[] {
  const rendered = serverArgs(renderedConfig(app, source, dir, port));
  const args = rendered.filter((a) => a.startsWith('--resources=') || a.startsWith('--controllers='));
  if (rendered.some((a) => a.startsWith('--resource-definitions='))) {
    const configMap = manifests.find((m) => m.kind === 'ConfigMap' && m.data?.[RESOURCE_DEFINITIONS_KEY]);
    if (!configMap?.data)
      throw new Error(`the ${source} manifests lack the ConfigMap the server's flags name`);
    const file = join(dir, 'resource-definitions', RESOURCE_DEFINITIONS_KEY);
    mkdirSync(join(dir, 'resource-definitions'), { recursive: true });
    writeFileSync(file, configMap.data[RESOURCE_DEFINITIONS_KEY]);
    args.push(`--resource-definitions=${file}`);
  }
  return args;
}

/** Renders the app for a server at 127.0.0.1:<port>, and returns the YAML files in apply order. */
async function renderManifests(
  app: ExampleApp,
  source: ManifestSource,
  dir: string,
  port: number,
): Promise<string[]> {
  const renderer = app.renderers[source];
  if (!renderer) throw new Error(`${app.name} has no ${source} program`);
  const outDir = join(dir, 'manifests');
  mkdirSync(outDir, { recursive: true });
  const env = renderEnv(dir, outDir, port);
  await run(process.execPath, ['--import', 'tsx', renderer, outDir], {
    env,
    cwd: process.cwd(),
    timeout: 120_000,
  });
  return readdirSync(outDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(outDir, f));
}

/**
 * Deploys an example (the seed system unless `options.app` says otherwise) the way a user would,
 * except that no kubelet runs pods: the
 * rendered manifests are applied to the control plane, and the app's server entry runs as a local
 * process with the token of the rendered ServiceAccount and the flags lib/core renders for what it
 * serves, so the RBAC and the resources the construct generates are exactly
 * what is exercised, and with the serving certificate from the rendered Secret (generated TLS)
 * or the flags lib/core renders for self-managed TLS (the server then makes the certificate,
 * fills the Secret and sets the caBundles itself). The
 * Service is an ExternalName `localhost`, which the aggregator dials with ServerName
 * `<service>.<namespace>.svc` and verifies against the APIService caBundle.
 */
export async function deployAggregatedServer(
  cp: ControlPlane,
  source: ManifestSource,
  options: DeployOptions = {},
): Promise<AggregatedServer> {
  const app = options.app ?? SEED_APP;
  const dir = mkdtempSync(join(tmpdir(), `${app.name}-${source}-`));
  const replicaCount = options.replicas ?? 1;
  const [port, ...replicaPorts] = await freePorts(replicaCount > 1 ? replicaCount + 1 : 1);
  const ports = replicaCount > 1 ? replicaPorts : [port];
  const files = await renderManifests(app, source, dir, port);
  const manifests = files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8'))
      .map((d) => d.toJSON() as KubeDocument)
      .filter(Boolean),
  );
  for (const file of files) await cp.kubectl(['apply', '-f', file]);

  // The Lease the constructs grant the server RBAC on, as their Deployment's flags name it.
  const leaseRole = manifests.find((m) => m.kind === 'Role' && JSON.stringify(m).includes('"leases"'));
  const leaseRule = (leaseRole as { rules?: { resourceNames?: string[] }[] } | undefined)?.rules?.find(
    (r) => r.resourceNames,
  );
  const leaderElection = leaseRule?.resourceNames?.[0]
    ? [
        `--leader-elect-resource-name=${leaseRule.resourceNames[0]}`,
        `--leader-elect-resource-namespace=${leaseRole?.metadata.namespace ?? ''}`,
      ]
    : [];
  const secret = manifests.find((m) => m.kind === 'Secret');
  const apiService = manifests.find((m) => m.kind === 'APIService');
  const serviceAccount = manifests.find((m) => m.kind === 'ServiceAccount');
  if (!secret || !apiService || !serviceAccount) {
    throw new Error(`the ${source} manifests lack the serving Secret, an APIService or a ServiceAccount`);
  }
  const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
  // Generated TLS renders the serving pair into the Secret and the CA into the caBundle;
  // self-managed renders neither (and the server fills both).
  const servingMode: ServingMode = secret.type === 'kubernetes.io/tls' ? 'generated' : 'self-managed';
  let servingArgs: (replica: number) => string[];
  if (servingMode === 'generated') {
    if (!secret.data || !apiService.spec?.caBundle) {
      throw new Error(`the ${source} manifests render generated TLS without the serving pair or a caBundle`);
    }
    const servingDir = join(dir, 'serving');
    mkdirSync(servingDir, { recursive: true });
    writeFileSync(join(servingDir, 'tls.crt'), decode(secret.data['tls.crt']));
    writeFileSync(join(servingDir, 'tls.key'), decode(secret.data['tls.key']), { mode: 0o600 });
    servingArgs = () => [
      `--tls-cert-file=${join(servingDir, 'tls.crt')}`,
      `--tls-private-key-file=${join(servingDir, 'tls.key')}`,
    ];
  } else {
    if (secret.data || apiService.spec?.caBundle) {
      throw new Error(`the ${source} manifests render self-managed TLS with key material or a caBundle`);
    }
    servingArgs = (replica) => selfManagedArgs(app, join(dir, `replica-${replica}`), port);
  }
  const served = resourceArgs(app, source, dir, port, manifests);

  const token = (
    await cp.kubectl([
      'create',
      'token',
      serviceAccount.metadata.name,
      '-n',
      serviceAccount.metadata.namespace ?? '',
      '--duration=2h',
    ])
  ).trim();
  const kubeconfig = cp.makeTokenKubeconfig(`${app.name}-${source}`, token);

  const group = new ProcessGroup(cp.logsDir, dir, [dir]);
  const replicas = ports.map((replicaPort, i) =>
    group.start({
      name: `${app.name}-${source}${replicaCount > 1 ? `-${i}` : ''}`,
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        join(process.cwd(), app.entry),
        `--secure-port=${replicaPort}`,
        '--bind-address=127.0.0.1',
        ...servingArgs(i),
        `--kubeconfig=${kubeconfig}`,
        `--data-dir=${join(dir, `data-${i}`)}`,
        ...leaderElection,
        ...served,
        '--v=4',
        ...(options.args ?? []),
      ],
    }),
  );
  const front = replicaCount > 1 ? await TcpFailover.start(port, ports) : undefined;
  const url = `https://127.0.0.1:${port}`;
  const servingCa = async (): Promise<string> =>
    decode(
      await cp.kubectl(['get', 'apiservice', apiService.metadata.name, '-o', 'jsonpath={.spec.caBundle}']),
    );
  const replicaUrl = (i: number): string => `https://127.0.0.1:${ports[i]}`;
  for (const [i, replica] of replicas.entries()) {
    await waitFor(
      async () => {
        replica.assertRunning();
        try {
          const ca = await servingCa();
          if (ca === '') return false;
          const ready = await request(`${replicaUrl(i)}/readyz`, { ca, headers: { Host: 'localhost' } });
          return ready.status === 200;
        } catch {
          return false;
        }
      },
      `the aggregated API server ${replica.name} to be ready`,
      60_000,
    );
  }
  return {
    port,
    url,
    servingMode,
    servingCa,
    manifests,
    process: replicas[0],
    replicas,
    direct: async (path, options = {}) => request(`${url}${path}`, { ca: await servingCa(), ...options }),
    directTo: async (i, path, options = {}) =>
      request(`${replicaUrl(i)}${path}`, { ca: await servingCa(), ...options }),
    stop: async () => {
      for (const file of [...files].reverse())
        await cp.runKubectl(['delete', '--ignore-not-found', '--wait=false', '-f', file]);
      await front?.stop();
      await group.stopAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
