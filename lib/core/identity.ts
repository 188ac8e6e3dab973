import type { Manifest, V1Namespace, V1ServiceAccount } from './k8s-types.js';
import type { AggregatedApiServerConfig } from './config.js';
import { objectLabels } from './labels.js';
import { objectNames } from './names.js';

/**
 * Pod Security admission labels: everything this package runs meets the `restricted` level, so
 * the namespace enforces it (and warns and audits against it) for whatever else lands there.
 */
export const POD_SECURITY_LABELS: Readonly<Record<string, string>> = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

/** The namespace, labelled for the restricted Pod Security level, unless it already exists (createNamespace: false). */
export function namespaceManifest(config: AggregatedApiServerConfig): Manifest<V1Namespace> | undefined {
  return config.createNamespace
    ? {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: config.namespace, labels: { ...objectLabels(config), ...POD_SECURITY_LABELS } },
      }
    : undefined;
}

/**
 * The server's ServiceAccount, with its token mounted: the server authenticates to
 * kube-apiserver with it for TokenReview, SubjectAccessReview and to read the
 * kube-system/extension-apiserver-authentication ConfigMap.
 */
export function serviceAccount(config: AggregatedApiServerConfig): Manifest<V1ServiceAccount> {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: objectNames(config).serviceAccount,
      namespace: config.namespace,
      labels: objectLabels(config, 'apiserver'),
    },
    automountServiceAccountToken: true,
  };
}
