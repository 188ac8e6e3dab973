import { typeMetaProperties, type JSONSchema } from '../../../api/json-schema.js';

/** Prometheus metric names: what a collector can actually ask for. */
const metricNamePattern = '^[a-zA-Z_:][a-zA-Z0-9_:]*$';
/** Go durations as kube users write them (`30s`, `1m`, `1h30m`), positive. */
const intervalPattern = '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$';

const metricName: JSONSchema = { type: 'string', pattern: metricNamePattern, minLength: 1, maxLength: 200 };

const description = 'MetricSnapshot is a snapshot of named metrics collected from a source at an interval.';

/**
 * The whole object's schema; the versions differ only in the name of the metric list and in
 * how the collected values are shaped.
 */
function metricSnapshotSchema(
  metricListField: string,
  collectedValues: Record<string, JSONSchema>,
): JSONSchema {
  return {
    type: 'object',
    description,
    required: ['spec'],
    properties: {
      ...typeMetaProperties,
      metadata: { type: 'object', description: "Standard object's metadata." },
      spec: {
        type: 'object',
        description: 'What to collect, from where, and how often.',
        required: ['source', metricListField],
        properties: {
          source: {
            type: 'string',
            description: 'Where the metrics are collected from, for example "prometheus".',
            minLength: 1,
            maxLength: 253,
          },
          [metricListField]: {
            type: 'array',
            description: 'Names of the metrics to collect.',
            minItems: 1,
            maxItems: 100,
            items: metricName,
            'x-kubernetes-list-type': 'set',
          },
          interval: {
            type: 'string',
            description: 'How often the snapshot is collected, as a duration such as "30s" or "1m".',
            pattern: intervalPattern,
            default: '1m',
          },
        },
      },
      status: {
        type: 'object',
        description: 'The most recently collected values.',
        properties: {
          lastCollectionTime: {
            type: 'string',
            format: 'date-time',
            description: 'When the data was last collected.',
          },
          ...collectedValues,
        },
      },
    },
  };
}

export const v1Schema = metricSnapshotSchema('metrics', {
  data: {
    type: 'object',
    description: 'The value of each metric at lastCollectionTime.',
    additionalProperties: { type: 'number' },
  },
});

/**
 * v1beta1 names the metric list `metricNames` and reports samples as a list of
 * `{metric, value}` keyed by metric, where v1 uses a map; conversion is lossless both ways.
 */
export const v1beta1Schema = metricSnapshotSchema('metricNames', {
  samples: {
    type: 'array',
    description: 'One sample per metric, taken at lastCollectionTime.',
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['metric'],
    'x-kubernetes-patch-strategy': 'merge',
    'x-kubernetes-patch-merge-key': 'metric',
    items: {
      type: 'object',
      required: ['metric', 'value'],
      properties: { metric: metricName, value: { type: 'number' } },
    },
  },
});
