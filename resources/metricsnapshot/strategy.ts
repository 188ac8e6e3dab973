import type { KubeObject, ResourceStrategy } from '../../api/index.js';

interface MetricSnapshotFields {
  spec?: { metrics?: string[] };
  status?: { data?: Record<string, number> };
}

function strayDataWarnings(object: KubeObject): string[] {
  const { spec, status } = object as KubeObject & MetricSnapshotFields;
  const requested = new Set(spec?.metrics ?? []);
  return Object.keys(status?.data ?? {})
    .filter((metric) => !requested.has(metric))
    .map((metric) => `status.data reports metric "${metric}" which spec.metrics does not list`);
}

/** Advice on the stored (v1) form that no schema rule can give. */
export const metricSnapshotStrategy: ResourceStrategy = {
  warningsOnCreate: (object) => strayDataWarnings(object),
  warningsOnUpdate: (object) => strayDataWarnings(object),
};
