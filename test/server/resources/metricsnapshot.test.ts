import type { KubeObject } from '../../../api/types.js';
import { v1beta1ToV1, v1ToV1beta1 } from '../../../server/resources/metricsnapshot/conversion.js';
import { metricSnapshotStrategy } from '../../../server/resources/metricsnapshot/strategy.js';
import { parseGoDuration, humanDuration } from '../../../server/util/duration.js';

const v1: KubeObject = {
  apiVersion: 'metrics.example.com/v1',
  kind: 'MetricSnapshot',
  metadata: { name: 'a', namespace: 'default', labels: { x: 'y' } },
  spec: { source: 'prometheus', metrics: ['up', 'cpu_usage'], interval: '1m' },
  status: { lastCollectionTime: '2026-01-01T00:00:00Z', data: { up: 1, cpu_usage: 0.5 } },
};

describe('MetricSnapshot conversion', () => {
  test('v1 -> v1beta1 renames the metric list and turns data into samples', () => {
    expect(v1ToV1beta1(v1)).toEqual({
      ...v1,
      apiVersion: 'metrics.example.com/v1beta1',
      spec: { source: 'prometheus', metricNames: ['up', 'cpu_usage'], interval: '1m' },
      status: {
        lastCollectionTime: '2026-01-01T00:00:00Z',
        samples: [
          { metric: 'up', value: 1 },
          { metric: 'cpu_usage', value: 0.5 },
        ],
      },
    });
  });

  test('round trips are lossless in both directions, including key order', () => {
    expect(JSON.stringify(v1beta1ToV1(v1ToV1beta1(v1)))).toBe(JSON.stringify(v1));
    const beta = v1ToV1beta1(v1);
    expect(JSON.stringify(v1ToV1beta1(v1beta1ToV1(beta)))).toBe(JSON.stringify(beta));
  });

  test('objects without status convert too', () => {
    const { status: _status, ...bare } = v1;
    expect(v1beta1ToV1(v1ToV1beta1(bare))).toEqual(bare);
  });
});

describe('MetricSnapshot strategy', () => {
  test.each([
    ['1s', 0],
    ['24h', 0],
    ['1h30m', 0],
    ['999ms', 1],
    ['25h', 1],
  ])('interval %s -> %d causes', (interval, count) => {
    expect(
      metricSnapshotStrategy.validate({ ...v1, spec: { ...(v1.spec as object), interval } }),
    ).toHaveLength(count);
  });

  test('warns about data for metrics the spec does not list', () => {
    const object = { ...v1, status: { data: { up: 1, stray: 2 } } };
    expect(metricSnapshotStrategy.warnings?.(object)).toEqual([
      'status.data reports metric "stray" which spec.metrics does not list',
    ]);
  });
});

describe('durations', () => {
  test.each([
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['500ms', 500],
    ['0', 0],
    ['1x', undefined],
    ['', undefined],
    ['m', undefined],
  ])('parseGoDuration(%s) = %s', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  test.each([
    [5_000, '5s'],
    [150_000, '2m30s'],
    [3_600_000 * 5 + 60_000 * 3, '5h3m'],
    [86_400_000 * 3, '3d'],
  ])('humanDuration(%d) = %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});
