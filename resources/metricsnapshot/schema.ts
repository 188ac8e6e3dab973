import type { JSONSchema } from '../../api/index.js';

/** A metric name (`up`) or a PromQL expression that yields one number (`sum(rate(http_requests_total[5m]))`). */
const metric: JSONSchema = { type: 'string', minLength: 1, maxLength: 1024 };

/** metav1.Condition, as every Kubernetes API reports conditions. */
const conditions: JSONSchema = {
  type: 'array',
  description:
    "The latest observations of the snapshot's state; Ready says whether the last collection succeeded.",
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  items: {
    type: 'object',
    required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
    properties: {
      type: { type: 'string', maxLength: 316, description: 'The type of the condition, e.g. Ready.' },
      status: { type: 'string', enum: ['True', 'False', 'Unknown'], description: 'True, False or Unknown.' },
      observedGeneration: {
        type: 'integer',
        minimum: 0,
        description: 'The generation the condition was set for.',
      },
      lastTransitionTime: {
        type: 'string',
        format: 'date-time',
        description: 'When the status last changed.',
      },
      reason: { type: 'string', maxLength: 1024, description: 'A CamelCase reason for the last transition.' },
      message: {
        type: 'string',
        maxLength: 32768,
        description: 'A human-readable message about the transition.',
      },
    },
  },
};

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
      spec: {
        type: 'object',
        description: 'What to collect, from where, and how often.',
        required: ['source', metricListField],
        properties: {
          source: {
            type: 'string',
            description:
              'Where the metrics are collected from, for example "prometheus". A server refuses a source it cannot collect from, naming those it can.',
            minLength: 1,
            maxLength: 253,
          },
          [metricListField]: {
            type: 'array',
            description:
              'The metrics to collect: metric names or PromQL expressions that yield one number each.',
            minItems: 1,
            maxItems: 100,
            items: metric,
            'x-kubernetes-list-type': 'set',
          },
          interval: {
            type: 'string',
            format: 'duration',
            description: 'How often the snapshot is collected, as a duration such as "30s" or "1m".',
            default: '1m',
            'x-kubernetes-validations': [
              {
                rule: "self >= duration('1s') && self <= duration('24h')",
                message: 'must be a duration between 1s and 24h',
              },
            ],
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
            description:
              'The instant the data was read at, in whole seconds; a collection that read nothing leaves it as it was.',
          },
          conditions,
          ...collectedValues,
        },
      },
    },
  };
}

export const v1Schema = metricSnapshotSchema('metrics', {
  data: {
    type: 'object',
    description:
      'The value of each metric at lastCollectionTime. JSON numbers cannot hold NaN or infinities: such a value is left out, and the Ready condition says so (reason NonFiniteValue).',
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
      properties: { metric, value: { type: 'number' } },
    },
  },
});
