import { manifestList, renderManifests, resolveConfig } from '../../../lib/core/index.js';
import type { AggregatedApiServerProps } from '../../../lib/cdk8s/index.js';
import { cleanupTempDirs, type Synthesized, synthServer } from '../support/synth.js';

/**
 * One source of truth: what the cdk8s construct synthesizes is what lib/core renders (the objects
 * a Pulumi component would create). Every field lib/core sets must come out identical; the only
 * extra fields allowed are cdk8s-plus defaults that equal the Kubernetes defaults, listed here.
 */

afterAll(cleanupTempDirs);

const KUBERNETES_DEFAULTS_ADDED_BY_CDK8S_PLUS: [RegExp, unknown][] = [
  [/^spec\.minReadySeconds$/, 0],
  [/^spec\.progressDeadlineSeconds$/, 600],
  [/^spec\.template\.spec\.dnsPolicy$/, 'ClusterFirst'],
  [/^spec\.template\.spec\.hostNetwork$/, false],
  [/^spec\.template\.spec\.restartPolicy$/, 'Always'],
  [/^spec\.template\.spec\.setHostnameAsFQDN$/, false],
  [/^spec\.template\.spec\.terminationGracePeriodSeconds$/, 30],
  [/^spec\.template\.spec\.volumes\.\d+\.persistentVolumeClaim\.readOnly$/, false],
  [/^spec\.externalIPs$/, []],
  [/^spec$/, {}], // Namespace
];

function leaves(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, []);
    value.forEach((v, i) => leaves(v, path ? `${path}.${i}` : String(i), out));
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(path, {});
    for (const [k, v] of entries) leaves(v, path ? `${path}.${k}` : k, out);
  } else {
    out.set(path, value);
  }
  return out;
}

/** RBAC rules compared as sets of (group, resource, verbs): cdk8s-plus writes one rule per resource. */
function normalize(object: Record<string, unknown>): Record<string, unknown> {
  if (!['ClusterRole', 'Role'].includes(String(object.kind))) return object;
  const rules =
    (object.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[] | undefined) ?? [];
  const tuples = rules.flatMap((r) =>
    r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}|${res}|${[...r.verbs].sort().join(',')}`)),
  );
  return { ...object, rules: [...new Set(tuples)].sort() };
}

function expectParity(props: Partial<AggregatedApiServerProps>): void {
  const { objects, server } = synthServer(props);
  const { logger: _logger, ...options } = {
    ...props,
    name: 'custom-apiserver',
    resources: server.config.resources,
    tls: server.config.tls,
  };
  const core = manifestList(
    renderManifests(resolveConfig(options as AggregatedApiServerProps), server.tlsMaterial),
  );
  const key = (o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`;

  expect(objects.map(key)).toEqual(core.map(key));
  core.forEach((coreObject, i) => {
    const synthesized = objects[i] as Synthesized;
    const expected = leaves(
      normalize(JSON.parse(JSON.stringify(coreObject)) as Record<string, unknown>),
      '',
      new Map(),
    );
    const actual = leaves(normalize(synthesized), '', new Map());
    const where = key(coreObject);
    for (const [path, value] of expected) {
      expect({ where, path, value: actual.get(path) }).toEqual({ where, path, value });
    }
    for (const [path, value] of actual) {
      if (expected.has(path)) continue;
      const allowed = KUBERNETES_DEFAULTS_ADDED_BY_CDK8S_PLUS.find(([re]) => re.test(path));
      expect({ where, extra: path, value }).toEqual({
        where,
        extra: path,
        value: allowed ? allowed[1] : '<not allowed>',
      });
    }
  });
}

describe('cdk8s output equals lib/core rendering', () => {
  test('GIVEN the defaults (2 replicas, dedicated 3-member etcd, generated TLS)', () => {
    expectParity({});
  });

  test('GIVEN embedded storage and a server self-signed certificate', () => {
    expectParity({
      replicas: 1,
      storage: { type: 'embedded', size: '1536Mi' },
      tls: { mode: 'self-signed' },
      insecureSkipTLSVerify: true,
    });
  });

  test('GIVEN etcd endpoints and cert-manager with bootstrap issuers', () => {
    expectParity({
      storage: { type: 'etcd', endpoints: ['https://etcd.example:2379'] },
      tls: { mode: 'cert-manager' },
    });
  });

  test('GIVEN cert-manager with a user ClusterIssuer and extra SANs', () => {
    expectParity({
      tls: {
        mode: 'cert-manager',
        issuerRef: { name: 'corp', kind: 'ClusterIssuer' },
        additionalDnsNames: ['api.example.com'],
      },
    });
  });

  test('GIVEN an external IP address', () => {
    expectParity({ external: { address: '192.0.2.10', port: 6443 } });
  });

  test('GIVEN an external DNS name', () => {
    expectParity({ external: { address: 'localhost', port: 7443 } });
  });

  test('GIVEN every scheduling and metadata option', () => {
    expectParity({
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
