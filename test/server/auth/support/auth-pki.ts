import {
  createCertificateAuthority,
  issueCertificate,
  type KeyPairPem,
} from '../../../../server/pki/certificates.js';

/** Real CAs and client certificates for the authentication tests. */
export interface AuthPki {
  readonly frontProxyCA: KeyPairPem;
  readonly clientCA: KeyPairPem;
  readonly rogueCA: KeyPairPem;
  /** Front-proxy CA, CN front-proxy-client (the allowed name), client auth. */
  readonly frontProxy: KeyPairPem;
  /** Front-proxy CA, CN not-the-aggregator: not in the allowed names. */
  readonly frontProxyOtherName: KeyPairPem;
  /** Front-proxy CA, CN front-proxy-client, but server auth only. */
  readonly frontProxyServerOnly: KeyPairPem;
  /** Client CA, CN alice, O dev and ops. */
  readonly alice: KeyPairPem;
  /** Client CA, CN root, O system:masters. */
  readonly root: KeyPairPem;
  /** Rogue CA, CN front-proxy-client: looks like the aggregator, is not. */
  readonly rogue: KeyPairPem;
}

export const allowedFrontProxyName = 'front-proxy-client';

export async function createAuthPki(): Promise<AuthPki> {
  const [frontProxyCA, clientCA, rogueCA] = await Promise.all([
    createCertificateAuthority('front-proxy-ca'),
    createCertificateAuthority('client-ca'),
    createCertificateAuthority('rogue-ca'),
  ]);
  const client = (ca: KeyPairPem, commonName: string, organizations: string[] = []): Promise<KeyPairPem> =>
    issueCertificate(ca, { commonName, organizations, usage: 'client', validityDays: 1 });
  const [frontProxy, frontProxyOtherName, frontProxyServerOnly, alice, root, rogue] = await Promise.all([
    client(frontProxyCA, allowedFrontProxyName),
    client(frontProxyCA, 'not-the-aggregator'),
    issueCertificate(frontProxyCA, { commonName: allowedFrontProxyName, usage: 'server', validityDays: 1 }),
    client(clientCA, 'alice', ['dev', 'ops']),
    client(clientCA, 'root', ['system:masters']),
    client(rogueCA, allowedFrontProxyName),
  ]);
  return {
    frontProxyCA,
    clientCA,
    rogueCA,
    frontProxy,
    frontProxyOtherName,
    frontProxyServerOnly,
    alice,
    root,
    rogue,
  };
}

/** The data of kube-system/extension-apiserver-authentication as kube-apiserver publishes it. */
export function extensionApiserverAuthenticationData(
  pki: AuthPki,
  requestHeaderCA: KeyPairPem = pki.frontProxyCA,
): Record<string, string> {
  return {
    'client-ca-file': pki.clientCA.certPem,
    'requestheader-client-ca-file': requestHeaderCA.certPem,
    'requestheader-username-headers': '["X-Remote-User"]',
    'requestheader-uid-headers': '["X-Remote-Uid"]',
    'requestheader-group-headers': '["X-Remote-Group"]',
    'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
    'requestheader-allowed-names': `["${allowedFrontProxyName}"]`,
  };
}
