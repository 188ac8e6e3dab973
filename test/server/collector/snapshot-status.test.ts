import type { Collection } from '../../../server/collector/collect-snapshot.js';
import { setCondition, statusAfter, type SnapshotStatus } from '../../../server/collector/snapshot-status.js';

const t0 = new Date('2026-03-01T10:00:00Z');
const t1 = new Date('2026-03-01T10:00:30Z');

function collection(
  values: Record<string, number>,
  failures: Collection['failures'] = [],
  time = t1,
): Collection {
  return { time, values: new Map(Object.entries(values)), failures };
}

const earlier: SnapshotStatus = {
  lastCollectionTime: '2026-03-01T10:00:00Z',
  data: { up: 1, old_metric: 5 },
  conditions: [
    {
      type: 'Ready',
      status: 'True',
      observedGeneration: 1,
      lastTransitionTime: '2026-03-01T09:00:00Z',
      reason: 'Collected',
      message: 'collected 2 metrics',
    },
  ],
};

describe('statusAfter', () => {
  test('a full collection replaces the data, moves lastCollectionTime, and keeps Ready True since it was', () => {
    const status = statusAfter(earlier, collection({ up: 1, latency: 0.25 }), 2, 1, t1);
    expect(status).toEqual({
      lastCollectionTime: '2026-03-01T10:00:30Z',
      data: { up: 1, latency: 0.25 },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          observedGeneration: 1,
          lastTransitionTime: '2026-03-01T09:00:00Z',
          reason: 'Collected',
          message: 'collected 2 metrics',
        },
      ],
    });
  });

  test('a collection that read nothing keeps the last data and time, and says why in Ready', () => {
    const failures = ['up', 'latency'].map((metric) => ({
      metric,
      reason: 'SourceUnreachable',
      message: 'cannot reach Prometheus: the connection was refused',
    }));
    const status = statusAfter(earlier, collection({}, failures), 2, 2, t1);
    expect(status.data).toEqual(earlier.data);
    expect(status.lastCollectionTime).toBe(earlier.lastCollectionTime);
    expect(status.conditions).toEqual([
      {
        type: 'Ready',
        status: 'False',
        observedGeneration: 2,
        lastTransitionTime: '2026-03-01T10:00:30Z',
        reason: 'SourceUnreachable',
        message: 'cannot reach Prometheus: the connection was refused',
      },
    ]);
  });

  test('a partial collection writes what was read and names each metric that was not', () => {
    const status = statusAfter(
      undefined,
      collection({ up: 1 }, [
        { metric: 'nope', reason: 'UnknownMetric', message: 'Prometheus has no series named nope' },
        { metric: 'sum(x)', reason: 'NoData', message: 'the expression yields no series' },
      ]),
      3,
      1,
      t1,
    );
    expect(status.data).toEqual({ up: 1 });
    expect(status.lastCollectionTime).toBe('2026-03-01T10:00:30Z');
    expect(status.conditions?.[0]).toMatchObject({
      status: 'False',
      reason: 'UnknownMetric',
      message:
        '2 of 3 metrics not collected: nope: Prometheus has no series named nope; sum(x): the expression yields no series',
    });
  });

  test('cuts a very long message', () => {
    const failures = Array.from({ length: 100 }, (_, i) => ({
      metric: `metric_${i}_${'x'.repeat(100)}`,
      reason: 'UnknownMetric',
      message: `no series named metric_${i}`,
    }));
    const message =
      statusAfter(undefined, collection({}, failures), 100, 1, t1).conditions?.[0].message ?? '';
    expect(message).toHaveLength(4096);
    expect(message.endsWith('…')).toBe(true);
  });

  test('keeps status fields and conditions it does not own', () => {
    const status = statusAfter(
      {
        extra: 'kept',
        conditions: [
          {
            type: 'Other',
            status: 'True',
            lastTransitionTime: '2026-01-01T00:00:00Z',
            reason: 'R',
            message: 'm',
          },
        ],
      },
      collection({ up: 1 }),
      1,
      1,
      t0,
    );
    expect(status.extra).toBe('kept');
    expect(status.conditions?.map((c) => c.type)).toEqual(['Other', 'Ready']);
    expect(status.conditions?.[1].message).toBe('collected 1 metric');
  });
});

describe('setCondition', () => {
  test('moves lastTransitionTime only when the status changes', () => {
    const [ready] = earlier.conditions ?? [];
    const sameStatus = setCondition([ready], { status: 'True', reason: 'Collected', message: 'again' }, t1);
    expect(sameStatus[0].lastTransitionTime).toBe('2026-03-01T09:00:00Z');
    const flipped = setCondition([ready], { status: 'False', reason: 'QueryError', message: 'bad' }, t1);
    expect(flipped[0].lastTransitionTime).toBe('2026-03-01T10:00:30Z');
  });
});
