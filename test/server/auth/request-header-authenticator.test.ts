import { unionAuthenticator } from '../../../server/auth/authenticator.js';
import type { RequestHeaderSettings } from '../../../server/auth/delegated/authentication-settings.js';
import { requestHeaderAuthenticator } from '../../../server/auth/delegated/request-header-authenticator.js';
import { parseCertificateBundle, x509Authenticator } from '../../../server/auth/x509-authenticator.js';
import { allowedFrontProxyName, createAuthPki, type AuthPki } from './support/auth-pki.js';
import { remainingHeaderNames, startTlsAuthServer, type TlsAuthServer } from './support/tls-auth-server.js';

const aggregatorHeaders = {
  'X-Remote-User': 'jane',
  'X-Remote-Uid': 'uid-1234',
  'X-Remote-Group': ['system:authenticated', 'team a, team b'],
  'X-Remote-Extra-Acme.com%2Fproject': ['alpha', 'beta'],
  'X-Remote-Extra-Scopes': 'read',
  'X-Other': 'kept',
};

describe('request-header (front-proxy) authentication over real TLS', () => {
  let pki: AuthPki;
  let settings: RequestHeaderSettings;
  let server: TlsAuthServer;

  beforeAll(async () => {
    pki = await createAuthPki();
    const clientCAs = parseCertificateBundle(pki.clientCA.certPem);
    server = await startTlsAuthServer(
      unionAuthenticator(
        [requestHeaderAuthenticator(() => settings), x509Authenticator(() => clientCAs)],
        true,
      ),
    );
  });
  afterAll(async () => server.close());
  beforeEach(() => {
    settings = {
      caCertificates: parseCertificateBundle(pki.frontProxyCA.certPem),
      usernameHeaders: ['X-Remote-User'],
      uidHeaders: ['X-Remote-Uid'],
      groupHeaders: ['X-Remote-Group'],
      extraHeaderPrefixes: ['X-Remote-Extra-'],
      allowedNames: [allowedFrontProxyName],
    };
  });

  for (const transport of ['HTTP/1.1', 'HTTP/2'] as const) {
    test(`${transport}: an allowed front proxy asserts user, uid, groups (one per header line) and extras, and the headers are removed`, async () => {
      const send = transport === 'HTTP/2' ? server.requestH2 : server.request;
      const answer = await send('/apis/metrics.example.com/v1', {
        identity: pki.frontProxy,
        headers: aggregatorHeaders,
      });
      expect(answer.status).toBe(200);
      expect(answer.user).toEqual({
        name: 'jane',
        uid: 'uid-1234',
        groups: ['system:authenticated', 'team a, team b'],
        extra: { 'acme.com/project': ['alpha', 'beta'], scopes: ['read'] },
      });
      const left = remainingHeaderNames(answer);
      expect(left.filter((h) => h.startsWith('x-remote-'))).toEqual([]);
      expect(left).toContain('x-other');
      expect(Object.keys(answer.headers).filter((h) => h.startsWith('x-remote-'))).toEqual([]);
    });
  }

  test('extra keys named like prototype properties are extras like any other', async () => {
    const answer = await server.request('/apis/metrics.example.com/v1', {
      identity: pki.frontProxy,
      headers: {
        'X-Remote-User': 'jane',
        'X-Remote-Extra-__proto__': 'p',
        'X-Remote-Extra-Constructor': 'c',
        'X-Remote-Extra-Tostring': 't',
      },
    });
    expect(answer.status).toBe(200);
    const extra = answer.user?.extra ?? {};
    expect(Object.keys(extra).sort()).toEqual(['__proto__', 'constructor', 'tostring']);
    expect(Object.getOwnPropertyDescriptor(extra, '__proto__')?.value).toEqual(['p']);
    expect(extra.constructor).toEqual(['c']);
  });

  test('forged headers without any client certificate are not trusted: anonymous', async () => {
    const answer = await server.request('/', { headers: aggregatorHeaders });
    expect(answer.user).toEqual({ name: 'system:anonymous', groups: ['system:unauthenticated'] });
  });

  test('forged headers with a client-CA certificate: the certificate decides (CN/O), never the headers', async () => {
    const answer = await server.request('/', { identity: pki.alice, headers: aggregatorHeaders });
    expect(answer.user).toEqual({ name: 'alice', groups: ['dev', 'ops', 'system:authenticated'] });
  });

  test('forged headers with a certificate of another CA (even with the allowed CN) are not trusted', async () => {
    const answer = await server.request('/', { identity: pki.rogue, headers: aggregatorHeaders });
    expect(answer.status).toBe(200);
    expect(answer.user?.name).toBe('system:anonymous');
  });

  test('a front-proxy certificate whose CN is not in the allowed names is a 401', async () => {
    const answer = await server.request('/', {
      identity: pki.frontProxyOtherName,
      headers: aggregatorHeaders,
    });
    expect(answer.status).toBe(401);
    expect(answer.error).toMatch(/cn=not-the-aggregator is not in the allowed list/);
  });

  test('with no allowed names, any client certificate of the request-header CA may assert headers', async () => {
    settings = { ...settings, allowedNames: [] };
    const answer = await server.request('/', {
      identity: pki.frontProxyOtherName,
      headers: { 'X-Remote-User': 'bob' },
    });
    expect(answer.user).toEqual({ name: 'bob', groups: ['system:authenticated'] });
  });

  test('a front-proxy certificate not meant for client authentication is a 401', async () => {
    const answer = await server.request('/', {
      identity: pki.frontProxyServerOnly,
      headers: aggregatorHeaders,
    });
    expect(answer.status).toBe(401);
    expect(answer.error).toMatch(/not valid for client authentication/);
  });

  test('a good front-proxy certificate without a user name header falls through (anonymous here)', async () => {
    const answer = await server.request('/', {
      identity: pki.frontProxy,
      headers: { 'X-Remote-Group': 'system:masters' },
    });
    expect(answer.user?.name).toBe('system:anonymous');
    expect(answer.user?.groups).not.toContain('system:masters');
  });

  test('no request-header CA configured: headers are never trusted', async () => {
    settings = { ...settings, caCertificates: [] };
    const answer = await server.request('/', { identity: pki.frontProxy, headers: aggregatorHeaders });
    expect(answer.user?.name).toBe('system:anonymous');
  });

  test('the configured header names are used, the first non-empty user name header wins', async () => {
    settings = {
      ...settings,
      usernameHeaders: ['X-Proxy-User', 'X-Remote-User'],
      groupHeaders: ['X-Proxy-Group', 'X-Remote-Group'],
      extraHeaderPrefixes: ['X-Proxy-Extra-'],
      uidHeaders: [],
    };
    const answer = await server.request('/', {
      identity: pki.frontProxy,
      headers: {
        'X-Proxy-User': '',
        'X-Remote-User': 'second',
        'X-Proxy-Group': 'g1',
        'X-Remote-Group': 'g2',
        'X-Remote-Uid': 'ignored',
        'X-Proxy-Extra-Key': 'v',
      },
    });
    expect(answer.user).toEqual({
      name: 'second',
      groups: ['g1', 'g2', 'system:authenticated'],
      extra: { key: ['v'] },
    });
    expect(remainingHeaderNames(answer)).not.toContain('x-proxy-user');
    expect(remainingHeaderNames(answer)).not.toContain('x-proxy-extra-key');
  });
});
