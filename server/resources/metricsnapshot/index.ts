import type { ResourceDefinition } from '../resource-definition.js';
import { v1beta1ToV1, v1ToV1beta1 } from './conversion.js';
import { v1beta1Schema, v1Schema } from './schema.js';
import { metricSnapshotStrategy } from './strategy.js';
import { v1beta1Columns, v1Columns } from './table.js';

/** The flagship resource: `metricsnapshots.metrics.example.com`, stored as v1. */
export const metricSnapshotResource: ResourceDefinition = {
  group: 'metrics.example.com',
  kind: 'MetricSnapshot',
  plural: 'metricsnapshots',
  singular: 'metricsnapshot',
  shortNames: ['msnap'],
  categories: ['all', 'metrics'],
  namespaced: true,
  storageVersion: 'v1',
  statusSubresource: true,
  strategy: metricSnapshotStrategy,
  versions: [
    {
      name: 'v1',
      schema: v1Schema,
      columns: v1Columns,
      toStorage: (object) => object,
      fromStorage: (object) => object,
    },
    {
      name: 'v1beta1',
      schema: v1beta1Schema,
      columns: v1beta1Columns,
      toStorage: v1beta1ToV1,
      fromStorage: v1ToV1beta1,
    },
  ],
};
