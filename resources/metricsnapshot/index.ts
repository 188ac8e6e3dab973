import { defineResource } from '../../api/index.js';
import { v1beta1ToV1, v1ToV1beta1 } from './conversion.js';
import { v1beta1Columns, v1Columns } from './printer-columns.js';
import { v1beta1Schema, v1Schema } from './schema.js';
import { metricSnapshotStrategy } from './strategy.js';

/**
 * The flagship resource, `metricsnapshots.metrics.example.com`, stored as v1. It is defined with
 * the public API only, as a user's own resource would be.
 */
export const metricSnapshot = defineResource({
  group: 'metrics.example.com',
  kind: 'MetricSnapshot',
  plural: 'metricsnapshots',
  singular: 'metricsnapshot',
  shortNames: ['msnap'],
  categories: ['all', 'metrics'],
  scope: 'Namespaced',
  storageVersion: 'v1',
  subresources: { status: true },
  strategy: metricSnapshotStrategy,
  versions: [
    { name: 'v1', schema: v1Schema, printerColumns: v1Columns },
    {
      name: 'v1beta1',
      schema: v1beta1Schema,
      printerColumns: v1beta1Columns,
      conversion: { toStorage: v1beta1ToV1, fromStorage: v1ToV1beta1 },
    },
  ],
});
