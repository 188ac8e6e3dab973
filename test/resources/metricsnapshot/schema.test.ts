import type { KubeObject } from '../../../api/index.js';
import { metricSnapshot } from '../../../resources/metricsnapshot/index.js';

const v1 = metricSnapshot.versions.find((v) => v.name === 'v1')!;
const snapshot = (interval: string): KubeObject => ({
  apiVersion: 'metrics.example.com/v1',
  kind: 'MetricSnapshot',
  metadata: { name: 'a', namespace: 'default' },
  spec: { source: 'prometheus', metrics: ['up'], interval },
});

describe('MetricSnapshot schema rules', () => {
  test.each([
    ['1s', 0],
    ['24h', 0],
    ['1h30m', 0],
    ['999ms', 1],
    ['25h', 1],
  ])('an interval of %s breaks %d rules', (interval, count) => {
    const causes = v1.rules.validate(snapshot(interval), undefined);
    expect(causes).toHaveLength(count);
    for (const cause of causes) {
      expect(cause).toMatchObject({ field: 'spec.interval', reason: 'FieldValueInvalid' });
      expect(cause.message).toContain('must be a duration between 1s and 24h');
    }
  });
});
