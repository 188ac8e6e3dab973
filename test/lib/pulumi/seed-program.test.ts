import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { deploymentEnvironment } from '../../../apps/support/deployment-environment.js';
import { kubernetesObjects } from '../../../lib/pulumi/testing/kubernetes-objects.js';
import { runUnderMocks } from '../../../lib/pulumi/testing/mock-deployment.js';
import { deploySeed } from '../../../apps/pulumi/seed.js';
import type { AnyManifest } from '../../../lib/core/index.js';
import { cleanupTempDirs, synthSeed, tempDir } from '../support/synth.js';
import { expectSameObjects } from './support/same-objects.js';

afterAll(cleanupTempDirs);

const run = promisify(execFile);

async function pulumiSeed(env: Record<string, string>): Promise<AnyManifest[]> {
  const { resources } = await runUnderMocks(() => deploySeed(deploymentEnvironment(env)));
  return kubernetesObjects(resources);
}

describe('example program (apps/pulumi)', () => {
  const generated = { AGGREGATED_APISERVER_TLS_MODE: 'generated' };
  test.each([
    ['generated TLS', generated],
    ['self-managed TLS', { AGGREGATED_APISERVER_TLS_MODE: 'self-managed' }],
    [
      'a loopback external address',
      { ...generated, AGGREGATED_APISERVER_EXTERNAL_ADDRESS: '127.0.0.1:6443' },
    ],
    [
      'a routable external address and an image',
      {
        ...generated,
        AGGREGATED_APISERVER_EXTERNAL_ADDRESS: '10.1.2.3:6443',
        AGGREGATED_APISERVER_IMAGE: 'registry.example/aggregated-apiserver:1',
      },
    ],
    ['extra SANs', { ...generated, AGGREGATED_APISERVER_EXTRA_SANS: 'api.example.com,192.0.2.1' }],
  ])('GIVEN %s THEN it deploys the seed system apps/cdk8s synthesizes', async (_what, env) => {
    expectSameObjects(await pulumiSeed(env), synthSeed(env));
  });

  test('GIVEN render-manifests.ts WHEN run like the end-to-end suite THEN the YAML applies in order and its certificates work', async () => {
    const dir = tempDir();
    await run(process.execPath, ['--import', 'tsx', 'apps/pulumi/render-manifests.ts', join(dir, 'out')], {
      env: {
        ...process.env,
        AGGREGATED_APISERVER_EXTERNAL_ADDRESS: '127.0.0.1:7443',
        AGGREGATED_APISERVER_PKI_DIR: join(dir, 'pki'),
      },
      timeout: 60_000,
    });
    const objects = parseAllDocuments(
      readFileSync(join(dir, 'out', 'aggregated-apiserver.k8s.yaml'), 'utf8'),
    ).map((d) => d.toJSON() as AnyManifest & { data?: Record<string, string>; spec?: { caBundle?: string } });
    expect(objects.map((o) => o.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'RoleBinding',
      'ClusterRole',
      'ClusterRole',
      'Role',
      'RoleBinding',
      'Secret',
      'Service',
      'APIService',
      'APIService',
    ]);
    const decode = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString('utf8');
    const secret = objects.find((o) => o.kind === 'Secret');
    const serving = new X509Certificate(decode(secret?.data?.['tls.crt']));
    for (const apiService of objects.filter((o) => o.kind === 'APIService')) {
      const ca = new X509Certificate(decode(apiService.spec?.caBundle));
      expect(serving.checkIssued(ca) && serving.verify(ca.publicKey)).toBe(true);
    }
    expect(serving.checkHost('custom-apiserver.custom-apiserver.svc', { subject: 'never' })).toBeDefined();
    expect(serving.checkHost('localhost', { subject: 'never' })).toBe('localhost');
    expect(serving.checkIP('127.0.0.1')).toBe('127.0.0.1');
    for (const file of ['ca.crt', 'tls.crt', 'tls.key']) {
      const path = join(dir, 'pki', file);
      expect(readFileSync(path, 'utf8')).toBe(decode(secret?.data?.[file]));
      expect(statSync(path).mode & 0o777).toBe(0o600);
    }
  });
});
