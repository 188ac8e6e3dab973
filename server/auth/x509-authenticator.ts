import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { ServerRequest } from '../http/exchange.js';
import { AuthenticationError, type Authenticator, type UserInfo } from './authenticator.js';

const clientAuthUsage = '1.3.6.1.5.5.7.3.2';

/** The TLS socket under an HTTP/1.1 or HTTP/2 request. */
export function tlsSocketOf(req: ServerRequest): TLSSocket | undefined {
  const socket = ('stream' in req ? req.stream.session?.socket : req.socket) as TLSSocket | undefined;
  return socket && typeof socket.getPeerX509Certificate === 'function' ? socket : undefined;
}

export function peerCertificate(req: ServerRequest): X509Certificate | undefined {
  return tlsSocketOf(req)?.getPeerX509Certificate();
}

/** Parses the certificates of a PEM bundle. */
export function parseCertificateBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

/** The subject's attribute values of one type (CN, O) from Node's `a=b\nc=d` subject string. */
export function subjectValues(certificate: X509Certificate, attribute: string): string[] {
  return certificate.subject
    .split('\n')
    .filter((line) => line.startsWith(`${attribute}=`))
    .map((line) => line.slice(attribute.length + 1));
}

/**
 * Whether the certificate was issued by one of the CAs, is within its validity period and is
 * meant for client authentication. The TLS layer only requests client certificates; trust is
 * decided here because different CAs grant different things (client CA vs front-proxy CA).
 */
export function verifyClientCertificate(
  certificate: X509Certificate,
  cas: readonly X509Certificate[],
  now = new Date(),
): string | undefined {
  if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo))
    return 'certificate has expired or is not yet valid';
  const usages = certificate.keyUsage;
  if (usages && !usages.includes(clientAuthUsage))
    return 'certificate is not valid for client authentication';
  const issuer = cas.find((ca) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey));
  return issuer ? undefined : 'certificate signed by unknown authority';
}

/**
 * Client certificates signed by the client CA: user = CN, groups = O, as kube-apiserver
 * maps them. `cas` is read on each request so a reloaded CA takes effect at once.
 */
export function x509Authenticator(cas: () => readonly X509Certificate[]): Authenticator {
  return {
    async authenticate(req): Promise<UserInfo | undefined> {
      const certificate = peerCertificate(req);
      const trusted = cas();
      if (!certificate || trusted.length === 0) return undefined;
      const problem = verifyClientCertificate(certificate, trusted);
      if (problem) {
        // A certificate from another CA (e.g. the front proxy's) is for another authenticator.
        if (problem === 'certificate signed by unknown authority') return undefined;
        throw new AuthenticationError(`x509: ${problem}`);
      }
      const [name] = subjectValues(certificate, 'CN');
      if (!name) throw new AuthenticationError('x509: the client certificate has no common name');
      return { name, groups: subjectValues(certificate, 'O') };
    },
  };
}
