import type { V1APIService, V1Deployment, V1Secret } from '@kubernetes/client-node';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import * as yaml from 'yaml';
import { AggregatedApiServer, appDirectory } from '../../../lib/cdk8s/index.js';
import { chainVerifies, makeCa, makeServingCert, pems } from '../support/pki.js';
import { metricSnapshot } from '../support/definitions.js';
import { all, cleanupTempDirs, one, SERVICE_NAMES, synthServer, tempDir } from '../support/synth.js';

afterAll(cleanupTempDirs);

const unbase64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

describe('generated serving certificate', () => {
  const keyStoreDir = tempDir();
  const { objects, logs } = synthServer({ tls: { mode: 'generated', keyStoreDir } });
  const secret = one<V1Secret>(objects, 'Secret', 'custom-apiserver-serving-cert');
  const caPem = unbase64(secret.data?.['ca.crt']);
  const certPem = unbase64(secret.data?.['tls.crt']);
  const keyPem = unbase64(secret.data?.['tls.key']);

  test('GIVEN the Secret THEN it is kubernetes.io/tls with tls.crt, tls.key and ca.crt in data', () => {
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(secret).not.toHaveProperty('stringData');
  });

  test('GIVEN each APIService THEN its caBundle really verifies the serving certificate (node:crypto)', () => {
    const apiServices = all<V1APIService>(objects, 'APIService');
    expect(apiServices).toHaveLength(2);
    const cert = new X509Certificate(certPem);
    for (const a of apiServices) {
      const ca = new X509Certificate(unbase64(a.spec?.caBundle));
      expect(ca.ca).toBe(true);
      expect(cert.checkIssued(ca)).toBe(true);
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(a.spec?.insecureSkipTLSVerify).toBeUndefined();
    }
  });

  test('GIVEN the caBundle THEN an independent library (@peculiar/x509) builds and verifies the chain', async () => {
    const apiService = all<V1APIService>(objects, 'APIService')[0];
    await expect(chainVerifies(certPem, unbase64(apiService.spec?.caBundle))).resolves.toBe(true);
  });

  test('GIVEN the serving certificate THEN the key matches and it serves <service>.<namespace>.svc and the other Service names', () => {
    const cert = new X509Certificate(certPem);
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    for (const name of SERVICE_NAMES) expect(cert.checkHost(name, { subject: 'never' })).toBe(name);
    expect(cert.subject).toBe('CN=custom-apiserver.custom-apiserver.svc');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    const days = (Date.parse(cert.validTo) - Date.now()) / 86400000;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThan(366);
    const caDays = (Date.parse(new X509Certificate(caPem).validTo) - Date.now()) / 86400000;
    expect(caDays).toBeGreaterThan(3649);
  });

  test('GIVEN the first synth THEN keys live in the key store (0600, gitignored) and generation was logged', () => {
    for (const file of ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']) {
      expect(existsSync(join(keyStoreDir, file))).toBe(true);
    }
    expect(statSync(join(keyStoreDir, 'tls.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(keyStoreDir, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(keyStoreDir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    expect(readFileSync(join(keyStoreDir, 'tls.key'), 'utf8')).toBe(keyPem);
    expect(logs.join('\n')).toMatch(/generated a new CA/);
    expect(logs.join('\n')).toMatch(
      /generated a serving certificate for custom-apiserver\.custom-apiserver\.svc/,
    );
  });

  test('GIVEN the same key store WHEN synthesized again THEN the manifests are byte-identical and nothing is generated', () => {
    const again = synthServer({ tls: { mode: 'generated', keyStoreDir } });
    expect(yaml.stringify(again.objects)).toBe(yaml.stringify(objects));
    expect(again.logs).toEqual([]);
  });

  test('GIVEN the Deployment THEN a checksum of the serving material rolls the pods when it changes', () => {
    const annotations = one<V1Deployment>(objects, 'Deployment').spec?.template.metadata?.annotations;
    expect(annotations?.['checksum/serving-cert']).toMatch(/^[0-9a-f]{64}$/);
  });

  test('GIVEN a new SAN WHEN synthesized THEN the serving certificate is re-issued from the same CA, loudly', () => {
    const dir = tempDir();
    const first = synthServer({ tls: { mode: 'generated', keyStoreDir: dir } });
    const second = synthServer({
      tls: { mode: 'generated', keyStoreDir: dir, additionalDnsNames: ['localhost'] },
    });
    const data = (o: typeof first.objects) =>
      one<V1Secret>(o, 'Secret', 'custom-apiserver-serving-cert').data ?? {};
    expect(data(second.objects)['ca.crt']).toBe(data(first.objects)['ca.crt']);
    expect(data(second.objects)['tls.key']).toBe(data(first.objects)['tls.key']);
    expect(data(second.objects)['tls.crt']).not.toBe(data(first.objects)['tls.crt']);
    expect(
      new X509Certificate(unbase64(data(second.objects)['tls.crt'])).checkHost('localhost', {
        subject: 'never',
      }),
    ).toBe('localhost');
    expect(second.logs.join('\n')).toMatch(
      /re-issued the serving certificate from the same CA \(it no longer covered the names/,
    );
    expect(second.logs.join('\n')).not.toMatch(/new CA/);
  });

  test('GIVEN no logger WHEN generating THEN the message goes to stderr', () => {
    const writes: string[] = [];
    const original = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      new AggregatedApiServer(Testing.chart(), 'Server', {
        name: 'custom-apiserver',
        resources: [metricSnapshot],
        tls: { mode: 'generated', keyStoreDir: tempDir() },
      });
    } finally {
      process.stderr.write = original;
    }
    expect(writes.join('')).toMatch(/\[aggregated-apiserver\] warning: generated a new CA/);
  });

  test('GIVEN a CA of the user WHEN generating THEN the serving certificate is signed by it and no CA is stored', async () => {
    const ca = await makeCa('user CA');
    const dir = tempDir();
    const { objects: out } = synthServer({
      tls: {
        mode: 'generated',
        keyStoreDir: dir,
        ca: { certificatePem: ca.certificatePem, privateKeyPem: ca.privateKeyPem },
      },
    });
    const data = one<V1Secret>(out, 'Secret', 'custom-apiserver-serving-cert').data ?? {};
    expect(unbase64(data['ca.crt'])).toBe(ca.certificatePem);
    await expect(chainVerifies(unbase64(data['tls.crt']), ca.certificatePem)).resolves.toBe(true);
    expect(existsSync(join(dir, 'ca.key'))).toBe(false);
  });
});

describe('provided PEMs', () => {
  test('GIVEN a valid CA, certificate and key WHEN synthesized THEN they are used exactly as given', async () => {
    const ca = await makeCa();
    const leaf = await makeServingCert(ca, SERVICE_NAMES);
    const { objects, server } = synthServer({ tls: { mode: 'provided', ...pems(ca, leaf) } });
    const data = one<V1Secret>(objects, 'Secret', 'custom-apiserver-serving-cert').data ?? {};
    expect(unbase64(data['ca.crt'])).toBe(ca.certificatePem);
    expect(unbase64(data['tls.crt'])).toBe(leaf.certificatePem);
    expect(unbase64(data['tls.key'])).toBe(leaf.privateKeyPem);
    for (const a of all<V1APIService>(objects, 'APIService'))
      expect(unbase64(a.spec?.caBundle)).toBe(ca.certificatePem);
    expect(server.keyStoreDir).toBeUndefined();
  });

  test('GIVEN a certificate signed by another CA WHEN synthesized THEN synth fails naming the chain problem', async () => {
    const ca = await makeCa('claimed CA');
    const other = await makeCa('actual CA');
    const leaf = await makeServingCert(other, SERVICE_NAMES);
    expect(() => synthServer({ tls: { mode: 'provided', ...pems(ca, leaf) } })).toThrow(
      /tls \(provided\): the serving certificate .* is not signed by the CA/,
    );
  });

  test('GIVEN a certificate without the Service names WHEN synthesized THEN synth fails naming the missing SANs', async () => {
    const ca = await makeCa();
    const leaf = await makeServingCert(ca, ['custom-apiserver.default.svc']);
    expect(() => synthServer({ tls: { mode: 'provided', ...pems(ca, leaf) } })).toThrow(
      /must have SANs for custom-apiserver\.custom-apiserver\.svc/,
    );
  });

  test('GIVEN the key of another certificate WHEN synthesized THEN synth fails', async () => {
    const ca = await makeCa();
    const leaf = await makeServingCert(ca, SERVICE_NAMES);
    const other = await makeServingCert(ca, SERVICE_NAMES);
    expect(() => synthServer({ tls: { mode: 'provided', ...pems(ca, leaf, other) } })).toThrow(
      /private key does not belong to the serving certificate/,
    );
  });
});

describe('cert-manager', () => {
  const { objects } = synthServer(
    { namespace: 'custom-apiserver', tls: { mode: 'cert-manager' } },
    { chartNamespace: 'chart-namespace' },
  );

  test('GIVEN cert-manager mode THEN each APIService gets inject-ca-from and no caBundle', () => {
    for (const a of all<V1APIService>(objects, 'APIService')) {
      expect(a.metadata.annotations).toEqual({
        'cert-manager.io/inject-ca-from': 'custom-apiserver/custom-apiserver-serving',
      });
      expect(a.spec).not.toHaveProperty('caBundle');
      expect(a.spec).not.toHaveProperty('insecureSkipTLSVerify');
    }
    expect(all(objects, 'Secret').map((s) => s.metadata.name)).toEqual(['custom-apiserver-etcd-tls']);
  });

  test('GIVEN cert-manager mode THEN a self-signed bootstrap Issuer, a CA Certificate, a CA Issuer and the serving Certificate', () => {
    const issuers = all<{ spec: Record<string, unknown> }>(objects, 'Issuer');
    expect(issuers.map((i) => [i.metadata.name, Object.keys(i.spec)[0]])).toEqual([
      ['custom-apiserver-selfsigned', 'selfSigned'],
      ['custom-apiserver-ca', 'ca'],
    ]);
    const certificates = all<{
      spec: { isCA?: boolean; secretName: string; dnsNames?: string[]; issuerRef: { name: string } };
    }>(objects, 'Certificate');
    const [caCert, serving] = certificates;
    expect(caCert.spec).toMatchObject({
      isCA: true,
      secretName: 'custom-apiserver-ca',
      issuerRef: { name: 'custom-apiserver-selfsigned' },
    });
    expect(serving.spec).toMatchObject({
      secretName: 'custom-apiserver-serving-cert',
      dnsNames: SERVICE_NAMES,
      issuerRef: { name: 'custom-apiserver-ca', kind: 'Issuer', group: 'cert-manager.io' },
    });
    for (const o of [...issuers, ...certificates]) {
      expect(o.apiVersion).toBe('cert-manager.io/v1');
      expect(o.metadata.namespace).toBe('custom-apiserver');
    }
    const volumes = one<V1Deployment>(objects, 'Deployment').spec?.template.spec?.volumes;
    expect(volumes?.[1]).toEqual({
      name: 'serving-cert',
      secret: { secretName: 'custom-apiserver-serving-cert', defaultMode: 0o440 },
    });
  });

  test('GIVEN a user-named ClusterIssuer THEN only the serving Certificate is rendered, issued by it', () => {
    const out = synthServer({
      tls: { mode: 'cert-manager', issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } },
    }).objects;
    expect(all(out, 'Issuer')).toHaveLength(0);
    expect(one<{ spec: { issuerRef: object } }>(out, 'Certificate').spec.issuerRef).toEqual({
      name: 'corp-ca',
      kind: 'ClusterIssuer',
      group: 'cert-manager.io',
    });
  });
});

describe('self-signed by the server', () => {
  test('GIVEN insecureSkipTLSVerify explicitly THEN the server uses --cert-dir and the APIServices skip verification', () => {
    const { objects } = synthServer({ tls: { mode: 'self-signed' }, insecureSkipTLSVerify: true });
    for (const a of all<V1APIService>(objects, 'APIService')) {
      expect(a.spec?.insecureSkipTLSVerify).toBe(true);
      expect(a.spec).not.toHaveProperty('caBundle');
    }
    const container = one<V1Deployment>(objects, 'Deployment').spec?.template.spec?.containers[0];
    expect(container?.args).toContain('--cert-dir=/var/run/apiserver');
    expect(container?.args?.some((a) => a.startsWith('--tls-cert-file'))).toBe(false);
    expect(container?.volumeMounts?.[0]).toEqual({ name: 'cert-dir', mountPath: '/var/run/apiserver' });
    expect(all(objects, 'Secret').map((s) => s.metadata.name)).toEqual(['custom-apiserver-etcd-tls']);
  });
});

describe('self-managed serving certificate (the default)', () => {
  const { objects, server } = synthServer({});

  test('GIVEN no tls prop THEN no key, no certificate and no caBundle are synthesized', () => {
    expect(server.config.tls.mode).toBe('self-managed');
    expect(server.tlsMaterial).toBeUndefined();
    expect(server.keyStoreDir).toBeUndefined();
    expect(yaml.stringify(objects)).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
    for (const a of all<V1APIService>(objects, 'APIService')) expect(a.spec).not.toHaveProperty('caBundle');
    const secret = one<V1Secret>(objects, 'Secret', 'custom-apiserver-serving-cert');
    expect(secret.data).toBeUndefined();
  });

  test('GIVEN no tls prop THEN the server is told where to keep its certificate and which APIServices to keep current', () => {
    const args = one<V1Deployment>(objects, 'Deployment').spec?.template.spec?.containers[0].args ?? [];
    expect(args).toEqual(
      expect.arrayContaining([
        '--self-managed-tls-secret=custom-apiserver/custom-apiserver-serving-cert',
        '--self-managed-tls-apiservices=v1.metrics.example.com,v1beta1.metrics.example.com',
      ]),
    );
    expect(one(objects, 'Role', 'custom-apiserver-self-managed-tls')).toBeDefined();
    expect(one(objects, 'ClusterRole', 'custom-apiserver:custom-apiserver:self-managed-tls')).toBeDefined();
  });
});

describe('generated serving certificate: where the key store is', () => {
  test('GIVEN a relative keyStoreDir THEN it resolves against the app directory, not the working directory', () => {
    const app = tempDir();
    writeFileSync(join(app, 'cdk8s.yaml'), 'app: node main.js\n');
    mkdirSync(join(app, 'src'));
    const cwd = process.cwd();
    const argv1 = process.argv[1];
    try {
      process.chdir(tempDir());
      process.argv[1] = join(app, 'src', 'main.js');
      const { server } = synthServer({ tls: { mode: 'generated', keyStoreDir: 'pki' } });
      expect(server.keyStoreDir).toBe(join(app, 'pki'));
      expect(existsSync(join(app, 'pki', 'ca.key'))).toBe(true);
    } finally {
      process.chdir(cwd);
      process.argv[1] = argv1;
    }
  });

  test('GIVEN an app directory THEN it is the nearest cdk8s.yaml above the entry script, else its package.json', () => {
    const root = tempDir();
    mkdirSync(join(root, 'apps', 'deploy'), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{}');
    expect(appDirectory(join(root, 'apps', 'deploy', 'main.ts'))).toBe(root);
    writeFileSync(join(root, 'apps', 'cdk8s.yaml'), 'app: x\n');
    expect(appDirectory(join(root, 'apps', 'deploy', 'main.ts'))).toBe(join(root, 'apps'));
  });

  test('GIVEN requireExistingCa and an empty key store THEN synth fails instead of minting a new CA', () => {
    expect(() =>
      synthServer({ tls: { mode: 'generated', keyStoreDir: tempDir(), requireExistingCa: true } }),
    ).toThrow(/has no CA .* and tls\.requireExistingCa is set/);
  });

  test('GIVEN requireExistingCa and a key store with a CA THEN synth renders from it', () => {
    const keyStoreDir = tempDir();
    const first = synthServer({ tls: { mode: 'generated', keyStoreDir } });
    const again = synthServer({ tls: { mode: 'generated', keyStoreDir, requireExistingCa: true } });
    expect(again.server.tlsMaterial).toEqual(first.server.tlsMaterial);
  });
});
