import { request, useControlPlane, waitFor } from './support/control-plane.js';

/**
 * The harness itself: a real etcd + kube-apiserver + kube-controller-manager on 127.0.0.1
 * (the pinned binaries of scripts/build-k8s-tools.sh) with RBAC, service account tokens and
 * the front-proxy configuration an aggregated API server relies on.
 */
describe('control plane harness', () => {
  const controlPlane = useControlPlane();

  it('serves kubectl with the admin kubeconfig', async () => {
    const names = (await controlPlane().kubectl(['get', 'namespaces', '-o', 'name'])).trim().split('\n');
    expect(names).toEqual(
      expect.arrayContaining(['namespace/default', 'namespace/kube-system', 'namespace/kube-public']),
    );
    const whoami = JSON.parse(await controlPlane().kubectl(['auth', 'whoami', '-o', 'json'])) as {
      status: { userInfo: { username: string; groups: string[] } };
    };
    expect(whoami.status.userInfo.username).toBe('kubernetes-admin');
    expect(whoami.status.userInfo.groups).toContain('system:masters');
  });

  it('authorizes with RBAC: an unbound user may do nothing until bound', async () => {
    const cp = controlPlane();
    const kubeconfig = await cp.makeUserKubeconfig('e2e-alice', ['e2e-testers']);

    const whoami = JSON.parse(await cp.kubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig })) as {
      status: { userInfo: { username: string; groups: string[] } };
    };
    expect(whoami.status.userInfo.username).toBe('e2e-alice');
    expect(whoami.status.userInfo.groups).toEqual(
      expect.arrayContaining(['e2e-testers', 'system:authenticated']),
    );

    const denied = await cp.runKubectl(['auth', 'can-i', 'list', 'configmaps', '-n', 'default'], {
      kubeconfig,
    });
    expect(denied.stdout.trim()).toBe('no');
    expect(denied.code).toBe(1);
    const forbidden = await cp.runKubectl(['get', 'configmaps', '-n', 'default'], { kubeconfig });
    expect(forbidden.code).not.toBe(0);
    expect(forbidden.stderr).toMatch(/forbidden.*e2e-alice/);

    await cp.kubectl([
      'create',
      'rolebinding',
      'e2e-testers-view',
      '--clusterrole=view',
      '--group=e2e-testers',
      '-n',
      'default',
    ]);
    await waitFor(
      async () =>
        (await cp.runKubectl(['auth', 'can-i', 'list', 'configmaps', '-n', 'default'], { kubeconfig }))
          .code === 0,
      'the RoleBinding to take effect',
      15_000,
    );
    const stillDenied = await cp.runKubectl(['auth', 'can-i', 'list', 'configmaps', '-n', 'kube-system'], {
      kubeconfig,
    });
    expect(stillDenied.stdout.trim()).toBe('no');
  });

  it('deletes a namespace with its contents (namespace controller)', async () => {
    const cp = controlPlane();
    await cp.kubectl(['create', 'namespace', 'e2e-doomed']);
    await cp.kubectl(['create', 'configmap', 'e2e-data', '--from-literal=key=value', '-n', 'e2e-doomed']);
    // root-ca-certificate-publisher and serviceaccount controllers fill every new namespace.
    await waitFor(
      async () =>
        (await cp.runKubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', 'e2e-doomed'])).code === 0,
      'kube-root-ca.crt in the new namespace',
      20_000,
    );
    await cp.kubectl(['delete', 'namespace', 'e2e-doomed', '--wait=false']);
    await waitFor(
      async () => {
        const result = await cp.runKubectl(['get', 'namespace', 'e2e-doomed']);
        if (result.code === 0) return false;
        if (!/NotFound/.test(result.stderr)) throw new Error(result.stderr);
        return true;
      },
      'namespace e2e-doomed to be gone',
      45_000,
      { intervalMs: 500 },
    );
  });

  it('issues service account tokens (TokenRequest and legacy token Secrets)', async () => {
    const cp = controlPlane();
    const token = (
      await cp.kubectl(['create', 'token', 'default', '-n', 'default', '--duration=10m'])
    ).trim();
    expect(token.split('.')).toHaveLength(3);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
      iss: string;
      sub: string;
    };
    expect(claims.iss).toBe('https://kubernetes.default.svc');
    expect(claims.sub).toBe('system:serviceaccount:default:default');

    const kubeconfig = cp.makeTokenKubeconfig('default-sa', token);
    const whoami = JSON.parse(await cp.kubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig })) as {
      status: { userInfo: { username: string } };
    };
    expect(whoami.status.userInfo.username).toBe('system:serviceaccount:default:default');

    await cp.kubectl(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/service-account-token',
        metadata: {
          name: 'default-token',
          namespace: 'default',
          annotations: { 'kubernetes.io/service-account.name': 'default' },
        },
      }),
    });
    const legacyToken = await waitFor(
      async () => {
        const secret = JSON.parse(
          await cp.kubectl(['get', 'secret', 'default-token', '-n', 'default', '-o', 'json']),
        ) as { data?: { token?: string; 'ca.crt'?: string } };
        return secret.data?.token && secret.data['ca.crt'] ? secret.data : undefined;
      },
      'the serviceaccount-token controller to fill the Secret',
      20_000,
    );
    expect(Buffer.from(legacyToken['ca.crt'] ?? '', 'base64').toString()).toBe(cp.pki.clusterCa.certPem);
  });

  it('publishes kube-system/extension-apiserver-authentication with the requestheader settings', async () => {
    const cp = controlPlane();
    const configMap = JSON.parse(
      await cp.kubectl([
        'get',
        'configmap',
        'extension-apiserver-authentication',
        '-n',
        'kube-system',
        '-o',
        'json',
      ]),
    ) as { data: Record<string, string> };
    const data = configMap.data;
    expect(data['client-ca-file']).toContain(cp.pki.clusterCa.certPem.trim());
    expect(data['requestheader-client-ca-file']).toContain(cp.pki.frontProxyCa.certPem.trim());
    expect(JSON.parse(data['requestheader-allowed-names'])).toEqual(['front-proxy-client']);
    expect(JSON.parse(data['requestheader-username-headers'])).toEqual(['X-Remote-User']);
    expect(JSON.parse(data['requestheader-group-headers'])).toEqual(['X-Remote-Group']);
    expect(JSON.parse(data['requestheader-extra-headers-prefix'])).toEqual(['X-Remote-Extra-']);
    expect(JSON.parse(data['requestheader-uid-headers'])).toEqual(['X-Remote-Uid']);
  });

  it('trusts the front-proxy client certificate to assert users in X-Remote-* headers', async () => {
    const cp = controlPlane();
    const review = (cert: { certPem: string; keyPem: string }) =>
      request(`${cp.server}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
        method: 'POST',
        ca: cp.pki.clusterCa.certPem,
        cert: cert.certPem,
        key: cert.keyPem,
        headers: {
          'Content-Type': 'application/json',
          'X-Remote-User': 'e2e-proxied',
          'X-Remote-Uid': 'uid-1234',
          'X-Remote-Group': 'e2e-proxied-group',
          'X-Remote-Extra-Scopes': 'a',
        },
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
      });
    const proxied = await review(cp.pki.frontProxyClient);
    expect(proxied.status).toBe(201);
    const userInfo = (JSON.parse(proxied.body) as { status: { userInfo: Record<string, unknown> } }).status
      .userInfo;
    expect(userInfo).toMatchObject({ username: 'e2e-proxied', uid: 'uid-1234', extra: { scopes: ['a'] } });
    expect(userInfo.groups).toEqual(expect.arrayContaining(['e2e-proxied-group', 'system:authenticated']));

    // Any other client certificate is its own user; the headers are ignored.
    const direct = await review(cp.pki.admin);
    expect(direct.status).toBe(201);
    expect(JSON.parse(direct.body)).toMatchObject({ status: { userInfo: { username: 'kubernetes-admin' } } });
  });
});
