import { defineResource, type JSONSchema } from '../../../api/index.js';

/** Resource definitions the constructs' tests deploy besides MetricSnapshot (the seed's). */

export { metricSnapshot } from '../../../resources/metricsnapshot/index.js';

/** Plain data, cluster-scoped, in MetricSnapshot's group. */
export const metricSource = defineResource({
  group: 'metrics.example.com',
  kind: 'MetricSource',
  scope: 'Cluster',
  versions: [
    {
      name: 'v1',
      schema: {
        type: 'object',
        properties: { spec: { type: 'object', properties: { url: { type: 'string' } } } },
      },
    },
  ],
});

const cronTabSchema: JSONSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        cronSpec: {
          type: 'string',
          'x-kubernetes-validations': [{ rule: "self.split(' ').size() == 5", message: 'five fields' }],
        },
        replicas: { type: 'integer', minimum: 0 },
      },
    },
    status: { type: 'object', properties: { replicas: { type: 'integer' } } },
  },
};

/** Plain data, namespaced, with status and scale, and a version that is no longer served. */
export const cronTab = defineResource({
  group: 'stable.example.com',
  kind: 'CronTab',
  storageVersion: 'v1',
  subresources: {
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
  },
  versions: [
    {
      name: 'v1',
      schema: cronTabSchema,
      printerColumns: [{ name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' }],
    },
    {
      name: 'v1beta1',
      served: false,
      schema: cronTabSchema,
    },
  ],
});

/** Code: a conversion and a strategy hook, in a group of its own. */
export const gadget = defineResource({
  group: 'gadgets.example.com',
  kind: 'Gadget',
  storageVersion: 'v1',
  versions: [
    { name: 'v1', schema: { type: 'object', properties: { spec: { type: 'object' } } } },
    {
      name: 'v1alpha1',
      schema: { type: 'object', properties: { spec: { type: 'object' } } },
      conversion: {
        toStorage: (o) => ({ ...o, apiVersion: 'gadgets.example.com/v1' }),
        fromStorage: (o) => ({ ...o, apiVersion: 'gadgets.example.com/v1alpha1' }),
      },
    },
  ],
  strategy: { prepareForCreate: () => undefined },
});
