import type { Manifest, V1Secret } from './k8s-types.js';
import type { AggregatedApiServerConfig } from './config.js';
import { objectLabels, type Component } from './labels.js';
import { objectNames } from './names.js';
import { base64, type TlsMaterial } from './tls-material.js';

/** The `data` of the serving Secret: tls.crt, tls.key and ca.crt, base64-encoded. */
export function servingSecretData(material: TlsMaterial): Record<string, string> {
  return {
    'ca.crt': base64(material.caCertificatePem),
    'tls.crt': base64(material.certificatePem),
    'tls.key': base64(material.privateKeyPem),
  };
}

/**
 * The serving Secret (type kubernetes.io/tls, the same keys cert-manager writes), mounted
 * read-only into the server pods.
 */
export function servingSecret(config: AggregatedApiServerConfig, material: TlsMaterial): Manifest<V1Secret> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: objectNames(config).servingSecret,
      namespace: config.namespace,
      labels: objectLabels(config, 'apiserver'),
    },
    type: 'kubernetes.io/tls',
    data: servingSecretData(material),
  };
}

/**
 * Self-managed TLS: the Secret the server fills at startup (CA, serving certificate, trust
 * bundle), rendered empty so that the server's RBAC can name it and no key is ever in a
 * manifest. Apply tools leave the data the server writes alone: it is not in the manifest.
 */
export function selfManagedServingSecret(config: AggregatedApiServerConfig): Manifest<V1Secret> | undefined {
  if (config.tls.mode !== 'self-managed') return undefined;
  return emptySelfManagedSecret(
    config,
    objectNames(config).servingSecret,
    'apiserver',
    'the server keeps its CA and serving certificate here',
  );
}

/** A Secret rendered without data, marked as the server's to fill. */
function emptySelfManagedSecret(
  config: AggregatedApiServerConfig,
  name: string,
  component: Component,
  purpose: string,
): Manifest<V1Secret> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace: config.namespace,
      labels: objectLabels(config, component),
      annotations: { [SELF_MANAGED_ANNOTATION]: purpose },
    },
    type: 'Opaque',
  };
}

/** Marks the self-managed Secret (the server writes its data; nothing else should). */
export const SELF_MANAGED_ANNOTATION = 'aggregated-apiserver.io/self-managed';

/**
 * The dedicated etcd's TLS Secret, rendered empty: the server makes the PKI at startup (see the
 * dedicated etcd's `tls` option) and the members mount it once filled.
 */
export function etcdTlsSecret(config: AggregatedApiServerConfig): Manifest<V1Secret> | undefined {
  if (config.storage.type !== 'dedicated-etcd' || !config.storage.tls) return undefined;
  return emptySelfManagedSecret(
    config,
    objectNames(config).etcdTlsSecret,
    'etcd',
    'the server keeps the PKI of its etcd here',
  );
}
