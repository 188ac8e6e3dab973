import { defineResource, type JSONSchema, type KubeObject } from '../../api/index.js';

/**
 * A platform team's own API: cluster-scoped Widgets in `widgets.acme.io`, served as v1 (stored)
 * and v1alpha1, kept in a JSON file by a storage of their own. The server entry (server.ts) and
 * the deployments (cdk8s.ts, pulumi.ts) all import this one value.
 */

const replicas: JSONSchema = { type: 'integer', minimum: 0, maximum: 100, default: 1 };
const color: JSONSchema = {
  type: 'string',
  enum: ['red', 'green', 'blue'],
  'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'color is immutable' }],
};
const status: JSONSchema = {
  type: 'object',
  properties: { replicas: { type: 'integer', minimum: 0 }, phase: { type: 'string' } },
};

/** v1alpha1 wrote sizes as one string, `10cm`. */
const v1alpha1Schema: JSONSchema = {
  type: 'object',
  required: ['spec'],
  properties: {
    spec: {
      type: 'object',
      required: ['color', 'size'],
      properties: { color, size: { type: 'string', pattern: '^[0-9]{1,6}(cm|in)$' }, replicas },
    },
    status,
  },
};

/** v1 splits the size into a number and a unit. */
const v1Schema: JSONSchema = {
  type: 'object',
  required: ['spec'],
  properties: {
    spec: {
      type: 'object',
      required: ['color', 'size'],
      properties: {
        color,
        size: {
          type: 'object',
          required: ['value', 'unit'],
          properties: {
            value: { type: 'integer', minimum: 0, maximum: 999999 },
            unit: { type: 'string', enum: ['cm', 'in'] },
          },
        },
        replicas,
      },
    },
    status,
  },
};

type Spec = Record<string, unknown> & { size?: unknown };

function withSpec(
  object: KubeObject,
  apiVersion: string,
  convertSize: (size: unknown) => unknown,
): KubeObject {
  const spec = object.spec as Spec | undefined;
  return { ...object, apiVersion, ...(spec ? { spec: { ...spec, size: convertSize(spec.size) } } : {}) };
}

/** `10cm` -> `{ value: 10, unit: 'cm' }`, and back. */
export function sizeToV1(size: unknown): unknown {
  const match = typeof size === 'string' ? /^([0-9]+)(cm|in)$/.exec(size) : null;
  return match ? { value: Number(match[1]), unit: match[2] } : size;
}

export function sizeToV1alpha1(size: unknown): unknown {
  const { value, unit } = (size ?? {}) as { value?: unknown; unit?: unknown };
  return typeof value === 'number' && typeof unit === 'string' ? `${value}${unit}` : size;
}

export const widget = defineResource({
  group: 'widgets.acme.io',
  kind: 'Widget',
  scope: 'Cluster',
  shortNames: ['wd'],
  categories: ['acme'],
  storageVersion: 'v1',
  subresources: {
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
  },
  versions: [
    {
      name: 'v1',
      schema: v1Schema,
      selectableFields: [{ jsonPath: '.spec.color' }],
      printerColumns: [
        { name: 'Color', type: 'string', jsonPath: '.spec.color' },
        {
          name: 'Size',
          type: 'string',
          value: (o) => sizeToV1alpha1((o.spec as Spec | undefined)?.size) as string | undefined,
        },
        { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
    {
      name: 'v1alpha1',
      deprecated: true,
      schema: v1alpha1Schema,
      selectableFields: [{ jsonPath: '.spec.color' }],
      printerColumns: [
        { name: 'Color', type: 'string', jsonPath: '.spec.color' },
        { name: 'Size', type: 'string', jsonPath: '.spec.size' },
      ],
      conversion: {
        toStorage: (o) => withSpec(o, 'widgets.acme.io/v1', sizeToV1),
        fromStorage: (o) => withSpec(o, 'widgets.acme.io/v1alpha1', sizeToV1alpha1),
      },
    },
  ],
  strategy: {
    // Who made a widget is kept where the team's tools look for it.
    prepareForCreate(object, context) {
      object.metadata.annotations = {
        ...object.metadata.annotations,
        'widgets.acme.io/created-by': context.user.name,
      };
    },
    warningsOnCreate(object) {
      const count = (object.spec as { replicas?: number } | undefined)?.replicas ?? 0;
      return count > 10
        ? [`spec.replicas: ${count} widgets is more than the paint shop can make in a day`]
        : [];
    },
  },
  // Imported when the server opens it, so deploying the definition never loads the storage.
  storage: async ({ dataDir }) => {
    const { openJsonFileStorage } = await import('./json-file-storage.js');
    return openJsonFileStorage(`${dataDir}/widgets.json`);
  },
});
