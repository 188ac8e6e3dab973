import type { JSONSchema } from '../../../api/json-schema.js';
import type { KubeObject } from '../../../api/types.js';
import { ApiError } from '../../../server/api/errors.js';

export const API_VERSION = 'metrics.example.com/v1';
export const KIND = 'MetricSnapshot';
export const RESOURCE = { group: 'metrics.example.com', resource: 'metricsnapshots' };
export const NOW = new Date('2026-01-01T00:00:00.000Z');
export const LATER = new Date('2026-01-01T00:05:00.000Z');

/**
 * A structural schema shaped like a real resource: a scalar (source, interval), a set
 * (metrics), a map list (targets), an atomic map and list, a strategic-merge list keyed by
 * merge key only (sinks) and of scalars (owners), a preserve-unknown-fields subtree, and a
 * status with a map of numbers. `metadata` is a bare object, as CRDs write it.
 */
export const schema: JSONSchema = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        source: { type: 'string' },
        interval: { type: 'string' },
        metrics: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        targets: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' }, port: { type: 'integer' }, path: { type: 'string' } },
          },
        },
        selector: {
          type: 'object',
          additionalProperties: { type: 'string' },
          'x-kubernetes-map-type': 'atomic',
        },
        tags: { type: 'array', items: { type: 'string' } },
        sinks: {
          type: 'array',
          'x-kubernetes-patch-strategy': 'merge',
          'x-kubernetes-patch-merge-key': 'name',
          items: { type: 'object', properties: { name: { type: 'string' }, url: { type: 'string' } } },
        },
        owners: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
    status: {
      type: 'object',
      properties: {
        data: { type: 'object', additionalProperties: { type: 'number' } },
        phase: { type: 'string' },
      },
    },
  },
};

export function snapshot(spec: Record<string, unknown>, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: {
      name: 'cpu',
      namespace: 'default',
      uid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
      resourceVersion: '7',
      creationTimestamp: '2025-12-31T00:00:00Z',
    },
    spec,
    ...extra,
  };
}

/** The applied configuration kubectl sends for a manifest. */
export function config(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: 'cpu', namespace: 'default', ...metadata },
    spec,
  };
}

/** Runs `fn`, expecting an ApiError, and returns it. */
export function apiErrorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw new Error(`expected an ApiError, got ${String(error)}`);
  }
  throw new Error('expected an ApiError, but nothing was thrown');
}

/** A deep-frozen copy, so a test fails if a function under test mutates its input. */
export function frozen<T>(value: T): T {
  const copy = structuredClone(value);
  const freeze = (v: unknown): void => {
    if (v && typeof v === 'object') {
      Object.freeze(v);
      for (const child of Object.values(v)) freeze(child);
    }
  };
  freeze(copy);
  return copy;
}
