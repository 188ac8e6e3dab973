import { k8sTool } from '../../support/k8s-tools.js';
import { request } from './http.js';
import { freePorts, retryOnPortConflict } from '../../support/ports.js';
import type { ProcessGroup, SupervisedProcess } from './processes.js';
import { waitFor } from './wait.js';

export interface EtcdOptions {
  readonly dataDir: string;
  readonly startupTimeoutMs?: number;
  readonly extraArgs?: readonly string[];
}

export interface RunningEtcd {
  /** The client URL kube-apiserver's --etcd-servers points at (plain HTTP on 127.0.0.1). */
  readonly clientUrl: string;
  readonly process: SupervisedProcess;
}

/**
 * A single-member etcd on 127.0.0.1 with free ports and `dataDir` as its data directory.
 * Plain HTTP is fine on loopback and saves a TLS handshake per connection; fsync is skipped
 * because a test cluster never has to survive a power loss.
 */
export function startEtcd(group: ProcessGroup, options: EtcdOptions): Promise<RunningEtcd> {
  return retryOnPortConflict(() => startEtcdOnce(group, options));
}

async function startEtcdOnce(group: ProcessGroup, options: EtcdOptions): Promise<RunningEtcd> {
  const [clientPort, peerPort, metricsPort] = await freePorts(3);
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const supervised = group.start({
    name: 'etcd',
    command: k8sTool('etcd'),
    args: [
      '--name=e2e',
      `--data-dir=${options.dataDir}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=e2e=${peerUrl}`,
      '--initial-cluster-state=new',
      `--listen-metrics-urls=http://127.0.0.1:${metricsPort}`,
      '--log-level=warn',
      '--unsafe-no-fsync',
      ...(options.extraArgs ?? []),
    ],
  });
  await waitFor(
    async () => {
      supervised.assertRunning();
      const response = await request(`http://127.0.0.1:${metricsPort}/health`, { timeoutMs: 1_000 });
      return response.status === 200 && (JSON.parse(response.body) as { health?: string }).health === 'true';
    },
    `etcd to report healthy (log: ${supervised.logFile})`,
    options.startupTimeoutMs ?? 20_000,
    { intervalMs: 100 },
  );
  return { clientUrl, process: supervised };
}
