import type { KubeObject, StatusCause } from '../../../api/types.js';
import type { ResourceStrategy } from '../resource-definition.js';
import { parseGoDuration } from '../../util/duration.js';

const minimumIntervalMs = 1000;
const maximumIntervalMs = 24 * 60 * 60 * 1000;

interface MetricSnapshotFields {
  spec?: { metrics?: string[]; interval?: string };
  status?: { data?: Record<string, number> };
}

/** Rules on the stored (v1) form that the schema cannot say. */
export const metricSnapshotStrategy: ResourceStrategy = {
  validate(object: KubeObject): StatusCause[] {
    const { spec } = object as KubeObject & MetricSnapshotFields;
    const causes: StatusCause[] = [];
    if (spec?.interval !== undefined) {
      const ms = parseGoDuration(spec.interval);
      if (ms === undefined || ms < minimumIntervalMs || ms > maximumIntervalMs) {
        causes.push({
          reason: 'FieldValueInvalid',
          field: 'spec.interval',
          message: `Invalid value: "${spec.interval}": must be a duration between 1s and 24h`,
        });
      }
    }
    return causes;
  },

  warnings(object: KubeObject): string[] {
    const { spec, status } = object as KubeObject & MetricSnapshotFields;
    const requested = new Set(spec?.metrics ?? []);
    return Object.keys(status?.data ?? {})
      .filter((metric) => !requested.has(metric))
      .map((metric) => `status.data reports metric "${metric}" which spec.metrics does not list`);
  },
};
