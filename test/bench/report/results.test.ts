import type { UserId } from '../../../bench/environment/bench-cluster.js';
import {
  ratios,
  summarize,
  type ThroughputEntry,
  type ThroughputRun,
} from '../../../bench/report/results.js';
import type { TargetId } from '../../../bench/targets/target.js';

const run = (throughput: number, p99: number, errors = 0): ThroughputRun => ({
  throughput,
  latencyMs: { p50: p99 / 2, p90: p99, p99, max: p99 },
  errors,
  bytesPerResponse: 100,
  cpu: { server: 0.9 },
  loadGeneratorCores: 0.2,
});

const entry = (target: TargetId, user: UserId, throughput: number, p99: number): ThroughputEntry => {
  const runs = [run(throughput, p99)];
  return {
    workload: 'get',
    title: 'GET',
    kind: 'read',
    itemsPerRequest: 1,
    user,
    target,
    concurrency: '4x16',
    runs,
    median: summarize(runs),
  };
};

describe('summarize', () => {
  test('takes the median of each figure and sums the errors', () => {
    const summary = summarize([run(100, 10, 1), run(300, 30), run(200, 20, 2)]);
    expect(summary).toMatchObject({ throughput: 200, p99Ms: 20, p50Ms: 10, serverCores: 0.9, errors: 3 });
  });
});

describe('ratios', () => {
  const entries = [
    entry('embedded', 'admin', 300, 10),
    entry('sample-apiserver', 'admin', 150, 20),
    entry('embedded', 'user', 100, 40),
    entry('sample-apiserver', 'user', 200, 20),
    entry('ceiling', 'admin', 1000, 1),
  ];

  test('compares this server with sample-apiserver for the same user', () => {
    const admin = ratios(entries).find((r) => r.target === 'embedded' && r.user === 'admin');
    expect(admin).toMatchObject({ throughputToGo: 2, p99ToGo: 0.5, throughputToCeiling: 0.3 });
    const user = ratios(entries).find((r) => r.target === 'embedded' && r.user === 'user');
    expect(user).toMatchObject({ throughputToGo: 0.5, p99ToGo: 2, throughputToCeiling: 0.1 });
  });

  test('compares sample-apiserver with the ceiling only', () => {
    const go = ratios(entries).find((r) => r.target === 'sample-apiserver' && r.user === 'user');
    expect(go).toEqual({
      workload: 'get',
      user: 'user',
      target: 'sample-apiserver',
      throughputToGo: undefined,
      p99ToGo: undefined,
      throughputToCeiling: 0.2,
    });
  });

  test('leaves a ratio out when its reference was not measured', () => {
    const [only] = ratios([entry('etcd', 'admin', 100, 5)]);
    expect(only.throughputToGo).toBeUndefined();
    expect(only.throughputToCeiling).toBeUndefined();
  });
});
