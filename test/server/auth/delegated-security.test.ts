import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDelegatedSecurity,
  type DelegatedSecurity,
} from '../../../server/auth/delegated/delegated-security.js';
import { NotInClusterError } from '../../../server/auth/delegated/kube-client.js';
import { parseServerFlags } from '../../../server/options/server-flags.js';
import { createCertificateAuthority, issueCertificate } from '../../../server/pki/certificates.js';
import { silentLogger } from '../../../server/util/logger.js';
import {
  allowedFrontProxyName,
  createAuthPki,
  extensionApiserverAuthenticationData,
  type AuthPki,
} from './support/auth-pki.js';
import { withClusterEnv } from './support/cluster-env.js';
import { startFakeKubeApiServer, until, type FakeKubeApiServer } from './support/fake-kube-apiserver.js';
import { remainingHeaderNames, startTlsAuthServer, type TlsAuthServer } from './support/tls-auth-server.js';

const resourcePath = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

describe('createDelegatedSecurity against a fake kube-apiserver', () => {
  let pki: AuthPki;
  let fake: FakeKubeApiServer;
  let security: DelegatedSecurity;
  let server: TlsAuthServer;

  beforeAll(async () => {
    pki = await createAuthPki();
    fake = await startFakeKubeApiServer();
    fake.tokens.set('jane-token', { username: 'jane', uid: 'jane-uid', groups: ['dev'] });
    fake.setConfigMap(extensionApiserverAuthenticationData(pki));
    const flags = parseServerFlags([
      `--authentication-kubeconfig=${fake.kubeconfigPath}`,
      `--authorization-kubeconfig=${fake.kubeconfigPath}`,
      '--authentication-token-webhook-cache-ttl=10s',
      '--authorization-webhook-cache-authorized-ttl=10s',
      '--authorization-webhook-cache-unauthorized-ttl=10s',
    ]);
    security = await createDelegatedSecurity(flags, silentLogger, {
      retryBackoff: { initialMs: 20, maxMs: 100 },
    });
    server = await startTlsAuthServer(security.authenticator, security.authorizer);
  });
  afterAll(async () => {
    await security.close();
    await server.close();
    await fake.close();
  });

  test('ready once the ConfigMap is read', async () => {
    await expect(security.readyCheck.check()).resolves.toBeUndefined();
  });

  test('the aggregator (front proxy) over HTTP/2: its user, then SubjectAccessReview for that user', async () => {
    const answer = await server.requestH2(resourcePath, {
      identity: pki.frontProxy,
      headers: {
        'X-Remote-User': 'ada',
        'X-Remote-Group': ['team-1', 'team-2'],
        'X-Remote-Extra-Reason': 'on call',
      },
    });
    expect(answer.user).toEqual({
      name: 'ada',
      groups: ['team-1', 'team-2', 'system:authenticated'],
      extra: { reason: ['on call'] },
    });
    expect(answer.decision).toEqual({ allowed: true, reason: 'allowed by the fake' });
    expect(fake.subjectAccessReviews.at(-1)?.spec).toEqual({
      user: 'ada',
      groups: ['team-1', 'team-2', 'system:authenticated'],
      extra: { reason: ['on call'] },
      resourceAttributes: {
        namespace: 'default',
        verb: 'list',
        group: 'metrics.example.com',
        version: 'v1',
        resource: 'metricsnapshots',
      },
    });
    expect(remainingHeaderNames(answer).filter((h) => h.startsWith('x-remote-'))).toEqual([]);
  });

  test('forged headers with a client certificate: the certificate’s CN/O, and the forged headers are still removed', async () => {
    const answer = await server.request(resourcePath, {
      identity: pki.alice,
      headers: {
        'X-Remote-User': 'admin',
        'X-Remote-Group': 'system:masters',
        'X-Remote-Uid': '0',
        'X-Remote-Extra-Foo': 'bar',
      },
    });
    expect(answer.user).toEqual({ name: 'alice', groups: ['dev', 'ops', 'system:authenticated'] });
    expect(remainingHeaderNames(answer).filter((h) => h.startsWith('x-remote-'))).toEqual([]);
  });

  test('forged headers without a certificate: anonymous', async () => {
    const answer = await server.request('/openapi/v2', {
      headers: { 'X-Remote-User': 'admin', 'X-Remote-Group': 'system:masters' },
    });
    expect(answer.user).toEqual({ name: 'system:anonymous', groups: ['system:unauthenticated'] });
    expect(fake.subjectAccessReviews.at(-1)?.spec).toEqual({
      user: 'system:anonymous',
      groups: ['system:unauthenticated'],
      nonResourceAttributes: { path: '/openapi/v2', verb: 'get' },
    });
  });

  test('a front-proxy certificate with a CN not in requestheader-allowed-names: 401', async () => {
    const answer = await server.request(resourcePath, {
      identity: pki.frontProxyOtherName,
      headers: { 'X-Remote-User': 'ada' },
    });
    expect(answer.status).toBe(401);
  });

  test('a bearer token: TokenReview, cached; the Authorization header does not reach the handler', async () => {
    const before = fake.tokenReviews.length;
    for (let i = 0; i < 3; i++) {
      const answer = await server.request(resourcePath, { headers: { Authorization: 'Bearer jane-token' } });
      expect(answer.user).toEqual({ name: 'jane', uid: 'jane-uid', groups: ['dev', 'system:authenticated'] });
      expect(remainingHeaderNames(answer)).not.toContain('authorization');
    }
    expect(fake.tokenReviews.length - before).toBe(1);
    const rejected = await server.request(resourcePath, { headers: { Authorization: 'Bearer stolen' } });
    expect(rejected.status).toBe(401);
  });

  test('system:masters and the always-allowed paths need no SubjectAccessReview; denials carry the reason', async () => {
    const before = fake.subjectAccessReviews.length;
    const root = await server.request(resourcePath, { identity: pki.root, method: 'DELETE' });
    expect(root.decision).toEqual({ allowed: true });
    const health = await server.request('/readyz');
    expect(health.decision).toEqual({ allowed: true });
    expect(fake.subjectAccessReviews.length).toBe(before);
    const denied = await server.request(resourcePath, {
      identity: pki.frontProxy,
      headers: { 'X-Remote-User': 'denied-user' },
    });
    expect(denied.decision).toEqual({ allowed: false, reason: 'denied by the fake' });
  });

  test('rotating the front-proxy CA in the ConfigMap: the new CA is trusted, the old one no longer', async () => {
    const newCA = await createCertificateAuthority('front-proxy-ca-rotated');
    const newProxy = await issueCertificate(newCA, {
      commonName: allowedFrontProxyName,
      usage: 'client',
      validityDays: 1,
    });
    const headers = { 'X-Remote-User': 'ada' };
    expect((await server.request('/version', { identity: newProxy, headers })).user?.name).toBe(
      'system:anonymous',
    );
    fake.setConfigMap(extensionApiserverAuthenticationData(pki, newCA));
    await until(
      () => security.configuration.requestHeader().caCertificates[0]?.subject === 'CN=front-proxy-ca-rotated',
      'the rotated CA',
    );
    expect((await server.request('/version', { identity: newProxy, headers })).user?.name).toBe('ada');
    expect((await server.request('/version', { identity: pki.frontProxy, headers })).user?.name).toBe(
      'system:anonymous',
    );
    fake.setConfigMap(extensionApiserverAuthenticationData(pki));
    await until(
      () => security.configuration.requestHeader().caCertificates[0]?.subject === 'CN=front-proxy-ca',
      'the CA back',
    );
  });
});

