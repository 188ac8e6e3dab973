import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetricsTarget } from '../support/metrics-target.js';
import { PrometheusProcess } from '../support/prometheus-process.js';
import { deployAggregatedServer, type AggregatedServer } from './support/aggregated-server.js';
import { waitForAvailable } from './support/api-service.js';
import { useControlPlane, waitFor } from './support/control-plane.js';

interface Snapshot {
  status?: {
    lastCollectionTime?: string;
    data?: Record<string, number>;
    conditions?: { type: string; status: string; reason: string }[];
  };
}

const snapshotPath = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots/collected';
const manifest = `apiVersion: metrics.example.com/v1
kind: MetricSnapshot
metadata:
  name: collected
  namespace: default
spec:
  source: prometheus
  interval: 2s
  metrics:
  - collector_test_temperature_celsius
  - sum(collector_test_queue_length)
`;

/**
 * The collector as a cluster runs it: two replicas of the stock server on one etcd, behind the
 * real aggregator, with the RBAC the cdk8s construct renders; a real Prometheus scrapes a real
 * target. One replica holds the Lease and collects; killing it moves collection to the other.
 */
describe('MetricSnapshots collected from a real Prometheus by two replicas behind a real aggregator', () => {
  const controlPlane = useControlPlane();
  let target: MetricsTarget;
  let prometheus: PrometheusProcess;
  let server: AggregatedServer;
  let leader: number;

  /** A request to one replica as the aggregator sends it for an administrator. */
  const asAdmin = (replica: number, path: string) =>
    server.directTo(replica, path, {
      cert: controlPlane().pki.frontProxyClient.certPem,
      key: controlPlane().pki.frontProxyClient.keyPem,
      headers: { 'X-Remote-User': 'e2e-admin', 'X-Remote-Group': 'system:masters' },
    });
  /** Whether a replica says it leads, from its /metrics. */
  const leads = async (replica: number): Promise<boolean> => {
    const metrics = await asAdmin(replica, '/metrics');
    return /^leader_election_master_status\{name="custom-apiserver"\} 1$/m.test(metrics.body);
  };
  const collections = async (replica: number): Promise<number> => {
    const metrics = await asAdmin(replica, '/metrics');
    const match = /^metricsnapshot_collections_total\{source="prometheus"\} (\d+)$/m.exec(metrics.body);
    return match ? Number(match[1]) : 0;
  };
  const read = async (replica: number): Promise<Snapshot> =>
    JSON.parse((await asAdmin(replica, snapshotPath)).body);
  const lease = async (): Promise<{ holderIdentity?: string; leaseTransitions?: number }> =>
    JSON.parse(
      await controlPlane().kubectl([
        'get',
        'lease',
        'custom-apiserver',
        '-n',
        'custom-apiserver',
        '-o',
        'json',
      ]),
    ).spec;

  beforeAll(async () => {
    target = await MetricsTarget.start();
    target.temperature.set(21.5);
    target.queueLength.set({ queue: 'a' }, 3);
    target.queueLength.set({ queue: 'b' }, 4);
    prometheus = await PrometheusProcess.start({ targets: [target.address] });
    await prometheus.waitForTargets();
    server = await deployAggregatedServer(controlPlane(), 'cdk8s', {
      replicas: 2,
      args: [
        `--etcd-servers=${controlPlane().etcdUrl}`,
        '--etcd-prefix=/aggregated-apiserver-e2e',
        `--prometheus-url=${prometheus.url}`,
        '--leader-elect-lease-duration=6s',
        '--leader-elect-renew-deadline=4s',
        '--leader-elect-retry-period=1s',
      ],
    });
  }, 240_000);
  afterAll(async () => {
    await server?.stop();
    await prometheus?.dispose();
    await target?.stop();
  });

  it('one replica holds the Lease and collects; status.data is what Prometheus answers', async () => {
    await waitForAvailable(
      (args) => controlPlane().kubectl(args),
      ['v1.metrics.example.com', 'v1beta1.metrics.example.com'],
    );
    const file = join(controlPlane().dirs.base, 'collected.yaml');
    writeFileSync(file, manifest);
    await controlPlane().kubectl(['apply', '-f', file]);
    const ready = await waitFor(
      async () =>
        (await controlPlane().kubectl([
          'get',
          'msnap',
          'collected',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ])) === 'True',
      'the snapshot to be Ready',
      60_000,
    );
    expect(ready).toBe(true);
    const table = await controlPlane().kubectl(['get', 'msnap', 'collected', '-o', 'wide']);
    expect(table).toMatch(/collected\s+prometheus\s+\S+\s+2s\s+True\s+\d+s/);
    expect(table).toContain('collector_test_temperature_celsius=21.5,sum(collector_test_queue_length)=7');

    const snapshot = await read(0);
    const at = Date.parse(snapshot.status?.lastCollectionTime ?? '') / 1000;
    for (const metric of ['collector_test_temperature_celsius', 'sum(collector_test_queue_length)']) {
      const [series] = (await prometheus.query(metric, at)).data.result as { value: [number, string] }[];
      expect(snapshot.status?.data?.[metric]).toBe(Number(series.value[1]));
    }

    const leading = await Promise.all([0, 1].map(leads));
    expect(leading.filter(Boolean)).toHaveLength(1);
    leader = leading.indexOf(true);
    expect(await collections(leader)).toBeGreaterThan(0);
    expect(await collections(1 - leader)).toBe(0);
    expect((await lease()).holderIdentity).toBeTruthy();
  });

  it('killing the leader moves collection to the other replica, without a doubled collection', async () => {
    const survivor = 1 - leader;
    const before = await lease();
    const seen: number[] = [];
    const record = async (): Promise<void> => {
      const time = Date.parse((await read(survivor)).status?.lastCollectionTime ?? '');
      if (Number.isFinite(time) && seen[seen.length - 1] !== time) seen.push(time);
    };
    await record();
    const killedAt = Date.now();
    process.kill(server.replicas[leader].pid ?? 0, 'SIGKILL');
    await waitFor(
      async () => {
        await record();
        return (await leads(survivor)) && seen[seen.length - 1] > killedAt + 2_000;
      },
      'the other replica to lead and collect',
      60_000,
      { intervalMs: 200 },
    );
    // A few more collections by the new leader.
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      await record();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await collections(survivor)).toBeGreaterThan(0);
    const after = await lease();
    expect(after.holderIdentity).not.toBe(before.holderIdentity);
    expect(after.leaseTransitions).toBe((before.leaseTransitions ?? 0) + 1);
    // Never two collections within one interval (2 s), before, across or after the takeover.
    for (let i = 1; i < seen.length; i++) expect(seen[i] - seen[i - 1]).toBeGreaterThanOrEqual(2_000);
    // Through the aggregator and the front, the API still answers from the survivor.
    expect(await controlPlane().kubectl(['get', 'msnap', 'collected', '-o', 'name'])).toContain('collected');
  });
});
