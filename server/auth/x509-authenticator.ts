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

/**
 * The connection's client certificate, parsed once per TLS socket: every request of an HTTP/2
 * session (the aggregator sends all of them on one) gets the same object, so what is worked out
 * from it (see `verifyClientCertificate`) is worked out once per connection. The certificate
 * cannot change under an open connection: the server refuses renegotiation (secure-server.ts),
 * as Go's TLS server does.
 */
export function peerCertificate(req: ServerRequest): X509Certificate | undefined {
  const socket = tlsSocketOf(req);
  if (!socket) return undefined;
  if (peerCertificates.has(socket)) return peerCertificates.get(socket);
  // Requests arrive once the handshake is done: the peer's certificate is final.
  const certificate = socket.getPeerX509Certificate();
  peerCertificates.set(socket, certificate);
  return certificate;
}

const peerCertificates = new WeakMap<TLSSocket, X509Certificate | undefined>();

/** Parses the certificates of a PEM bundle. */
export function parseCertificateBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

/** The subject's attribute values of one type (CN, O) from Node's `a=b\nc=d` subject string. */
export function subjectValues(certificate: X509Certificate, attribute: string): string[] {
  return factsOf(certificate)
    .subject.split('\n')
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
  const facts = factsOf(certificate);
  const time = now.getTime();
  if (time < facts.validFrom || time > facts.validTo) return 'certificate has expired or is not yet valid';
  if (!facts.forClientAuth) return 'certificate is not valid for client authentication';
  const issuer = cas.find((ca) => isSignedBy(certificate, ca));
  return issuer ? undefined : 'certificate signed by unknown authority';
}

/**
 * Whether `ca` issued the certificate and its signature checks out. The answer for one pair of
 * certificate objects never changes, so it is remembered: a connection's certificate (one object
 * per socket, see `peerCertificate`) has its signature checked once per CA, not once per request.
 * A reloaded CA bundle is parsed into new objects, so it is checked afresh; the validity period
 * is still compared with the clock on every request.
 */
export function isSignedBy(certificate: X509Certificate, ca: X509Certificate): boolean {
  const known = factsOf(certificate).signedBy;
  let signed = known.get(ca);
  if (signed === undefined) {
    signed = certificate.checkIssued(ca) && certificate.verify(ca.publicKey);
    known.set(ca, signed);
  }
  return signed;
}

/** What never changes about a certificate, read once (Node's getters parse on every call). */
interface CertificateFacts {
  readonly validFrom: number;
  readonly validTo: number;
  readonly forClientAuth: boolean;
  readonly subject: string;
  readonly signedBy: WeakMap<X509Certificate, boolean>;
}

const certificateFacts = new WeakMap<X509Certificate, CertificateFacts>();

function factsOf(certificate: X509Certificate): CertificateFacts {
  let facts = certificateFacts.get(certificate);
  if (!facts) {
    const usages = certificate.keyUsage;
    facts = {
      validFrom: new Date(certificate.validFrom).getTime(),
      validTo: new Date(certificate.validTo).getTime(),
      forClientAuth: !usages || usages.includes(clientAuthUsage),
      subject: certificate.subject,
      signedBy: new WeakMap(),
    };
    certificateFacts.set(certificate, facts);
  }
  return facts;
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
