import { benchmarkReport } from '../../../bench/report/markdown.js';
import { resultsFixture } from './fixture.js';

describe('benchmarkReport', () => {
  const report = benchmarkReport(
    resultsFixture(),
    'BENCHMARKS.md',
    'bench/results/ratios.svg',
    'bench/results/results.json',
  );

  test('states the date and the machine', () => {
    expect(report).toContain('Measured on 2026-12-01');
    expect(report).toContain('Test CPU, 2 cores');
    expect(report).toContain('A quiet machine.');
  });

  test('gives each ratio to sample-apiserver and to the ceiling', () => {
    const row = report.split('\n').find((line) => line.startsWith('| GET one object | 2.00x'));
    expect(row).toBe('| GET one object | 2.00x | 0.50x | 0.50x | 2.00x | 0.10x | 0.025x | 0.050x |');
  });

  test('lists every target of a workload with its throughput, latency and CPU use', () => {
    expect(report).toContain(
      '| GET one object | this server, embedded store | 2,000 |  | 5.00 | 10.0 | 811 | 95 % | 30 % | 0 |',
    );
    expect(report).toContain('| GET one object | bare Node HTTP/2 (ceiling) | 20,000 |');
  });

  test('gives the memory per stored object and its ratio to sample-apiserver', () => {
    expect(report).toContain('| this server, embedded store | 100 MiB | 100 MiB | 2,000 | 2.00x |');
  });

  test('gives watch delivery latency from the acknowledgement and from the send, with the 429 retries', () => {
    expect(report).toContain(
      '| non-admin user (RBAC) | this server, embedded store | 1,000 | 2.00 ms | 8.00 ms | 0.50x | 5.00 / 12.0 ms | 3.00 ms | 0 | 0 | 50 % | 10 % |',
    );
    expect(report).toContain(
      '| non-admin user (RBAC) | sample-apiserver (Go), etcd | 1,000 | 4.00 ms | 16.0 ms |  | 6.00 / 20.0 ms | 2.00 ms | 3 | 201 |',
    );
  });

  test('lists the measurements that failed', () => {
    expect(report).toContain('## Failed measurements');
    expect(report).toContain('- watch user etcd: the watch was closed before it was answered');
  });

  test('links the chart and the results relative to the report', () => {
    expect(report).toContain('![Ratios](bench/results/ratios.svg)');
    expect(report).toContain('[bench/results/results.json](bench/results/results.json)');
  });
});
