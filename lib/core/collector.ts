import type { AggregatedApiServerConfig } from './config.js';
import type { V1Volume, V1VolumeMount } from './k8s-types.js';
import { objectNames } from './names.js';

/** Where the Prometheus bearer token Secret is mounted. */
export const PROMETHEUS_TOKEN_DIR = '/var/run/prometheus/token';
/** Where the Prometheus CA ConfigMap is mounted. */
export const PROMETHEUS_CA_DIR = '/var/run/prometheus/ca';
/** Mode of the mounted token: readable by the owner and the pod's fsGroup only. */
export const PROMETHEUS_TOKEN_MODE = 0o440;

const VOLUMES = { token: 'prometheus-token', ca: 'prometheus-ca' } as const;

/**
 * The controllers' flags: leader election on the Lease the construct grants RBAC on (every server
 * takes them), and where the stock image's collector reads Prometheus.
 */
export function controllerArgs(config: AggregatedApiServerConfig): string[] {
  const args = [
    `--leader-elect-resource-name=${objectNames(config).leaderElectionLease}`,
    `--leader-elect-resource-namespace=${config.namespace}`,
  ];
  const prometheus = config.prometheus;
  if (prometheus) {
    args.push(`--prometheus-url=${prometheus.url}`);
    if (prometheus.bearerTokenSecret) {
      args.push(`--prometheus-bearer-token-file=${PROMETHEUS_TOKEN_DIR}/${prometheus.bearerTokenSecret.key}`);
    }
    if (prometheus.caConfigMap) {
      args.push(`--prometheus-ca-file=${PROMETHEUS_CA_DIR}/${prometheus.caConfigMap.key}`);
    }
  }
  return args;
}

/**
 * The token Secret and the CA ConfigMap, each with only its one key (a missing key keeps the pod
 * from starting, with an event naming it, rather than a collector without credentials).
 */
export function prometheusVolumes(config: AggregatedApiServerConfig): V1Volume[] {
  const { bearerTokenSecret: token, caConfigMap: ca } = config.prometheus ?? {};
  return [
    ...(token
      ? [
          {
            name: VOLUMES.token,
            secret: {
              secretName: token.name,
              items: [{ key: token.key, path: token.key }],
              defaultMode: PROMETHEUS_TOKEN_MODE,
            },
          },
        ]
      : []),
    ...(ca
      ? [{ name: VOLUMES.ca, configMap: { name: ca.name, items: [{ key: ca.key, path: ca.key }] } }]
      : []),
  ];
}

/** The read-only mounts of prometheusVolumes. */
export function prometheusVolumeMounts(config: AggregatedApiServerConfig): V1VolumeMount[] {
  return [
    ...(config.prometheus?.bearerTokenSecret
      ? [{ name: VOLUMES.token, mountPath: PROMETHEUS_TOKEN_DIR, readOnly: true }]
      : []),
    ...(config.prometheus?.caConfigMap
      ? [{ name: VOLUMES.ca, mountPath: PROMETHEUS_CA_DIR, readOnly: true }]
      : []),
  ];
}
