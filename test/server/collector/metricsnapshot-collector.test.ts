import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { metricSnapshot } from '../../../resources/metricsnapshot/index.js';
import { errors } from '../../../server/api/errors.js';
import { MetricSnapshotCollector } from '../../../server/collector/metricsnapshot-collector.js';
import {
  MetricReadError,
  type MetricSourcePlugin,
  type ReadOptions,
} from '../../../server/collector/metric-source.js';
import { prometheusSource } from '../../../server/collector/sources/prometheus-source.js';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';
import { waitFor } from '../../e2e/support/wait.js';
import { k8sTool } from '../../support/k8s-tools.js';
import { MetricsTarget } from '../../support/metrics-target.js';
import { PrometheusProcess } from '../../support/prometheus-process.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const run = promisify(execFile);
const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
}
interface Snapshot {
  metadata: { name: string; generation: number; resourceVersion: string };
  spec: { source: string; metrics: string[]; interval: string };
  status?: { lastCollectionTime?: string; data?: Record<string, number>; conditions?: Condition[] };
}

const ready = (s: Snapshot | undefined): Condition | undefined =>
  s?.status?.conditions?.find((c) => c.type === 'Ready');

function snapshot(
  name: string,
  metrics: string[],
  interval = '1s',
  source = 'prometheus',
): Record<string, unknown> {
  return {
    apiVersion: 'metrics.example.com/v1',
    kind: 'MetricSnapshot',
    metadata: { name, namespace: 'default' },
    spec: { source, metrics, interval },
  };
}

async function get(t: TestServer, name: string): Promise<Snapshot> {
  return (await t.request('GET', `${collection}/${name}`)).json<Snapshot>();
}

/** Creates a snapshot and waits until a collection for its current generation has been written. */
async function createAndCollect(t: TestServer, body: Record<string, unknown>): Promise<Snapshot> {
  const created = await t.request('POST', collection, { body });
  expect(created.status).toBe(201);
  const name = created.json<Snapshot>().metadata.name;
  return waitFor(
    async () => {
      const s = await get(t, name);
      return ready(s)?.observedGeneration === s.metadata.generation && s;
    },
    `a collection of ${name}`,
    15_000,
  );
}

