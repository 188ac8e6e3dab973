import type { Manifest, V1APIService } from './k8s-types.js';
import type { AggregatedApiServerConfig, GroupVersion } from './config.js';
import { objectLabels } from './labels.js';
import { objectNames } from './names.js';
import { apiServicePort } from './service.js';
import { base64 } from './tls-material.js';

/** The cert-manager CA injector annotation. */
export const INJECT_CA_FROM_ANNOTATION = 'cert-manager.io/inject-ca-from';

/** The name an APIService must have: `<version>.<group>`. */
export function apiServiceName(groupVersion: Pick<GroupVersion, 'group' | 'version'>): string {
  return `${groupVersion.version}.${groupVersion.group}`;
}

/**
 * One APIService per served group/version. How the aggregator trusts the server depends on the
 * TLS mode: a literal caBundle (generated, provided), cert-manager's CA injection, or, for a
 * self-signed server certificate only, insecureSkipTLSVerify.
 *
 * @param caCertificatePem the CA that signed the serving certificate (generated and provided modes)
 */
export function apiServices(
  config: AggregatedApiServerConfig,
  caCertificatePem?: string,
): Manifest<V1APIService>[] {
  const names = objectNames(config);
  const mode = config.tls.mode;
  if ((mode === 'generated' || mode === 'provided') && caCertificatePem === undefined) {
    throw new Error(`tls mode "${mode}" needs the CA certificate to render the APIService caBundle`);
  }
  return config.groupVersions.map((gv) => ({
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: {
      name: apiServiceName(gv),
      labels: objectLabels(config, 'apiserver'),
      ...(mode === 'cert-manager'
        ? {
            annotations: {
              [INJECT_CA_FROM_ANNOTATION]: `${config.namespace}/${names.certManagerServingCertificate}`,
            },
          }
        : {}),
    },
    spec: {
      group: gv.group,
      version: gv.version,
      groupPriorityMinimum: config.groupPriorityMinimum,
      versionPriority: gv.versionPriority,
      service: { name: names.service, namespace: config.namespace, port: apiServicePort(config) },
      ...(caCertificatePem !== undefined && (mode === 'generated' || mode === 'provided')
        ? { caBundle: base64(caCertificatePem) }
        : {}),
      ...(mode === 'self-signed' && config.insecureSkipTLSVerify ? { insecureSkipTLSVerify: true } : {}),
    },
  }));
}
