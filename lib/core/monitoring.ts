import type { AggregatedApiServerConfig } from './config.js';
import type { Manifest, ObjectMeta, V1ClusterRole, V1ClusterRoleBinding } from './k8s-types.js';
import { objectLabels, selectorLabels } from './labels.js';
import { objectNames, serviceDnsName } from './names.js';
import { HTTPS_PORT_NAME } from './server-container.js';

/** The path the server serves Prometheus metrics on (authenticated and authorized). */
export const METRICS_PATH = '/metrics';

/** A Prometheus Operator ServiceMonitor (monitoring.coreos.com/v1), the fields rendered here. */
export interface ServiceMonitorManifest {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'ServiceMonitor';
  metadata: ObjectMeta;
  spec: {
    selector: { matchLabels: Record<string, string> };
    namespaceSelector: { matchNames: string[] };
    endpoints: {
      port: string;
      scheme: 'https';
      path: string;
      interval: string;
      bearerTokenFile: string;
      tlsConfig: {
        serverName: string;
        insecureSkipVerify?: boolean;
        ca?: { secret: { name: string; key: string } };
      };
    }[];
  };
}

/** What may read `/metrics`: a nonResourceURL rule (the server authorizes scrapes with SubjectAccessReviews). */
export function metricsReaderClusterRole(
  config: AggregatedApiServerConfig,
): Manifest<V1ClusterRole> | undefined {
  if (!config.metrics) return undefined;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name: objectNames(config).metricsReaderClusterRole,
      labels: objectLabels(config, 'apiserver'),
    },
    rules: [{ nonResourceURLs: [METRICS_PATH], verbs: ['get'] }],
  };
}

/** Binds the metrics reader role to Prometheus's ServiceAccount, when named. */
export function metricsReaderClusterRoleBinding(
  config: AggregatedApiServerConfig,
): Manifest<V1ClusterRoleBinding> | undefined {
  const prometheus = config.metrics?.prometheusServiceAccount;
  if (!prometheus) return undefined;
  const names = objectNames(config);
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: names.metricsReaderClusterRoleBinding, labels: objectLabels(config, 'apiserver') },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: names.metricsReaderClusterRole,
    },
    subjects: [{ kind: 'ServiceAccount', name: prometheus.name, namespace: prometheus.namespace }],
  };
}

/**
 * The ServiceMonitor: scrape the server's Service over TLS with Prometheus's own token,
 * verifying `<service>.<namespace>.svc` against the CA in the serving Secret's `ca.crt` (every
 * TLS mode but self-signed writes one there; self-signed cannot be verified).
 */
export function serviceMonitor(config: AggregatedApiServerConfig): ServiceMonitorManifest | undefined {
  const metrics = config.metrics;
  if (!metrics?.serviceMonitor) return undefined;
  const names = objectNames(config);
  const verifiable = config.tls.mode !== 'self-signed';
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: {
      name: names.serviceMonitor,
      namespace: config.namespace,
      labels: { ...objectLabels(config, 'apiserver'), ...metrics.serviceMonitorLabels },
    },
    spec: {
      selector: { matchLabels: selectorLabels(config, 'apiserver') },
      namespaceSelector: { matchNames: [config.namespace] },
      endpoints: [
        {
          port: HTTPS_PORT_NAME,
          scheme: 'https',
          path: METRICS_PATH,
          interval: metrics.interval,
          bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
          tlsConfig: verifiable
            ? {
                serverName: serviceDnsName(config),
                ca: { secret: { name: names.servingSecret, key: 'ca.crt' } },
              }
            : { serverName: serviceDnsName(config), insecureSkipVerify: true },
        },
      ],
    },
  };
}
