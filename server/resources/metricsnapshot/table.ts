import type { KubeObject } from '../../../api/types.js';
import type { TableColumn } from '../resource-definition.js';

type Fields = Record<string, unknown> | undefined;

function field(object: KubeObject, section: 'spec' | 'status', name: string): unknown {
  return (object[section] as Fields)?.[name];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Columns shared by every version; only the metric list's field name differs. */
export function metricSnapshotColumns(
  metricsField: string,
  countSamples: (object: KubeObject) => number,
): TableColumn[] {
  return [
    {
      name: 'Source',
      type: 'string',
      description: 'Where the metrics are collected from.',
      priority: 0,
      cell: (o) => text(field(o, 'spec', 'source')),
    },
    {
      name: 'Metrics',
      type: 'string',
      description: 'The metrics collected.',
      priority: 0,
      cell: (o) => {
        const metrics = field(o, 'spec', metricsField);
        return Array.isArray(metrics) ? metrics.join(',') : undefined;
      },
    },
    {
      name: 'Interval',
      type: 'string',
      description: 'How often the snapshot is collected.',
      priority: 0,
      cell: (o) => text(field(o, 'spec', 'interval')),
    },
    {
      name: 'Last Collected',
      type: 'date',
      description: 'When the data was last collected.',
      priority: 0,
      cell: (o) => text(field(o, 'status', 'lastCollectionTime')),
    },
    {
      name: 'Age',
      type: 'date',
      description: 'Time since the object was created.',
      priority: 0,
      cell: (o) => o.metadata.creationTimestamp,
    },
    {
      name: 'Samples',
      type: 'integer',
      description: 'How many metric values the last collection reported.',
      priority: 1,
      cell: countSamples,
    },
    {
      name: 'Generation',
      type: 'integer',
      description: 'The generation of the spec.',
      priority: 1,
      cell: (o) => o.metadata.generation,
    },
  ];
}

export const v1Columns = metricSnapshotColumns(
  'metrics',
  (o) => Object.keys((field(o, 'status', 'data') as Fields) ?? {}).length,
);

export const v1beta1Columns = metricSnapshotColumns('metricNames', (o) => {
  const samples = field(o, 'status', 'samples');
  return Array.isArray(samples) ? samples.length : 0;
});
