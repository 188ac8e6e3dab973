import { collectSnapshot, NonFiniteValue } from '../../../server/collector/collect-snapshot.js';
import {
  MetricReadError,
  type MetricSource,
  type ReadOptions,
} from '../../../server/collector/metric-source.js';
import { ConcurrencyLimit } from '../../../server/util/concurrency-limit.js';

const time = new Date('2026-03-01T10:00:00Z');

/** A source of the test's own (sources are pluggable): answers from a table, counting reads. */
class TableSource implements MetricSource {
  readonly reads: string[] = [];
  readonly times = new Set<number>();
  running = 0;
  most = 0;

  constructor(private readonly answer: (metric: string, options: ReadOptions) => Promise<number>) {}

  async read(metric: string, options: ReadOptions): Promise<number> {
    this.reads.push(metric);
    this.times.add(options.time.getTime());
    this.running++;
    this.most = Math.max(this.most, this.running);
    try {
      return await this.answer(metric, options);
    } finally {
      this.running--;
    }
  }
}

const options = (limit = new ConcurrencyLimit(4)) => ({
  time,
  timeoutMs: 1_000,
  signal: new AbortController().signal,
  limit,
});

describe('collectSnapshot', () => {
  test('reads every metric at the same instant, and keeps failures in the order of the metrics', async () => {
    const source = new TableSource(async (metric) => {
      if (metric === 'missing') throw new MetricReadError('UnknownMetric', 'no series named missing');
      return metric.length;
    });
    const result = await collectSnapshot(['a', 'missing', 'bbb'], source, options());
    expect([...result.values]).toEqual([
      ['a', 1],
      ['bbb', 3],
    ]);
    expect(result.failures).toEqual([
      { metric: 'missing', reason: 'UnknownMetric', message: 'no series named missing' },
    ]);
    expect(result.time).toBe(time);
    expect([...source.times]).toEqual([time.getTime()]);
  });

  test('leaves NaN and infinities out of the values, as failures that say how they were read', async () => {
    const values: Record<string, number> = { nan: NaN, up: Infinity, down: -Infinity, fine: 0 };
    const result = await collectSnapshot(
      Object.keys(values),
      new TableSource(async (m) => values[m]),
      options(),
    );
    expect([...result.values]).toEqual([['fine', 0]]);
    expect(result.failures.map((f) => [f.metric, f.reason, f.message.split(',')[0]])).toEqual([
      ['nan', NonFiniteValue, 'the value is NaN'],
      ['up', NonFiniteValue, 'the value is +Inf'],
      ['down', NonFiniteValue, 'the value is -Inf'],
    ]);
  });

  test('stops asking a source that failed as a whole: the remaining metrics fail the same way', async () => {
    const source = new TableSource(async () => {
      throw new MetricReadError('SourceUnreachable', 'cannot reach it', true);
    });
    const metrics = Array.from({ length: 10 }, (_, i) => `m${i}`);
    const result = await collectSnapshot(metrics, source, options(new ConcurrencyLimit(1)));
    expect(source.reads).toEqual(['m0']);
    expect(result.values.size).toBe(0);
    expect(new Set(result.failures.map((f) => `${f.reason}: ${f.message}`))).toEqual(
      new Set(['SourceUnreachable: cannot reach it']),
    );
    expect(result.failures).toHaveLength(10);
  });

  test('keeps within the shared limit of queries in flight', async () => {
    const limit = new ConcurrencyLimit(3);
    const source = new TableSource(() => new Promise((resolve) => setTimeout(() => resolve(1), 5)));
    const metrics = Array.from({ length: 12 }, (_, i) => `m${i}`);
    await Promise.all([
      collectSnapshot(metrics, source, options(limit)),
      collectSnapshot(metrics, source, options(limit)),
    ]);
    expect(source.most).toBe(3);
    expect(source.reads).toHaveLength(24);
  });

  test("reports a source's unexpected error as a SourceError", async () => {
    const result = await collectSnapshot(
      ['x'],
      new TableSource(async () => Promise.reject(new TypeError('oops'))),
      options(),
    );
    expect(result.failures).toEqual([{ metric: 'x', reason: 'SourceError', message: 'oops' }]);
  });
});
