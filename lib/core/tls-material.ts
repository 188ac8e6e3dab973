import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import type { ServingCertificateSpec } from './certificate.js';

/** The PEMs a server needs: its certificate and key, and the CA the aggregator trusts. */
export interface TlsMaterial {
  /** The CA certificate (the APIService caBundle, base64-encoded). */
  readonly caCertificatePem: string;
  /** The serving certificate (chain) the server presents. */
  readonly certificatePem: string;
  /** The serving certificate's private key. */
  readonly privateKeyPem: string;
}

/** Whether a certificate covers every DNS name and IP address of the spec (SANs only, like Go). */
export function certificateCovers(
  certificate: X509Certificate,
  spec: Pick<ServingCertificateSpec, 'dnsNames' | 'ipAddresses'>,
): boolean {
  return (
    spec.dnsNames.every(
      (dns) => certificate.checkHost(dns, { subject: 'never', wildcards: false }) !== undefined,
    ) && spec.ipAddresses.every((ip) => certificate.checkIP(ip) !== undefined)
  );
}

/**
 * Checks TLS material the way the aggregator and the server will use it: everything parses, the
 * CA is a CA, the serving certificate was issued and signed by it, the key matches the
 * certificate, the certificate covers the Service names and is currently valid. Returns the
 * problems found (empty when the material is usable). `what` prefixes each message.
 */
export function verifyTlsMaterial(
  material: TlsMaterial,
  spec: Pick<ServingCertificateSpec, 'dnsNames' | 'ipAddresses'>,
  what: string,
  now: Date = new Date(),
): string[] {
  const problems: string[] = [];
  let ca: X509Certificate | undefined;
  let certificate: X509Certificate | undefined;
  try {
    ca = new X509Certificate(material.caCertificatePem);
  } catch (e) {
    problems.push(`${what}: the CA certificate does not parse as PEM X.509 (${(e as Error).message})`);
  }
  try {
    certificate = new X509Certificate(material.certificatePem);
  } catch (e) {
    problems.push(`${what}: the serving certificate does not parse as PEM X.509 (${(e as Error).message})`);
  }
  let key: ReturnType<typeof createPrivateKey> | undefined;
  try {
    key = createPrivateKey(material.privateKeyPem);
  } catch (e) {
    problems.push(`${what}: the private key does not parse as a PEM private key (${(e as Error).message})`);
  }
  if (ca && !ca.ca) problems.push(`${what}: the CA certificate is not a CA (basicConstraints CA:FALSE)`);
  if (ca && certificate && !(certificate.checkIssued(ca) && certificate.verify(ca.publicKey))) {
    problems.push(
      `${what}: the serving certificate (issuer "${certificate.issuer.replace(/\n/g, ', ')}") is not signed by the CA ("${ca.subject.replace(/\n/g, ', ')}"); the aggregator would reject it`,
    );
  }
  if (certificate && key && !certificate.checkPrivateKey(key)) {
    problems.push(`${what}: the private key does not belong to the serving certificate`);
  }
  if (certificate && !certificateCovers(certificate, spec)) {
    problems.push(
      `${what}: the serving certificate must have SANs for ${[...spec.dnsNames, ...spec.ipAddresses].join(', ')} (has ${certificate.subjectAltName ?? 'none'})`,
    );
  }
  for (const [label, cert] of [
    ['CA certificate', ca],
    ['serving certificate', certificate],
  ] as const) {
    if (!cert) continue;
    if (new Date(cert.validTo).getTime() <= now.getTime())
      problems.push(`${what}: the ${label} expired on ${cert.validTo}`);
    if (new Date(cert.validFrom).getTime() > now.getTime())
      problems.push(`${what}: the ${label} is not valid before ${cert.validFrom}`);
  }
  return problems;
}

/** base64 of a UTF-8 string (Secret data, caBundle). */
export function base64(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}

/** A stable fingerprint of the serving material, used to roll the pods when it changes. */
export function tlsMaterialChecksum(material: TlsMaterial): string {
  return createHash('sha256')
    .update(material.caCertificatePem)
    .update('\0')
    .update(material.certificatePem)
    .update('\0')
    .update(material.privateKeyPem)
    .digest('hex');
}
