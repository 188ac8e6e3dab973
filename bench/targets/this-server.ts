import { join } from 'node:path';
import { freePorts } from '../../test/support/ports.js';
import { metricSnapshots } from './served-resource.js';
import { ServerTarget } from './server-target.js';
import { startTargetEtcd, targetDir, type TargetEnvironment } from './target-environment.js';

/** The compiled server (`npm run build`): what users run, and no TypeScript compiler at startup. */
export const BUILT_SERVER = join(process.cwd(), 'build/server/main.js');

/**
 * This server, on its embedded store (a data directory) or on a fresh etcd, in delegated mode
 * against the benchmark's kube-apiserver: front-proxy authentication from the
 * extension-apiserver-authentication ConfigMap, SubjectAccessReviews, namespace checks.
 */
export async function startThisServer(
  environment: TargetEnvironment,
  storage: 'embedded' | 'etcd',
): Promise<ServerTarget> {
  const dir = targetDir(environment, `this-server-${storage}`);
  const etcd = storage === 'etcd' ? await startTargetEtcd(environment, dir) : undefined;
  const { cluster } = environment;
  const [port] = await freePorts(1);
  const url = `https://127.0.0.1:${port}`;
  const resource = metricSnapshots;
  return ServerTarget.start(
    storage,
    resource,
    environment,
    {
      name: `this-server-${storage}`,
      command: [
        process.execPath,
        ...(environment.cpuProfileDir
          ? ['--cpu-prof', `--cpu-prof-dir=${join(environment.cpuProfileDir, storage)}`]
          : []),
        BUILT_SERVER,
        `--secure-port=${port}`,
        '--bind-address=127.0.0.1',
        `--tls-cert-file=${cluster.serving.certFile}`,
        `--tls-private-key-file=${cluster.serving.keyFile}`,
        `--kubeconfig=${cluster.kubeconfig}`,
        `--data-dir=${join(dir, 'data')}`,
        ...(etcd ? [`--etcd-servers=${etcd.clientUrl}`] : []),
        // sample-apiserver runs no controller; the stock collector would write the status of every
        // seeded MetricSnapshot during the run (SourceNotConfigured), and its writes would reach
        // the watch workload's watchers as events the benchmark did not make.
        '--controllers=*,-metricsnapshot-collector',
      ],
      cpus: environment.cpus.server,
      url,
      caPem: cluster.serving.caPem,
      certPem: cluster.frontProxy.certPem,
      keyPem: cluster.frontProxy.keyPem,
      firstPagePath: `/apis/${resource.group}/${resource.version}/${resource.plural}?limit=500`,
    },
    etcd,
  );
}
