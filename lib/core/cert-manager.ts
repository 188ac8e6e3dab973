import { CA_KEY_USAGES, SERVING_KEY_USAGES, servingCertificateSpec } from './certificate.js';
import type { AggregatedApiServerConfig } from './config.js';
import type { ObjectMeta } from './k8s-types.js';
import { objectLabels } from './labels.js';
import { objectNames } from './names.js';

/** cert-manager's API version. */
export const CERT_MANAGER_API_VERSION = 'cert-manager.io/v1';

/** A cert-manager issuer reference. */
export interface IssuerRef {
  name: string;
  kind: string;
  group: string;
}

/** A cert-manager Issuer (self-signed or CA). */
export interface CertManagerIssuer {
  apiVersion: string;
  kind: 'Issuer';
  metadata: ObjectMeta;
  spec: { selfSigned: Record<string, never> } | { ca: { secretName: string } };
}

/** A cert-manager Certificate. */
export interface CertManagerCertificate {
  apiVersion: string;
  kind: 'Certificate';
  metadata: ObjectMeta;
  spec: {
    secretName: string;
    commonName: string;
    isCA?: boolean;
    dnsNames?: string[];
    ipAddresses?: string[];
    duration: string;
    renewBefore?: string;
    usages: string[];
    privateKey: { algorithm: 'RSA'; size: number; rotationPolicy: 'Always' };
    issuerRef: IssuerRef;
    secretTemplate?: { labels: Record<string, string> };
  };
}

/** The cert-manager objects of a deployment. */
export interface CertManagerManifests {
  /** Bootstrap self-signed Issuer (absent with a user-named issuer). */
  selfSignedIssuer?: CertManagerIssuer;
  /** The deployment's CA Certificate (absent with a user-named issuer). */
  caCertificate?: CertManagerCertificate;
  /** The CA Issuer signing the serving certificate (absent with a user-named issuer). */
  caIssuer?: CertManagerIssuer;
  /** The serving Certificate; its Secret is the one the pods mount. */
  servingCertificate: CertManagerCertificate;
}

/**
 * cert-manager mode: a self-signed bootstrap Issuer signs a CA Certificate, a CA Issuer backed by
 * it signs the serving Certificate (or the user's issuer does). The serving Secret gets
 * tls.crt, tls.key and ca.crt, and the CA injector copies ca.crt into each APIService.
 */
export function certManagerManifests(config: AggregatedApiServerConfig): CertManagerManifests {
  const tls = config.tls;
  if (tls.mode !== 'cert-manager') throw new Error('tls mode is not cert-manager');
  const names = objectNames(config);
  const spec = servingCertificateSpec(config);
  const meta = (name: string): ObjectMeta => ({
    name,
    namespace: config.namespace,
    labels: objectLabels(config, 'apiserver'),
  });
  const privateKey = { algorithm: 'RSA' as const, size: spec.rsaBits, rotationPolicy: 'Always' as const };
  const servingCertificate = (issuerRef: IssuerRef): CertManagerCertificate => ({
    apiVersion: CERT_MANAGER_API_VERSION,
    kind: 'Certificate',
    metadata: meta(names.certManagerServingCertificate),
    spec: {
      secretName: names.servingSecret,
      commonName: spec.commonName,
      dnsNames: [...spec.dnsNames],
      ...(spec.ipAddresses.length > 0 ? { ipAddresses: [...spec.ipAddresses] } : {}),
      duration: tls.duration,
      renewBefore: tls.renewBefore,
      usages: [...SERVING_KEY_USAGES],
      privateKey,
      issuerRef,
      secretTemplate: { labels: objectLabels(config, 'apiserver') },
    },
  });
  if (tls.issuerRef) {
    return { servingCertificate: servingCertificate({ ...tls.issuerRef }) };
  }
  return {
    selfSignedIssuer: {
      apiVersion: CERT_MANAGER_API_VERSION,
      kind: 'Issuer',
      metadata: meta(names.certManagerSelfSignedIssuer),
      spec: { selfSigned: {} },
    },
    caCertificate: {
      apiVersion: CERT_MANAGER_API_VERSION,
      kind: 'Certificate',
      metadata: meta(names.certManagerCaCertificate),
      spec: {
        secretName: names.certManagerCaSecret,
        commonName: spec.caCommonName,
        isCA: true,
        duration: tls.caDuration,
        usages: [...CA_KEY_USAGES],
        privateKey,
        issuerRef: { name: names.certManagerSelfSignedIssuer, kind: 'Issuer', group: 'cert-manager.io' },
      },
    },
    caIssuer: {
      apiVersion: CERT_MANAGER_API_VERSION,
      kind: 'Issuer',
      metadata: meta(names.certManagerCaIssuer),
      spec: { ca: { secretName: names.certManagerCaSecret } },
    },
    servingCertificate: servingCertificate({
      name: names.certManagerCaIssuer,
      kind: 'Issuer',
      group: 'cert-manager.io',
    }),
  };
}
