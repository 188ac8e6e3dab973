import { X509Certificate } from 'node:crypto';
import { jest } from '@jest/globals';
import { unionAuthenticator } from '../../../server/auth/authenticator.js';
import type { RequestHeaderSettings } from '../../../server/auth/delegated/authentication-settings.js';
import { requestHeaderAuthenticator } from '../../../server/auth/delegated/request-header-authenticator.js';
import {
  parseCertificateBundle,
  verifyClientCertificate,
  x509Authenticator,
} from '../../../server/auth/x509-authenticator.js';
import { allowedFrontProxyName, createAuthPki, type AuthPki } from './support/auth-pki.js';
import { startTlsAuthServer, type TlsAuthServer } from './support/tls-auth-server.js';

const path = '/apis/metrics.example.com/v1';
const asJane = { 'x-remote-user': 'jane', 'x-remote-group': 'system:masters' };

describe('client certificates are verified once per connection', () => {
  let pki: AuthPki;
  let frontProxyCAs: X509Certificate[];
  let clientCAs: X509Certificate[];
  let server: TlsAuthServer;

  beforeAll(async () => {
    pki = await createAuthPki();
    clientCAs = parseCertificateBundle(pki.clientCA.certPem);
    server = await startTlsAuthServer(
      unionAuthenticator(
        [requestHeaderAuthenticator(() => settings(frontProxyCAs)), x509Authenticator(() => clientCAs)],
        true,
      ),
    );
  });
  afterAll(async () => server.close());
  beforeEach(() => {
    frontProxyCAs = parseCertificateBundle(pki.frontProxyCA.certPem);
  });
  afterEach(() => jest.restoreAllMocks());

  test("checks a connection's certificate signature once, however many requests the connection carries", async () => {
    const verify = jest.spyOn(X509Certificate.prototype, 'verify');
    const connection = server.openH2Session(pki.frontProxy);
    try {
      for (let i = 0; i < 5; i++) expect((await connection.request(path, asJane)).user?.name).toBe('jane');
    } finally {
      connection.close();
    }
    expect(verify).toHaveBeenCalledTimes(1);
  });

  test('checks each connection afresh', async () => {
    const verify = jest.spyOn(X509Certificate.prototype, 'verify');
    for (let i = 0; i < 2; i++) {
      const connection = server.openH2Session(pki.frontProxy);
      await connection.request(path, asJane);
      connection.close();
    }
    expect(verify).toHaveBeenCalledTimes(2);
  });

  test('a request-header CA bundle reloaded while a connection is open applies to its next request', async () => {
    const connection = server.openH2Session(pki.frontProxy);
    try {
      expect((await connection.request(path, asJane)).user?.name).toBe('jane');
      // The front-proxy CA is gone: the same connection's headers are no longer believed.
      frontProxyCAs = parseCertificateBundle(pki.clientCA.certPem);
      const untrusted = await connection.request(path, asJane);
      expect(untrusted.status).toBe(200);
      expect(untrusted.user?.name).not.toBe('jane');
      // Back again (parsed anew, as a reload does): trusted again.
      frontProxyCAs = parseCertificateBundle(pki.frontProxyCA.certPem);
      expect((await connection.request(path, asJane)).user?.name).toBe('jane');
    } finally {
      connection.close();
    }
  });

  test('a client CA reloaded while a connection is open applies to its next request', async () => {
    const connection = server.openH2Session(pki.alice);
    const before = clientCAs;
    try {
      const first = await connection.request(path);
      expect(first.user?.name).toBe('alice');
      clientCAs = parseCertificateBundle(pki.frontProxyCA.certPem);
      expect((await connection.request(path)).user?.name).not.toBe('alice');
    } finally {
      clientCAs = before;
      connection.close();
    }
  });

  test('a certificate already verified is refused once it has expired', () => {
    const certificate = new X509Certificate(pki.alice.certPem);
    expect(verifyClientCertificate(certificate, clientCAs)).toBeUndefined();
    const afterExpiry = new Date(new Date(certificate.validTo).getTime() + 1000);
    expect(verifyClientCertificate(certificate, clientCAs, afterExpiry)).toBe(
      'certificate has expired or is not yet valid',
    );
    expect(verifyClientCertificate(certificate, clientCAs)).toBeUndefined();
  });
});

function settings(caCertificates: X509Certificate[]): RequestHeaderSettings {
  return {
    caCertificates,
    usernameHeaders: ['X-Remote-User'],
    uidHeaders: ['X-Remote-Uid'],
    groupHeaders: ['X-Remote-Group'],
    extraHeaderPrefixes: ['X-Remote-Extra-'],
    allowedNames: [allowedFrontProxyName],
  };
}