describe('the MetricSnapshot collector, against a real Prometheus scraping a real target', () => {
  let target: MetricsTarget;
  let prometheus: PrometheusProcess;
  let t: TestServer;

  beforeAll(async () => {
    target = await MetricsTarget.start();
    target.temperature.set(21.5);
    target.queueLength.set({ queue: 'a' }, 3);
    target.queueLength.set({ queue: 'b' }, 4);
    target.level.set(1);
    prometheus = await PrometheusProcess.start({ targets: [target.address] });
    await prometheus.waitForTargets();
    t = await startTestServer({
      args: [`--prometheus-url=${prometheus.url}`, '--collector-max-backoff=1s'],
      serve: {
        controllers: [new MetricSnapshotCollector({ resource: metricSnapshot, sources: [prometheusSource] })],
      },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await prometheus?.dispose();
    await target?.stop();
  });

  test('writes status.data equal to what Prometheus answers for the same queries at lastCollectionTime', async () => {
    const metrics = ['collector_test_temperature_celsius', 'sum(collector_test_queue_length)'];
    const collected = await createAndCollect(t, snapshot('equal', metrics));
    expect(ready(collected)).toMatchObject({
      status: 'True',
      reason: 'Collected',
      message: 'collected 2 metrics',
      observedGeneration: 1,
    });
    const at = Date.parse(collected.status?.lastCollectionTime ?? '') / 1000;
    for (const metric of metrics) {
      const answer = await prometheus.query(metric, at);
      const [series] = answer.data.result as { value: [number, string] }[];
      expect(collected.status?.data?.[metric]).toBe(Number(series.value[1]));
    }
    expect(collected.status?.data).toEqual({
      collector_test_temperature_celsius: 21.5,
      'sum(collector_test_queue_length)': 7,
    });
  });

  test('collects every interval, never twice for one instant, and follows the values', async () => {
    await createAndCollect(t, snapshot('cadence', ['collector_test_level']));
    const times: string[] = [];
    const values = new Set<number>();
    const stream = await t.watch(`${collection}?watch=true&fieldSelector=metadata.name%3Dcadence`);
    try {
      target.level.set(30);
      const deadline = Date.now() + 6_000;
      while (Date.now() < deadline) {
        const event = await stream.next(deadline - Date.now()).catch(() => undefined);
        if (!event) break;
        const s = event.object as unknown as Snapshot;
        // Each event is one write: a collection written twice would repeat its time.
        times.push(s.status?.lastCollectionTime ?? '');
        const value = s.status?.data?.collector_test_level;
        if (value !== undefined) values.add(value);
      }
    } finally {
      stream.close();
    }
    const seconds = times.map((time) => Date.parse(time) / 1000);
    expect(seconds.length).toBeGreaterThanOrEqual(3);
    // One interval (1 s) or more between collections: none doubled, none ahead of its time.
    for (let i = 1; i < seconds.length; i++) expect(seconds[i] - seconds[i - 1]).toBeGreaterThanOrEqual(1);
    expect(values).toContain(30);
  });

  test.each([
    [
      'unknown-metric',
      ['collector_test_no_such_metric'],
      'UnknownMetric',
      'Prometheus has no series named collector_test_no_such_metric',
    ],
    ['query-error', ['sum('], 'QueryError', 'Prometheus refused the query: bad_data'],
    [
      'several-series',
      ['collector_test_queue_length'],
      'SeveralSeries',
      'the query yields 2 series where one number was expected',
    ],
    [
      'not-a-number',
      ['0/0'],
      'NonFiniteValue',
      'the value is NaN, which a JSON number cannot hold: it is left out of status.data',
    ],
  ])('reports %s in Ready with a reason and a message', async (name, metrics, reason, message) => {
    const collected = await createAndCollect(t, snapshot(name, metrics));
    expect(ready(collected)).toMatchObject({ status: 'False', reason });
    expect(ready(collected)?.message).toContain(message);
    expect(collected.status?.data).toBeUndefined();
    expect(collected.status?.lastCollectionTime).toBeUndefined();
  });

  test('writes what it could read and names what it could not', async () => {
    const collected = await createAndCollect(
      t,
      snapshot('partial', ['collector_test_temperature_celsius', '1/0', 'collector_test_queue_length']),
    );
    expect(collected.status?.data).toEqual({ collector_test_temperature_celsius: 21.5 });
    expect(ready(collected)).toMatchObject({ status: 'False', reason: 'NonFiniteValue' });
    expect(ready(collected)?.message).toMatch(
      /^2 of 3 metrics not collected: 1\/0: the value is \+Inf.*; collector_test_queue_length: the query yields 2 series/,
    );
  });

  test('collects a changed spec at once, whatever its interval', async () => {
    const first = await createAndCollect(
      t,
      snapshot('changed', ['collector_test_temperature_celsius'], '1h'),
    );
    const patched = await t.request('PATCH', `${collection}/changed`, {
      body: { spec: { metrics: ['sum(collector_test_queue_length)'] } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(patched.status).toBe(200);
    const second = await waitFor(
      async () => {
        const s = await get(t, 'changed');
        return ready(s)?.observedGeneration === 2 && s;
      },
      'the changed spec to be collected',
      10_000,
    );
    expect(second.status?.data).toEqual({ 'sum(collector_test_queue_length)': 7 });
    expect(first.metadata.generation).toBe(1);
  });

  test('kubectl get shows whether each is Ready and when it was last collected, and -o wide the values', async () => {
    await createAndCollect(t, snapshot('shown', ['collector_test_temperature_celsius'], '1h'));
    const kubectl = (...args: string[]) =>
      run(k8sTool('kubectl'), ['--kubeconfig', t.kubeconfigPath, ...args], { timeout: 30_000 });
    const { stdout } = await kubectl('get', 'msnap', 'shown');
    expect(stdout).toMatch(/^NAME\s+SOURCE\s+METRICS\s+INTERVAL\s+READY\s+LAST COLLECTED\s+AGE\n/);
    expect(stdout).toMatch(
      /shown\s+prometheus\s+collector_test_temperature_celsius\s+1h\s+True\s+\d+s\s+\d+s/,
    );
    const wide = await kubectl('get', 'msnap', 'shown', '-o', 'wide');
    expect(wide.stdout).toMatch(/\s+VALUES\s+GENERATION\n/);
    expect(wide.stdout).toContain('collector_test_temperature_celsius=21.5');
  });

  test('/metrics shows collections, failures, query durations and the snapshots tracked; a deleted one is dropped', async () => {
    await createAndCollect(t, snapshot('counted', ['collector_test_temperature_celsius'], '1h'));
    const figure = async (pattern: RegExp): Promise<number> => {
      const match = pattern.exec((await t.request('GET', '/metrics')).text);
      return match ? Number(match[1]) : NaN;
    };
    expect(await figure(/^metricsnapshot_collections_total\{source="prometheus"\} (\d+)$/m)).toBeGreaterThan(
      0,
    );
    expect(
      await figure(
        /^metricsnapshot_collection_failures_total\{source="prometheus",reason="UnknownMetric"\} (\d+)$/m,
      ),
    ).toBeGreaterThan(0);
    expect(
      await figure(/^metricsnapshot_query_duration_seconds_count\{source="prometheus"\} (\d+)$/m),
    ).toBeGreaterThan(0);
    const tracked = await figure(/^metricsnapshot_snapshots_tracked (\d+)$/m);
    const listed = (await t.request('GET', collection)).json<{ items: unknown[] }>().items.length;
    expect(tracked).toBe(listed);
    expect((await t.request('DELETE', `${collection}/counted`)).status).toBe(200);
    await waitFor(
      async () => (await figure(/^metricsnapshot_snapshots_tracked (\d+)$/m)) === listed - 1,
      'the deleted snapshot to be dropped',
      5_000,
    );
  });

  // Last: it stops the shared Prometheus.
  test('a stopped Prometheus turns Ready False and keeps the last values; collection recovers by itself', async () => {
    const before = await createAndCollect(t, snapshot('outage', ['collector_test_temperature_celsius']));
    await prometheus.stop();
    try {
      const down = await waitFor(
        async () => {
          const s = await get(t, 'outage');
          return ready(s)?.status === 'False' && s;
        },
        'Ready to turn False',
        15_000,
      );
      expect(ready(down)).toMatchObject({
        reason: 'SourceUnreachable',
        message: 'cannot reach Prometheus: the connection was refused',
      });
      expect(down.status?.data).toEqual(before.status?.data);
    } finally {
      await prometheus.start();
    }
    const back = await waitFor(
      async () => {
        const s = await get(t, 'outage');
        return ready(s)?.status === 'True' && s;
      },
      'Ready to turn True again',
      30_000,
    );
    expect(Date.parse(back.status?.lastCollectionTime ?? '')).toBeGreaterThan(
      Date.parse(before.status?.lastCollectionTime ?? ''),
    );
  });
});

/** A source of the test's own: each read waits for the test to let it finish, counting reads in flight. */
class GatedSource implements MetricSourcePlugin {
  readonly name = 'gated';
  inFlight = 0;
  mostInFlight = 0;
  reads = 0;
  failing = false;
  private gate: Promise<void> = Promise.resolve();
  private openGate: () => void = () => undefined;
  readonly readTimes: number[] = [];

  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate();
  }

  open() {
    return {
      read: async (metric: string, options: ReadOptions): Promise<number> => {
        this.reads++;
        this.readTimes.push(Date.now());
        this.inFlight++;
        this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
        try {
          await Promise.race([
            this.gate,
            new Promise((resolve) => options.signal.addEventListener('abort', resolve, { once: true })),
          ]);
          await new Promise((resolve) => setTimeout(resolve, 2));
          if (this.failing) throw new MetricReadError('SourceUnreachable', 'down', true);
          return metric.length;
        } finally {
          this.inFlight--;
        }
      },
    };
  }
}

describe('the collector, with a source of its own', () => {
  test('a spec edited during a collection is kept, and the stale collection is not written', async () => {
    const source = new GatedSource();
    const t = await startTestServer({
      serve: { controllers: [new MetricSnapshotCollector({ resource: metricSnapshot, sources: [source] })] },
    });
    try {
      source.hold();
      await t.request('POST', collection, { body: snapshot('edited', ['before'], '1h', 'gated') });
      await waitFor(() => source.inFlight === 1, 'the collection to start', 5_000);
      const patched = await t.request('PATCH', `${collection}/edited`, {
        body: { spec: { metrics: ['after-edit'] } },
        headers: { 'Content-Type': 'application/merge-patch+json' },
      });
      expect(patched.status).toBe(200);
      source.release();
      const collected = await waitFor(
        async () => {
          const s = await get(t, 'edited');
          return ready(s)?.observedGeneration === 2 && s;
        },
        'the edited spec to be collected',
        10_000,
      );
      expect(collected.spec.metrics).toEqual(['after-edit']);
      expect(collected.status?.data).toEqual({ 'after-edit': 10 });
    } finally {
      source.release();
      await t.stop();
    }
  });

  test('keeps to --collector-concurrency queries in flight, however many snapshots are due', async () => {
    const source = new GatedSource();
    const t = await startTestServer({
      args: ['--collector-concurrency=3'],
      serve: { controllers: [new MetricSnapshotCollector({ resource: metricSnapshot, sources: [source] })] },
    });
    try {
      source.hold();
      for (let i = 0; i < 30; i++) {
        const body = snapshot(`many-${i}`, ['a', 'bb', 'ccc'], '1s', 'gated');
        expect((await t.request('POST', collection, { body })).status).toBe(201);
      }
      await waitFor(() => source.inFlight === 3, 'three reads in flight', 5_000);
      source.release();
      await waitFor(
        async () => {
          const list = (await t.request('GET', collection)).json<{ items: Snapshot[] }>();
          return list.items.every((s) => ready(s)?.status === 'True');
        },
        'every snapshot to be collected',
        30_000,
      );
      expect(source.mostInFlight).toBe(3);
    } finally {
      source.release();
      await t.stop();
    }
  });

  test('a snapshot that collects nothing is tried less and less often', async () => {
    const source = new GatedSource();
    source.failing = true;
    const t = await startTestServer({
      args: ['--collector-max-backoff=1m'],
      serve: { controllers: [new MetricSnapshotCollector({ resource: metricSnapshot, sources: [source] })] },
    });
    try {
      await t.request('POST', collection, { body: snapshot('failing', ['m'], '1s', 'gated') });
      await new Promise((resolve) => setTimeout(resolve, 6_500));
      // Every second would be seven tries; doubling waits (1 s, 2 s, 4 s, with jitter) are at most four.
      expect(source.reads).toBeGreaterThanOrEqual(2);
      expect(source.reads).toBeLessThanOrEqual(4);
      const s = await get(t, 'failing');
      expect(ready(s)).toMatchObject({ status: 'False', reason: 'SourceUnreachable', message: 'down' });
    } finally {
      await t.stop();
    }
  });

  test('a status write that fails is tried again later, not given up', async () => {
    let refusals = 2;
    let attempts = 0;
    const flakyStorage = {
      name: 'RefuseStatusWrites',
      validate: async (attributes: { subresource?: string }) => {
        if (attributes.subresource !== 'status') return;
        attempts++;
        if (refusals-- > 0) throw errors.serviceUnavailable('storage is having a moment');
      },
    };
    const source = new GatedSource();
    const t = await startTestServer({
      serve: {
        admission: [flakyStorage],
        controllers: [new MetricSnapshotCollector({ resource: metricSnapshot, sources: [source] })],
      },
    });
    try {
      await t.request('POST', collection, { body: snapshot('retried', ['m'], '1s', 'gated') });
      const s = await waitFor(
        async () => ready(await get(t, 'retried')) && get(t, 'retried'),
        'a status',
        15_000,
      );
      expect(ready(s)).toMatchObject({ status: 'True' });
      expect(attempts).toBeGreaterThanOrEqual(3);
    } finally {
      await t.stop();
    }
  });

  test('a snapshot whose source the server lacks is told which sources there are', async () => {
    const storage = new MemoryStorage();
    const plain = await startTestServer({ serve: { storage } });
    await plain.request('POST', collection, { body: snapshot('elsewhere', ['m'], '1h', 'graphite') });
    const t = await startTestServer({
      serve: {
        storage,
        controllers: [
          new MetricSnapshotCollector({
            resource: metricSnapshot,
            sources: [new GatedSource(), prometheusSource],
          }),
        ],
      },
    });
    try {
      const s = await waitFor(
        async () => ready(await get(t, 'elsewhere')) && get(t, 'elsewhere'),
        'a Ready condition',
        10_000,
      );
      expect(ready(s)).toMatchObject({
        status: 'False',
        reason: 'UnknownSource',
        message: 'the server has no source "graphite"; it has "gated", "prometheus"',
      });
    } finally {
      await t.stop();
      await plain.stop();
      await storage.close();
    }
  });
});
