import type { V1Toleration, V1TopologySpreadConstraint } from './k8s-types.js';
import type { AggregatedApiServerConfig } from './config.js';

/**
 * Spread `replicas` pods across nodes (and, softly, zones) so that losing one node does not take
 * the APIService down. Nothing to spread for a single replica.
 */
export function topologySpreadConstraints(
  config: Pick<AggregatedApiServerConfig, 'topologySpread'>,
  matchLabels: Record<string, string>,
  replicas: number,
): V1TopologySpreadConstraint[] {
  if (replicas < 2 || config.topologySpread === 'none') return [];
  return [
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: config.topologySpread === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector: { matchLabels: { ...matchLabels } },
    },
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { ...matchLabels } },
    },
  ];
}

/** The configured tolerations, in pod-spec form. */
export function tolerations(config: Pick<AggregatedApiServerConfig, 'tolerations'>): V1Toleration[] {
  return config.tolerations.map((t) => ({
    key: t.key,
    operator: t.operator ?? 'Equal',
    value: t.value,
    effect: t.effect,
    tolerationSeconds: t.tolerationSeconds,
  }));
}
