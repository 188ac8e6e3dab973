import { ratios, summarize, type BenchResults, type ThroughputEntry } from '../../../bench/report/results.js';
import type { TargetId } from '../../../bench/targets/target.js';

function entry(target: TargetId, throughput: number, p99: number): ThroughputEntry {
  const runs = [
    {
      throughput,
      latencyMs: { p50: p99 / 2, p90: p99, p99, max: p99 },
      errors: 0,
      bytesPerResponse: 811,
      cpu: { server: 0.95 },
      loadGeneratorCores: 0.3,
    },
  ];
  return {
    workload: 'get',
    title: 'GET one object',
    kind: 'read',
    itemsPerRequest: 1,
    user: 'admin',
    target,
    concurrency: '4x16',
    runs,
    median: summarize(runs),
  };
}

/** A run of one workload on every target: this server twice Go's throughput, a tenth of the ceiling's. */
export function resultsFixture(): BenchResults {
  const throughput = [
    entry('embedded', 2000, 10),
    entry('etcd', 500, 40),
    entry('sample-apiserver', 1000, 20),
    entry('ceiling', 20000, 2),
  ];
  return {
    date: '2026-12-01T10:00:00.000Z',
    mode: 'full',
    machine: {
      cpuModel: 'Test CPU',
      cores: 2,
      memoryGiB: 8,
      kernel: '6.1',
      node: 'v20.20.2',
      go: 'go1.26.8',
      loadAverage: { start: 0.5, end: 1 },
      cpus: { server: '0', client: '1', others: '' },
      note: 'A quiet machine.',
    },
    settings: { repetitions: 1 },
    targets: [
      { id: 'embedded', title: 'embedded', resource: 'MetricSnapshot', objectBytes: 811, notes: 'SQLite' },
      { id: 'sample-apiserver', title: 'Go', resource: 'Flunder', objectBytes: 811, notes: 'padded' },
    ],
    throughput,
    watch: [
      {
        user: 'user',
        target: 'embedded',
        watchers: 1000,
        eventsPerRound: 20,
        rounds: [],
        median: { p50FromAckMs: 2, p99FromAckMs: 8, p50FromSendMs: 5, p99FromSendMs: 12, writeP50Ms: 3 },
        missing: 0,
        throttled: 0,
        errors: 0,
        serverCores: 0.5,
        loadGeneratorCores: 0.1,
      },
      {
        user: 'user',
        target: 'sample-apiserver',
        watchers: 1000,
        eventsPerRound: 20,
        rounds: [],
        median: { p50FromAckMs: 4, p99FromAckMs: 16, p50FromSendMs: 6, p99FromSendMs: 20, writeP50Ms: 2 },
        missing: 3,
        throttled: 201,
        errors: 0,
        serverCores: 0.6,
        loadGeneratorCores: 0.2,
      },
    ],
    memory: [
      { target: 'embedded', objects: 10, rssBytes: 100 * 2 ** 20 },
      { target: 'embedded', objects: 20, rssBytes: 100 * 2 ** 20 + 20_000 },
      { target: 'sample-apiserver', objects: 10, rssBytes: 50 * 2 ** 20 },
      { target: 'sample-apiserver', objects: 20, rssBytes: 50 * 2 ** 20 + 10_000 },
    ],
    readiness: [],
    ratios: ratios(throughput),
    failures: ['watch user etcd: the watch was closed before it was answered'],
    seconds: 60,
  };
}
