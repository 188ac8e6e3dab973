import type { KubeObject, PrinterColumnSpec } from '../../api/index.js';

type Fields = Record<string, unknown> | undefined;

/** `cpu=0.5,up=1`: the collected values in one cell, for `kubectl get -o wide`. */
function values(data: Fields): string | undefined {
  if (!data) return undefined;
  return Object.entries(data)
    .map(([metric, value]) => `${metric}=${String(value)}`)
    .join(',');
}

/** Columns shared by every version; only the metric list's and the values' shapes differ. */
function metricSnapshotColumns(
  metricsField: string,
  collected: (object: KubeObject) => Fields,
): PrinterColumnSpec[] {
  return [
    {
      name: 'Source',
      type: 'string',
      description: 'Where the metrics are collected from.',
      jsonPath: '.spec.source',
    },
    {
      name: 'Metrics',
      type: 'string',
      description: 'The metrics collected.',
      value: (o) => {
        const metrics = (o.spec as Fields)?.[metricsField];
        return Array.isArray(metrics) ? metrics.join(',') : undefined;
      },
    },
    {
      name: 'Interval',
      type: 'string',
      description: 'How often the snapshot is collected.',
      jsonPath: '.spec.interval',
    },
    {
      name: 'Ready',
      type: 'string',
      description: 'Whether the last collection succeeded.',
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
    },
    {
      name: 'Last Collected',
      type: 'date',
      description: 'When the data was last collected.',
      jsonPath: '.status.lastCollectionTime',
    },
    {
      name: 'Age',
      type: 'date',
      description: 'Time since the object was created.',
      jsonPath: '.metadata.creationTimestamp',
    },
    {
      name: 'Values',
      type: 'string',
      description: 'The values of the last collection.',
      priority: 1,
      value: (o) => values(collected(o)),
    },
    {
      name: 'Generation',
      type: 'integer',
      description: 'The generation of the spec.',
      priority: 1,
      jsonPath: '.metadata.generation',
    },
  ];
}

export const v1Columns = metricSnapshotColumns('metrics', (o) => (o.status as Fields)?.data as Fields);

export const v1beta1Columns = metricSnapshotColumns('metricNames', (o) => {
  const samples = (o.status as Fields)?.samples;
  if (!Array.isArray(samples)) return undefined;
  return Object.fromEntries(
    samples.map((s: { metric?: unknown; value?: unknown }) => [String(s.metric), s.value]),
  );
});
