import type { AggregatedApiServerConfig } from './config.js';
import { objectNames } from './names.js';

/**
 * What the serving certificate must look like, whoever issues it (synth-time generator,
 * @pulumi/tls, cert-manager).
 */
export interface ServingCertificateSpec {
  /** Subject common name: `<service>.<namespace>.svc`. */
  readonly commonName: string;
  /**
   * DNS SANs: `<service>.<namespace>.svc` (what the aggregator verifies), `<service>.<namespace>`,
   * `<service>.<namespace>.svc.<clusterDomain>`, then any additional names.
   */
  readonly dnsNames: readonly string[];
  /** IP SANs (only additional ones). */
  readonly ipAddresses: readonly string[];
  /** Validity of the serving certificate, in days. */
  readonly validityDays: number;
  /** Re-issue when it expires within this many days. */
  readonly renewBeforeDays: number;
  /** Common name of a CA created for this deployment. */
  readonly caCommonName: string;
  /** Validity of a CA created for this deployment, in days. */
  readonly caValidityDays: number;
  /** RSA modulus length of generated keys. */
  readonly rsaBits: number;
}

/** Key usages of the serving certificate, in cert-manager's spelling. */
export const SERVING_KEY_USAGES = ['digital signature', 'key encipherment', 'server auth'] as const;

/** Key usages of a CA certificate, in cert-manager's spelling. */
export const CA_KEY_USAGES = ['cert sign', 'crl sign', 'digital signature'] as const;

/** The same key usages in @pulumi/tls `allowedUses` spelling. */
export const PULUMI_TLS_ALLOWED_USES = {
  serving: ['digital_signature', 'key_encipherment', 'server_auth'],
  ca: ['cert_signing', 'crl_signing', 'digital_signature'],
} as const;

/** The DNS names the serving certificate must cover for the Service. */
export function serviceDnsNames(
  config: Pick<AggregatedApiServerConfig, 'name' | 'namespace' | 'clusterDomain'>,
): string[] {
  const service = objectNames(config).service;
  return [
    `${service}.${config.namespace}.svc`,
    `${service}.${config.namespace}`,
    `${service}.${config.namespace}.svc.${config.clusterDomain}`,
  ];
}

/** The serving certificate of a deployment. */
export function servingCertificateSpec(config: AggregatedApiServerConfig): ServingCertificateSpec {
  const tls = config.tls;
  const named = tls.mode === 'generated' || tls.mode === 'cert-manager' || tls.mode === 'self-managed';
  const extraDns = named ? tls.additionalDnsNames : [];
  const extraIps = named ? tls.additionalIpAddresses : [];
  const base = serviceDnsNames(config);
  return {
    commonName: base[0],
    dnsNames: [...base, ...extraDns.filter((d) => !base.includes(d))],
    ipAddresses: [...new Set(extraIps)],
    validityDays: tls.mode === 'generated' || tls.mode === 'self-managed' ? tls.servingValidityDays : 365,
    renewBeforeDays: tls.mode === 'generated' ? tls.renewBeforeDays : 30,
    caCommonName: `${config.namespace}/${objectNames(config).service} aggregated API server CA`,
    caValidityDays: tls.mode === 'generated' || tls.mode === 'self-managed' ? tls.caValidityDays : 3650,
    rsaBits: 2048,
  };
}