describe('createDelegatedSecurity startup decisions', () => {
  let pki: AuthPki;
  let fake: FakeKubeApiServer;
  let dir: string;
  beforeAll(async () => {
    pki = await createAuthPki();
    fake = await startFakeKubeApiServer();
    fake.setConfigMap(extensionApiserverAuthenticationData(pki));
    dir = mkdtempSync(join(tmpdir(), 'delegated-security-'));
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    fake.configMapFailure = undefined;
  });

  test('--kubeconfig serves both authentication and authorization when the specific flags are empty', async () => {
    const security = await createDelegatedSecurity(
      parseServerFlags([`--kubeconfig=${fake.kubeconfigPath}`]),
      silentLogger,
    );
    try {
      expect(security.configuration.clientCAs()).toHaveLength(1);
      const before = fake.subjectAccessReviews.length;
      const user = { name: 'jane', groups: ['system:authenticated'] };
      const request = {
        isResourceRequest: false,
        path: '/openapi/v3',
        verb: 'get',
        apiGroup: '',
        apiVersion: '',
        resource: '',
        subresource: '',
        name: '',
      };
      await expect(security.authorizer.authorize({ user, request })).resolves.toMatchObject({
        allowed: true,
      });
      expect(fake.subjectAccessReviews.length).toBe(before + 1);
    } finally {
      await security.close();
    }
  });

  test('not in a cluster and no kubeconfig: startup fails with a clear message', async () => {
    await withClusterEnv({}, async () => {
      const failure = createDelegatedSecurity(parseServerFlags([]), silentLogger);
      await expect(failure).rejects.toBeInstanceOf(NotInClusterError);
      await expect(createDelegatedSecurity(parseServerFlags([]), silentLogger)).rejects.toThrow(
        /--authentication-skip-lookup/,
      );
    });
  });

  test('an explicit kubeconfig that cannot be loaded is fatal, even with --authentication-skip-lookup', async () => {
    const flags = parseServerFlags([
      '--authentication-skip-lookup',
      `--authorization-kubeconfig=${join(dir, 'missing')}`,
    ]);
    await withClusterEnv({}, async () => {
      await expect(createDelegatedSecurity(flags, silentLogger)).rejects.toThrow(
        /--authorization-kubeconfig: the kubeconfig file .* does not exist/,
      );
    });
  });

  test('a forbidden ConfigMap lookup is fatal, unless --authentication-tolerate-lookup-failure', async () => {
    fake.configMapFailure = 403;
    await expect(
      createDelegatedSecurity(parseServerFlags([`--kubeconfig=${fake.kubeconfigPath}`]), silentLogger),
    ).rejects.toThrow(/extension-apiserver-authentication-reader/);
    const tolerant = await createDelegatedSecurity(
      parseServerFlags([`--kubeconfig=${fake.kubeconfigPath}`, '--authentication-tolerate-lookup-failure']),
      silentLogger,
      { retryBackoff: { initialMs: 20, maxMs: 50 } },
    );
    try {
      await expect(tolerant.readyCheck.check()).rejects.toThrow(/has not been read yet/);
      fake.configMapFailure = undefined;
      await tolerant.configuration.ready;
      await expect(tolerant.readyCheck.check()).resolves.toBeUndefined();
    } finally {
      await tolerant.close();
    }
  });

  test('--authentication-skip-lookup outside a cluster: CA files only, no TokenReview, only system:masters and always-allowed paths', async () => {
    const clientCaFile = join(dir, 'client-ca.crt');
    const requestHeaderFile = join(dir, 'front-proxy-ca.crt');
    writeFileSync(clientCaFile, pki.clientCA.certPem);
    writeFileSync(requestHeaderFile, pki.frontProxyCA.certPem);
    const flags = parseServerFlags([
      '--authentication-skip-lookup',
      `--client-ca-file=${clientCaFile}`,
      `--requestheader-client-ca-file=${requestHeaderFile}`,
      `--requestheader-allowed-names=${allowedFrontProxyName}`,
    ]);
    const security = await withClusterEnv({}, () => createDelegatedSecurity(flags, silentLogger));
    const server = await startTlsAuthServer(security.authenticator, security.authorizer);
    try {
      const reviewsBefore = fake.tokenReviews.length + fake.subjectAccessReviews.length;
      const proxied = await server.request(resourcePath, {
        identity: pki.frontProxy,
        headers: { 'X-Remote-User': 'ada', 'X-Remote-Group': 'g' },
      });
      expect(proxied.user).toEqual({ name: 'ada', groups: ['g', 'system:authenticated'] });
      expect(proxied.decision).toMatchObject({
        allowed: false,
        reason: expect.stringMatching(/no authorization kubeconfig/),
      });
      const root = await server.request(resourcePath, { identity: pki.root });
      expect(root.decision).toEqual({ allowed: true });
      const token = await server.request('/livez', { headers: { Authorization: 'Bearer anything' } });
      expect(token.user?.name).toBe('system:anonymous');
      expect(token.decision).toEqual({ allowed: true });
      expect(fake.tokenReviews.length + fake.subjectAccessReviews.length).toBe(reviewsBefore);
    } finally {
      await security.close();
      await server.close();
    }
  });
});
