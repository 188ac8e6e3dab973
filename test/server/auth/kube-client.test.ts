import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationV1Api } from '@kubernetes/client-node';
import {
  KubeClientError,
  loadKubeConfig,
  NotInClusterError,
} from '../../../server/auth/delegated/kube-client.js';
import { withClusterEnv } from './support/cluster-env.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from './support/fake-kube-apiserver.js';

describe('kube client configuration', () => {
  let fake: FakeKubeApiServer;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeKubeApiServer();
    fake.tokens.set('t', { username: 'jane' });
    dir = mkdtempSync(join(tmpdir(), 'kube-client-'));
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('from a kubeconfig file', async () => {
    const kc = loadKubeConfig(fake.kubeconfigPath);
    expect(kc.getCurrentCluster()?.server).toBe(fake.url);
    const review = await kc
      .makeApiClient(AuthenticationV1Api)
      .createTokenReview({ body: { spec: { token: 't' } } });
    expect(review.status?.user?.username).toBe('jane');
  });

  test('a kubeconfig file that is missing, unreadable or without a current cluster is a clear error', () => {
    expect(() => loadKubeConfig(join(dir, 'missing'), { flagName: '--authentication-kubeconfig' })).toThrow(
      /--authentication-kubeconfig: the kubeconfig file .*missing does not exist/,
    );
    const broken = join(dir, 'broken');
    writeFileSync(broken, ':\n  - [');
    expect(() => loadKubeConfig(broken)).toThrow(KubeClientError);
    const empty = join(dir, 'empty');
    writeFileSync(
      empty,
      JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] }),
    );
    expect(() => loadKubeConfig(empty)).toThrow(/no current context with a cluster/);
  });

  test('no path and not in a cluster: NotInClusterError', async () => {
    await withClusterEnv({}, () => {
      expect(() => loadKubeConfig('', { flagName: '--authorization-kubeconfig' })).toThrow(NotInClusterError);
      expect(() => loadKubeConfig('')).toThrow(
        /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set/,
      );
    });
  });

  test('in cluster: the service account token and CA, the service environment', async () => {
    const root = join(dir, 'pod');
    const accountDir = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    await withClusterEnv({ host: '127.0.0.1', port: String(fake.port) }, async () => {
      expect(() => loadKubeConfig('', { serviceAccountRoot: root })).toThrow(
        /service account token .* does not exist/,
      );
      mkdirSync(accountDir, { recursive: true });
      writeFileSync(join(accountDir, 'token'), fake.clientToken);
      writeFileSync(join(accountDir, 'ca.crt'), fake.caPem);
      writeFileSync(join(accountDir, 'namespace'), 'metrics');
      const kc = loadKubeConfig('', { serviceAccountRoot: root });
      expect(kc.getCurrentCluster()?.server).toBe(fake.url);
      const review = await kc
        .makeApiClient(AuthenticationV1Api)
        .createTokenReview({ body: { spec: { token: 't' } } });
      expect(review.status?.authenticated).toBe(true);
      expect(fake.credentials.at(-1)).toBe(`Bearer ${fake.clientToken}`);
    });
  });
});
