import {
  parseGoDuration,
  type KubeObject,
  type ResourceStrategy,
  type StatusCause,
} from '../../api/index.js';

const minimumIntervalMs = 1000;
const maximumIntervalMs = 24 * 60 * 60 * 1000;

interface MetricSnapshotFields {
  spec?: { metrics?: string[]; interval?: string };
  status?: { data?: Record<string, number> };
}

function intervalCauses(object: KubeObject): StatusCause[] {
  const { spec } = object as KubeObject & MetricSnapshotFields;
  if (spec?.interval === undefined) return [];
  const ms = parseGoDuration(spec.interval);
  if (ms !== undefined && ms >= minimumIntervalMs && ms <= maximumIntervalMs) return [];
  return [
    {
      reason: 'FieldValueInvalid',
      field: 'spec.interval',
      message: `Invalid value: "${spec.interval}": must be a duration between 1s and 24h`,
    },
  ];
}

function strayDataWarnings(object: KubeObject): string[] {
  const { spec, status } = object as KubeObject & MetricSnapshotFields;
  const requested = new Set(spec?.metrics ?? []);
  return Object.keys(status?.data ?? {})
    .filter((metric) => !requested.has(metric))
    .map((metric) => `status.data reports metric "${metric}" which spec.metrics does not list`);
}

/** Rules on the stored (v1) form that the schema cannot say. */
export const metricSnapshotStrategy: ResourceStrategy = {
  validateCreate: (object) => intervalCauses(object),
  validateUpdate: (object) => intervalCauses(object),
  warningsOnCreate: (object) => strayDataWarnings(object),
  warningsOnUpdate: (object) => strayDataWarnings(object),
};
