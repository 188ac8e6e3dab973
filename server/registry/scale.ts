import type { JSONSchema } from '../../api/json-schema.js';
import { compileJsonPath } from '../../api/json-path.js';
import type { ScaleSpec } from '../../api/resource-spec.js';
import type { KubeObject } from '../../api/types.js';
import { errors } from '../api/errors.js';
import { copyObject } from './object-copy.js';

/** The autoscaling/v1 Scale of an object, as kube serves a custom resource's `/scale`. */
export function toScale(object: KubeObject, scale: ScaleSpec): KubeObject {
  const replicas = compileJsonPath(scale.specReplicasPath).first(object);
  const observed = compileJsonPath(scale.statusReplicasPath).first(object);
  const selector = scale.labelSelectorPath
    ? compileJsonPath(scale.labelSelectorPath).first(object)
    : undefined;
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: typeof replicas === 'number' ? replicas : 0 },
    status: {
      replicas: typeof observed === 'number' ? observed : 0,
      ...(typeof selector === 'string' ? { selector } : {}),
    },
  };
}

/**
 * The object with the replicas a Scale asks for, and the Scale's resourceVersion as the write's
 * precondition; refuses a Scale that is not one, as kube validates it.
 */
export function applyScale(object: KubeObject, body: unknown, scale: ScaleSpec): KubeObject {
  const given = body as {
    kind?: unknown;
    apiVersion?: unknown;
    metadata?: { resourceVersion?: unknown; name?: unknown };
    spec?: { replicas?: unknown };
  } | null;
  if (given === null || typeof given !== 'object' || Array.isArray(given))
    throw errors.badRequest('the body must be a Scale object');
  if (given.kind !== undefined && given.kind !== 'Scale')
    throw errors.badRequest(
      `the kind in the data (${String(given.kind)}) does not match the expected kind (Scale)`,
    );
  const replicas = given.spec?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid('Scale', 'autoscaling', String(object.metadata.name ?? ''), [
      {
        reason: 'FieldValueInvalid',
        field: 'spec.replicas',
        message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      },
    ]);
  }
  const updated = copyObject(object);
  const steps = compileJsonPath(scale.specReplicasPath).steps;
  let at = updated as Record<string, unknown>;
  for (const step of steps.slice(0, -1)) {
    const next = Object.prototype.hasOwnProperty.call(at, step) ? at[step] : undefined;
    if (next === null || typeof next !== 'object' || Array.isArray(next)) at[step] = {};
    at = at[step] as Record<string, unknown>;
  }
  at[steps[steps.length - 1]] = replicas;
  const resourceVersion = given.metadata?.resourceVersion;
  if (typeof resourceVersion === 'string' && resourceVersion !== '')
    updated.metadata.resourceVersion = resourceVersion;
  return updated;
}

/** autoscaling/v1 Scale, for patches of `/scale` and the published OpenAPI. */
export const scaleSchema: JSONSchema = {
  type: 'object',
  description: 'Scale represents a scaling request for a resource.',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      description: 'ScaleSpec describes the attributes of a scale subresource.',
      properties: {
        replicas: {
          type: 'integer',
          format: 'int32',
          description: 'desired number of instances for the scaled object.',
        },
      },
    },
    status: {
      type: 'object',
      description: 'ScaleStatus represents the current status of a scale subresource.',
      required: ['replicas'],
      properties: {
        replicas: {
          type: 'integer',
          format: 'int32',
          description: 'actual number of observed instances of the scaled object.',
        },
        selector: {
          type: 'string',
          description: 'label query over pods that should match the replicas count.',
        },
      },
    },
  },
};
