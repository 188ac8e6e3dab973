import {
  type AggregatedApiServerOptions,
  manifestList,
  renderManifests,
  resolveConfig,
} from '../../../lib/core/index.js';
import { makeCa, makeServingCert } from '../support/pki.js';
import { cleanupTempDirs, METRIC_SNAPSHOTS, synthServer } from '../support/synth.js';
import { deployUnderMocks, valueOf } from './support/mock-deploy.js';
import { expectSameObjects, withoutAwaitAnnotation } from './support/same-objects.js';

/**
 * One source of truth, two tools: for the same props the Pulumi component deploys the objects the
 * cdk8s construct synthesizes (same kinds, names, namespaces, order and specs; see
 * support/same-objects.ts for what is ignored), and exactly what lib/core renders.
 */

afterAll(cleanupTempDirs);

async function expectParity(props: Partial<AggregatedApiServerOptions>): Promise<void> {
  // GIVEN the same props WHEN deployed by each tool THEN the same objects
  const pulumiDeployed = await deployUnderMocks(props);
  const pulumi = pulumiDeployed.objects;
  expectSameObjects(pulumi, synthServer(props).objects);

  // AND exactly what lib/core renders with the component's material, await annotations aside.
  const material = pulumiDeployed.server.tlsMaterial && (await valueOf(pulumiDeployed.server.tlsMaterial));
  const core = manifestList(
    renderManifests(
      resolveConfig({ name: 'custom-apiserver', resources: [METRIC_SNAPSHOTS], ...props }),
      material,
    ),
  );
  expect(pulumi.map(withoutAwaitAnnotation)).toEqual(core.map((o) => JSON.parse(JSON.stringify(o))));
}

describe('the Pulumi component deploys what the cdk8s construct synthesizes', () => {
  test('GIVEN the defaults (2 replicas, dedicated 3-member etcd, generated TLS)', async () => {
    await expectParity({});
  });

  test('GIVEN embedded storage and a server self-signed certificate', async () => {
    await expectParity({
      replicas: 1,
      storage: { type: 'embedded', size: '1536Mi' },
      tls: { mode: 'self-signed' },
      insecureSkipTLSVerify: true,
    });
  });

  test('GIVEN etcd endpoints and cert-manager with bootstrap issuers', async () => {
    await expectParity({
      storage: { type: 'etcd', endpoints: ['https://etcd.example:2379'] },
      tls: { mode: 'cert-manager' },
    });
  });

  test('GIVEN cert-manager with a user ClusterIssuer and extra SANs', async () => {
    await expectParity({
      tls: {
        mode: 'cert-manager',
        issuerRef: { name: 'corp', kind: 'ClusterIssuer' },
        additionalDnsNames: ['api.example.com'],
      },
    });
  });

  test('GIVEN provided PEMs (the same bytes in both)', async () => {
    const ca = await makeCa();
    const cert = await makeServingCert(ca, [
      'custom-apiserver.custom-apiserver.svc',
      'custom-apiserver.custom-apiserver',
      'custom-apiserver.custom-apiserver.svc.cluster.local',
    ]);
    await expectParity({
      tls: {
        mode: 'provided',
        caCertificatePem: ca.certificatePem,
        certificatePem: cert.certificatePem,
        privateKeyPem: cert.privateKeyPem,
      },
    });
  });

  test('GIVEN an external IP address', async () => {
    await expectParity({ external: { address: '192.0.2.10', port: 6443 } });
  });

  test('GIVEN an external DNS name with extra SANs', async () => {
    await expectParity({
      external: { address: 'localhost', port: 7443 },
      tls: { mode: 'generated', additionalDnsNames: ['localhost'], additionalIpAddresses: ['127.0.0.1'] },
    });
  });

  test('GIVEN every scheduling and metadata option', async () => {
    await expectParity({
      namespace: 'metrics',
      createNamespace: false,
      replicas: 3,
      image: 'registry.example/aggregated-apiserver:9',
      imagePullPolicy: 'Always',
      imagePullSecrets: ['regcred'],
      securePort: 8443,
      verbosity: 5,
      extraArgs: ['--etcd-prefix=/metrics'],
      containerResources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
      runAsUser: 1000,
      priorityClassName: 'system-cluster-critical',
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }],
      topologySpread: 'required',
      storage: {
        type: 'dedicated-etcd',
        members: 5,
        size: '10Gi',
        storageClassName: 'ssd',
        resources: { requests: { cpu: '1' } },
      },
      clusterDomain: 'corp.local',
      groupPriorityMinimum: 500,
      versionPriority: 20,
      versionPriorities: { v1beta1: 10 },
      serverRules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
      labels: { team: 'metrics' },
    });
  });
});
