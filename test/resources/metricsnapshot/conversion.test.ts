import type { KubeObject } from '../../../api/index.js';
import { v1beta1ToV1, v1ToV1beta1 } from '../../../resources/metricsnapshot/conversion.js';

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

  test('a sample named like an Object.prototype property stays a sample', () => {
    const beta: KubeObject = {
      ...v1ToV1beta1(v1),
      status: {
        samples: [
          { metric: '__proto__', value: 1 },
          { metric: 'constructor', value: 2 },
        ],
      },
    };
    const converted = v1beta1ToV1(beta);
    expect(JSON.stringify((converted.status as { data: unknown }).data)).toBe(
      '{"__proto__":1,"constructor":2}',
    );
    expect(JSON.stringify(v1ToV1beta1(converted).status)).toBe(JSON.stringify(beta.status));
  });
});
