import type { Manifest, V1PodDisruptionBudget } from './k8s-types.js';
import type { AggregatedApiServerConfig } from './config.js';
import { type Component, objectLabels, selectorLabels } from './labels.js';

/**
 * A PodDisruptionBudget for pods of `component`: at most one voluntarily evicted at a time;
 * unhealthy pods may always be evicted so a broken rollout never blocks a node drain.
 */
export function podDisruptionBudget(
  config: AggregatedApiServerConfig,
  name: string,
  component: Component,
): Manifest<V1PodDisruptionBudget> {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: config.namespace, labels: objectLabels(config, component) },
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: selectorLabels(config, component) },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  };
}
