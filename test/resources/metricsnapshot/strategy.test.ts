import type { KubeObject, RequestContext } from '../../../api/index.js';
import { metricSnapshotStrategy } from '../../../resources/metricsnapshot/strategy.js';

const v1: KubeObject = {
  apiVersion: 'metrics.example.com/v1',
  kind: 'MetricSnapshot',
  metadata: { name: 'a', namespace: 'default' },
  spec: { source: 'prometheus', metrics: ['up', 'cpu_usage'], interval: '1m' },
};
const context: RequestContext = { user: { name: 'u', groups: [] }, operation: 'UPDATE', dryRun: false };

describe('MetricSnapshot strategy', () => {
  test('warns about data for metrics the spec does not list', () => {
    const object = { ...v1, status: { data: { up: 1, stray: 2 } } };
    expect(metricSnapshotStrategy.warningsOnUpdate?.(object, v1, context)).toEqual([
      'status.data reports metric "stray" which spec.metrics does not list',
    ]);
  });
});
