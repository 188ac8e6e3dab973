import type { Manifest, V1Deployment, V1PersistentVolumeClaim, V1PodDisruptionBudget } from './k8s-types.js';
import { podDisruptionBudget } from './disruption-budget.js';
import type { AggregatedApiServerConfig } from './config.js';
import { objectLabels, selectorLabels } from './labels.js';
import { objectNames } from './names.js';
import { podSecurityContext } from './security-context.js';
import { serverContainer, serverVolumes } from './server-container.js';
import { tolerations, topologySpreadConstraints } from './scheduling.js';

/** Pod template annotation carrying a checksum of the serving material (rolls the pods on change). */
export const SERVING_CERT_CHECKSUM_ANNOTATION = 'checksum/serving-cert';

/**
 * The server Deployment. Rolling updates surge one pod and never take one away before its
 * replacement is ready (an unavailable APIService breaks discovery cluster-wide); embedded
 * storage recreates instead (its ReadWriteOnce volume cannot be shared during a rollout).
 *
 * @param podAnnotations annotations of the pod template, e.g. the serving-material checksum
 */
export function serverDeployment(
  config: AggregatedApiServerConfig,
  podAnnotations: Record<string, string> = {},
): Manifest<V1Deployment> {
  const names = objectNames(config);
  const selector = selectorLabels(config, 'apiserver');
  const spread = topologySpreadConstraints(config, selector, config.replicas);
  const tolerationList = tolerations(config);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: names.deployment,
      namespace: config.namespace,
      labels: objectLabels(config, 'apiserver'),
    },
    spec: {
      replicas: config.replicas,
      selector: { matchLabels: selector },
      strategy:
        config.storage.type === 'embedded'
          ? { type: 'Recreate' }
          : { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: { ...objectLabels(config, 'apiserver'), ...selector },
          ...(Object.keys(podAnnotations).length > 0 ? { annotations: { ...podAnnotations } } : {}),
        },
        spec: {
          serviceAccountName: names.serviceAccount,
          automountServiceAccountToken: true,
          securityContext: podSecurityContext(config),
          containers: [serverContainer(config)],
          volumes: serverVolumes(config),
          ...(config.priorityClassName ? { priorityClassName: config.priorityClassName } : {}),
          ...(Object.keys(config.nodeSelector).length > 0
            ? { nodeSelector: { ...config.nodeSelector } }
            : {}),
          ...(tolerationList.length > 0 ? { tolerations: tolerationList } : {}),
          ...(spread.length > 0 ? { topologySpreadConstraints: spread } : {}),
          ...(config.imagePullSecrets.length > 0
            ? { imagePullSecrets: config.imagePullSecrets.map((name) => ({ name })) }
            : {}),
        },
      },
    },
  };
}

/** The server's PodDisruptionBudget, when it runs more than one replica. */
export function serverPodDisruptionBudget(
  config: AggregatedApiServerConfig,
): Manifest<V1PodDisruptionBudget> | undefined {
  return config.replicas > 1 && !config.external
    ? podDisruptionBudget(config, objectNames(config).podDisruptionBudget, 'apiserver')
    : undefined;
}

/** The data volume of embedded storage. */
export function dataVolumeClaim(
  config: AggregatedApiServerConfig,
): Manifest<V1PersistentVolumeClaim> | undefined {
  if (config.storage.type !== 'embedded') return undefined;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: objectNames(config).dataVolumeClaim,
      namespace: config.namespace,
      labels: objectLabels(config, 'apiserver'),
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: config.storage.size } },
      ...(config.storage.storageClassName ? { storageClassName: config.storage.storageClassName } : {}),
      volumeMode: 'Filesystem',
    },
  };
}
