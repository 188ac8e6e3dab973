import type { JsonObject } from '../load/protocol.js';

/**
 * The resource a target serves, as the workloads need it: where its collections are, and the
 * object the benchmark creates.
 *
 * This server serves MetricSnapshots, sample-apiserver serves Flunders. To compare like with
 * like both get the same labels, and Flunders carry an annotation of padding sized so that a
 * Flunder's JSON (as the server answers a GET) is as long as a MetricSnapshot's; the report
 * shows the bytes each server actually answered.
 */
export interface ServedResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  /** `/apis/<group>/<version>/namespaces/<namespace>/<plural>` */
  collectionPath(namespace: string): string;
  /** The object the benchmark creates (its name is set per request). */
  object(name: string, namespace: string): JsonObject;
}

const LABELS = { app: 'bench', 'app.kubernetes.io/part-of': 'aggregated-apiserver-bench' };

function collection(group: string, version: string, plural: string): (namespace: string) => string {
  return (namespace) => `/apis/${group}/${version}/namespaces/${namespace}/${plural}`;
}

/** This server's MetricSnapshot (metrics.example.com/v1). */
export const metricSnapshots: ServedResource = {
  group: 'metrics.example.com',
  version: 'v1',
  kind: 'MetricSnapshot',
  plural: 'metricsnapshots',
  collectionPath: collection('metrics.example.com', 'v1', 'metricsnapshots'),
  object: (name, namespace) => ({
    apiVersion: 'metrics.example.com/v1',
    kind: 'MetricSnapshot',
    metadata: { name, namespace, labels: { ...LABELS } },
    spec: {
      source: 'prometheus',
      metrics: ['cpu_usage', 'memory_usage', 'request_count'],
      interval: '1m',
    },
  }),
};

export const PADDING_ANNOTATION = 'bench.example.com/padding';

/** sample-apiserver's Flunder (wardle.example.com/v1alpha1), padded with `padding` characters. */
export function flunders(padding: number): ServedResource {
  return {
    group: 'wardle.example.com',
    version: 'v1alpha1',
    kind: 'Flunder',
    plural: 'flunders',
    collectionPath: collection('wardle.example.com', 'v1alpha1', 'flunders'),
    object: (name, namespace) => ({
      apiVersion: 'wardle.example.com/v1alpha1',
      kind: 'Flunder',
      metadata: {
        name,
        namespace,
        labels: { ...LABELS },
        ...(padding > 0 ? { annotations: { [PADDING_ANNOTATION]: 'x'.repeat(padding) } } : {}),
      },
      spec: { reference: 'app-metrics', referenceType: 'Flunder' },
    }),
  };
}
