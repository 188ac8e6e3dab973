import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { ControlPlane } from './control-plane.js';
import { freePorts } from '../../support/ports.js';
import { ProcessGroup, type SupervisedProcess } from './processes.js';
import { request, type SimpleResponse } from './http.js';
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

export interface AggregatedServer {
  readonly port: number;
  readonly url: string;
  /** The CA the APIServices trust (their caBundle), which signs the serving certificate. */
  readonly servingCaPem: string;
  readonly manifests: readonly KubeDocument[];
  readonly process: SupervisedProcess;
  /** A request straight to the server's port, bypassing the aggregator. */
  direct(
    path: string,
    options?: { cert?: string; key?: string; headers?: Record<string, string> },
  ): Promise<SimpleResponse>;
  stop(): Promise<void>;
}

const renderers: Record<ManifestSource, string> = {
  cdk8s: 'apps/cdk8s/main.ts',
  pulumi: 'apps/pulumi/render-manifests.ts',
};

/** Renders the seed system for a server at 127.0.0.1:<port>, and returns the YAML files in apply order. */
async function renderManifests(source: ManifestSource, dir: string, port: number): Promise<string[]> {
  const outDir = join(dir, 'manifests');
  mkdirSync(outDir, { recursive: true });
  const env = {
    ...process.env,
    CDK8S_OUTDIR: outDir,
    AGGREGATED_APISERVER_EXTERNAL_ADDRESS: `127.0.0.1:${port}`,
    AGGREGATED_APISERVER_PKI_DIR: join(dir, 'pki'),
  };
  await run(process.execPath, ['--import', 'tsx', renderers[source], outDir], {
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
 * Deploys the seed system the way a user would, except that no kubelet runs pods: the
 * rendered manifests are applied to the control plane, and the server runs as a local process
 * with the serving certificate from the rendered Secret and the token of the rendered
 * ServiceAccount, so the RBAC the construct generates is exactly what is exercised. The
 * Service is an ExternalName `localhost`, which the aggregator dials with ServerName
 * `<service>.<namespace>.svc` and verifies against the APIService caBundle.
 */
export async function deployAggregatedServer(
  cp: ControlPlane,
  source: ManifestSource,
): Promise<AggregatedServer> {
  const dir = mkdtempSync(join(tmpdir(), `aggregated-${source}-`));
  const [port] = await freePorts(1);
  const files = await renderManifests(source, dir, port);
  const manifests = files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8'))
      .map((d) => d.toJSON() as KubeDocument)
      .filter(Boolean),
  );
  for (const file of files) await cp.kubectl(['apply', '-f', file]);

  const secret = manifests.find((m) => m.kind === 'Secret' && m.type === 'kubernetes.io/tls');
  const apiService = manifests.find((m) => m.kind === 'APIService');
  const serviceAccount = manifests.find((m) => m.kind === 'ServiceAccount');
  if (!secret?.data || !apiService?.spec?.caBundle || !serviceAccount) {
    throw new Error(`the ${source} manifests lack a TLS Secret, an APIService caBundle or a ServiceAccount`);
  }
  const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
  const servingDir = join(dir, 'serving');
  mkdirSync(servingDir, { recursive: true });
  writeFileSync(join(servingDir, 'tls.crt'), decode(secret.data['tls.crt']));
  writeFileSync(join(servingDir, 'tls.key'), decode(secret.data['tls.key']), { mode: 0o600 });

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
  const kubeconfig = cp.makeTokenKubeconfig(`${source}-apiserver`, token);

  const group = new ProcessGroup(cp.logsDir, dir, [dir]);
  const server = group.start({
    name: `aggregated-apiserver-${source}`,
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      join(process.cwd(), 'server/main.ts'),
      `--secure-port=${port}`,
      '--bind-address=127.0.0.1',
      `--tls-cert-file=${join(servingDir, 'tls.crt')}`,
      `--tls-private-key-file=${join(servingDir, 'tls.key')}`,
      `--kubeconfig=${kubeconfig}`,
      `--data-dir=${join(dir, 'data')}`,
      '--v=4',
    ],
  });
  const url = `https://127.0.0.1:${port}`;
  const servingCaPem = decode(apiService.spec.caBundle);
  await waitFor(
    async () => {
      server.assertRunning();
      try {
        return (
          (await request(`${url}/readyz`, { ca: servingCaPem, headers: { Host: 'localhost' } })).status ===
          200
        );
      } catch {
        return false;
      }
    },
    'the aggregated API server to be ready',
    60_000,
  );
  return {
    port,
    url,
    servingCaPem,
    manifests,
    process: server,
    direct: (path, options = {}) => request(`${url}${path}`, { ca: servingCaPem, ...options }),
    stop: async () => {
      for (const file of [...files].reverse())
        await cp.runKubectl(['delete', '--ignore-not-found', '--wait=false', '-f', file]);
      await group.stopAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
