import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig } from '../../../../server/auth/delegated/kube-client.js';
import { splitPemBundle } from '../../../../server/pki/self-managed/serving-state.js';
import {
  startSelfManagedTls,
  type SelfManagedTls,
} from '../../../../server/pki/self-managed/self-managed-tls.js';
import { silentLogger } from '../../../../server/util/logger.js';
import { useControlPlane } from '../../../e2e/support/control-plane.js';

const NAMESPACE = 'demo';
const SECRET = 'api-tls';
const API_SERVICES = ['v1.demo.example.com', 'v1beta1.demo.example.com'];
const OVERLAP_MS = 10 * 60_000;

/** The objects a construct renders for self-managed TLS: an empty Secret and RBAC by name. */
const setup = `
apiVersion: v1
kind: Namespace
metadata: { name: ${NAMESPACE} }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: api, namespace: ${NAMESPACE} }
---
apiVersion: v1
kind: Secret
metadata: { name: ${SECRET}, namespace: ${NAMESPACE} }
type: Opaque
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: api-tls, namespace: ${NAMESPACE} }
rules:
  - { apiGroups: [''], resources: [secrets], resourceNames: [${SECRET}], verbs: [get, update] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: api-tls, namespace: ${NAMESPACE} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: api-tls }
subjects: [{ kind: ServiceAccount, name: api, namespace: ${NAMESPACE} }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: demo-api-tls }
rules:
  - apiGroups: [apiregistration.k8s.io]
    resources: [apiservices]
    resourceNames: [${API_SERVICES.join(', ')}]
    verbs: [get, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: demo-api-tls }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: demo-api-tls }
subjects: [{ kind: ServiceAccount, name: api, namespace: ${NAMESPACE} }]
${API_SERVICES.map(
  (name) => `---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: { name: ${name} }
spec:
  group: demo.example.com
  version: ${name.split('.')[0]}
  groupPriorityMinimum: 1000
  versionPriority: 15
  service: { name: api, namespace: ${NAMESPACE}, port: 443 }
`,
).join('')}`;

describe('self-managed TLS against a real kube-apiserver', () => {
  const controlPlane = useControlPlane({ controllerManager: false });
  const dirs: string[] = [];
  const replicas: SelfManagedTls[] = [];
  let clock = Date.now();
  let kubeconfig: string;

  const kubectl = (args: string[], stdin?: string) => controlPlane().kubectl(args, { stdin });
  const caBundle = async (name: string) =>
    Buffer.from(
      await kubectl(['get', 'apiservice', name, '-o', 'jsonpath={.spec.caBundle}']),
      'base64',
    ).toString('utf8');
  const secretData = async () =>
    JSON.parse(await kubectl(['get', 'secret', SECRET, '-n', NAMESPACE, '-o', 'jsonpath={.data}'])) as Record<
      string,
      string
    >;
  const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
  const served = (replica: SelfManagedTls) => new X509Certificate(readFileSync(replica.certFile));

  /** The invariant: every replica serves a certificate one of the trusted CAs issued. */
  const expectEveryReplicaTrusted = async () => {
    for (const name of API_SERVICES) {
      const trusted = splitPemBundle(await caBundle(name)).map((pem) => new X509Certificate(pem));
      for (const replica of replicas) {
        const certificate = served(replica);
        expect(trusted.some((ca) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey))).toBe(
          true,
        );
      }
    }
  };

  const startReplica = async () => {
    const certDir = mkdtempSync(join(tmpdir(), 'self-managed-'));
    dirs.push(certDir);
    const replica = await startSelfManagedTls({
      kubeConfig: loadKubeConfig(kubeconfig),
      objects: { secretNamespace: NAMESPACE, secretName: SECRET, apiServices: API_SERVICES },
      policy: {
        hosts: ['api.demo.svc', 'api.demo', '127.0.0.1'],
        caCommonName: 'demo/api CA',
        caValidityMs: 3650 * 86_400_000,
        servingValidityMs: 365 * 86_400_000,
        overlapMs: OVERLAP_MS,
      },
      certDir,
      // Syncs are driven by the test; the period only has to be longer than the test.
      syncPeriodMs: 3_600_000,
      log: silentLogger,
      now: () => new Date(clock),
    });
    replicas.push(replica);
    return replica;
  };

  beforeAll(async () => {
    await kubectl(['apply', '-f', '-'], setup);
    const token = (await kubectl(['create', 'token', 'api', '-n', NAMESPACE])).trim();
    kubeconfig = controlPlane().makeTokenKubeconfig('self-managed', token);
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('fills the empty Secret, sets every caBundle and serves the same certificate on every replica', async () => {
    const [first, second] = await Promise.all([startReplica(), startReplica()]);
    await Promise.all([first.sync(), second.sync()]);
    const data = await secretData();
    expect(Object.keys(data).sort()).toEqual([
      'ca.crt',
      'signing-ca.crt',
      'signing-ca.key',
      'tls.crt',
      'tls.key',
    ]);
    for (const replica of [first, second]) {
      expect(readFileSync(replica.certFile, 'utf8')).toBe(decode(data['tls.crt']));
      expect(readFileSync(replica.keyFile, 'utf8')).toBe(decode(data['tls.key']));
    }
    for (const name of API_SERVICES) expect(await caBundle(name)).toBe(decode(data['ca.crt']));
    expect(served(first).checkHost('api.demo.svc')).toBe('api.demo.svc');
    await expectEveryReplicaTrusted();
  });

  it('rotates the CA on request without ever serving a certificate the APIServices do not trust', async () => {
    const [first, second] = replicas;
    const oldCa = decode((await secretData())['signing-ca.crt']);
    await kubectl(['annotate', 'secret', SECRET, '-n', NAMESPACE, 'aggregated-apiserver.io/rotate=ca']);

    await first.sync();
    const widened = splitPemBundle(await caBundle(API_SERVICES[0]));
    expect(widened).toHaveLength(2);
    expect(widened[0]).toBe(oldCa);
    await second.sync();
    await expectEveryReplicaTrusted();
    expect(
      await kubectl(['get', 'secret', SECRET, '-n', NAMESPACE, '-o', 'jsonpath={.metadata.annotations}']),
    ).not.toContain('aggregated-apiserver.io/rotate"');

    clock += OVERLAP_MS;
    await second.sync();
    const newCa = widened[1];
    expect(served(second).issuer).toBe(new X509Certificate(newCa).subject);
    await expectEveryReplicaTrusted();
    await first.sync();
    expect(served(first).issuer).toBe(new X509Certificate(newCa).subject);
    await expectEveryReplicaTrusted();

    clock += OVERLAP_MS;
    await first.sync();
    for (const name of API_SERVICES) expect(splitPemBundle(await caBundle(name))).toEqual([newCa]);
    await second.sync();
    await expectEveryReplicaTrusted();
  });

  it('puts back a caBundle someone changed', async () => {
    const [first] = replicas;
    await kubectl([
      'patch',
      'apiservice',
      API_SERVICES[1],
      '--type=merge',
      '-p',
      '{"spec":{"caBundle":null}}',
    ]);
    await first.sync();
    expect(await caBundle(API_SERVICES[1])).toBe(decode((await secretData())['ca.crt']));
  });
});
