import type { AggregatedApiServerOptions } from '../../../lib/core/index.js';
import { cronTab, gadget, metricSnapshot, metricSource } from './definitions.js';
import { makeCa, makeServingCert, pems } from './pki.js';
import { SERVICE_NAMES } from './synth.js';

/**
 * What the parity suites share: the props they render with each tool (the TLS mode always given:
 * the tools' defaults differ), and how they compare what the cdk8s construct synthesizes with
 * what another source renders for the same props
 * (test/lib/cdk8s/parity.test.ts: lib/core; test/lib/pulumi/parity.test.ts: the Pulumi component).
 */

/** Props that the cdk8s construct and the Pulumi component both take. */
export type ParityProps = Partial<AggregatedApiServerOptions>;

/** A set of props every parity suite renders with each tool. */
export interface ParityCase {
  /** What is given, as in the test title `GIVEN <name>`. */
  readonly name: string;
  /** The props, made afresh for each test (some cases mint certificates). */
  readonly props: () => ParityProps | Promise<ParityProps>;
}

export const PARITY_CASES: readonly ParityCase[] = [
  {
    name: 'the defaults (2 replicas, dedicated 3-member etcd) with generated TLS',
    props: () => ({ tls: { mode: 'generated' } }),
  },
  {
    name: 'self-managed TLS (the cdk8s default) with extra SANs',
    props: () => ({
      tls: { mode: 'self-managed', additionalDnsNames: ['api.example.com'], rotationOverlap: '30m' },
    }),
  },
  {
    name: 'embedded storage and a server self-signed certificate',
    props: () => ({
      replicas: 1,
      storage: { type: 'embedded', size: '1536Mi' },
      tls: { mode: 'self-signed' },
      insecureSkipTLSVerify: true,
    }),
  },
  {
    name: 'etcd endpoints with a client certificate and cert-manager with bootstrap issuers',
    props: () => ({
      storage: {
        type: 'etcd',
        endpoints: ['https://etcd.example:2379'],
        clientCertificateSecret: 'etcd-client',
      },
      tls: { mode: 'cert-manager' },
    }),
  },
  {
    name: 'cert-manager with a user ClusterIssuer and extra SANs',
    props: () => ({
      tls: {
        mode: 'cert-manager',
        issuerRef: { name: 'corp', kind: 'ClusterIssuer' },
        additionalDnsNames: ['api.example.com'],
      },
    }),
  },
  {
    name: 'provided PEMs (the same bytes in both)',
    props: async () => {
      const ca = await makeCa();
      return { tls: { mode: 'provided', ...pems(ca, await makeServingCert(ca, SERVICE_NAMES)) } };
    },
  },
  {
    name: 'declarative definitions beside the built-in on the stock image (a ConfigMap, a scale subresource)',
    props: () => ({
      resources: [metricSnapshot, metricSource, cronTab],
      tls: { mode: 'self-managed' },
    }),
  },
  {
    name: 'declarative definitions alone on a copy of the stock image (its collector turned off)',
    props: () => ({
      resources: [cronTab],
      image: 'registry.example/aggregated-apiserver:0.1.0',
      serverEntry: 'stock',
      tls: { mode: 'generated' },
    }),
  },
  {
    name: 'definitions with code served by an image of their own',
    props: () => ({
      resources: [gadget, cronTab],
      image: 'registry.example/gadgets:3',
      tls: { mode: 'self-managed' },
    }),
  },
  {
    name: 'Prometheus with a token Secret and a CA ConfigMap',
    props: () => ({
      prometheus: {
        url: 'https://prometheus.monitoring.svc:9091',
        bearerTokenSecret: { name: 'prometheus-reader', key: 'bearer' },
        caConfigMap: { name: 'kube-root-ca.crt' },
      },
      tls: { mode: 'generated' },
    }),
  },
  {
    name: 'an audit policy',
    props: () => ({
      auditPolicy: {
        omitStages: ['RequestReceived'],
        rules: [
          { level: 'None', users: ['system:kube-proxy'] },
          { level: 'RequestResponse', resources: [{ group: 'metrics.example.com' }] },
        ],
      },
      tls: { mode: 'generated' },
    }),
  },
  {
    name: 'an external IP address',
    props: () => ({ external: { address: '192.0.2.10', port: 6443 }, tls: { mode: 'generated' } }),
  },
  {
    name: 'an external DNS name',
    props: () => ({ external: { address: 'localhost', port: 7443 }, tls: { mode: 'self-managed' } }),
  },
  {
    name: 'an external DNS name with extra SANs',
    props: () => ({
      external: { address: 'localhost', port: 7443 },
      tls: { mode: 'generated', additionalDnsNames: ['localhost'], additionalIpAddresses: ['127.0.0.1'] },
    }),
  },
  {
    name: 'every scheduling and metadata option',
    props: () => ({
      namespace: 'metrics',
      tls: { mode: 'generated' },
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
      metrics: {
        interval: '1m',
        serviceMonitorLabels: { release: 'prometheus' },
        prometheusServiceAccount: { name: 'prometheus', namespace: 'monitoring' },
      },
    }),
  },
];

/** What identifies a Kubernetes object. */
export interface Identified {
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string };
}

/** `<kind> <namespace>/<name>`. */
export function identity(o: Identified): string {
  return `${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name ?? '-'}`;
}

/** Options of expectCdk8sObjects. */
export interface CompareOptions {
  /** Paths whose values differ by design (certificate bytes each tool makes): compared by presence only. */
  readonly presenceOnly?: readonly RegExp[];
}

/**
 * Expects the objects the cdk8s construct synthesized to be `expected`: the same identities in the
 * same order, and every field the same (fields at `presenceOnly` paths only present in both).
 */
export function expectCdk8sObjects(
  cdk8s: readonly Identified[],
  expected: readonly Identified[],
  options: CompareOptions = {},
): void {
  expect(cdk8s.map(identity)).toEqual(expected.map(identity));
  expected.forEach((expectedObject, i) => {
    const where = identity(expectedObject);
    const wanted = Object.fromEntries(
      leaves(JSON.parse(JSON.stringify(expectedObject)), options.presenceOnly),
    );
    const actual = Object.fromEntries(leaves(JSON.parse(JSON.stringify(cdk8s[i])), options.presenceOnly));
    expect({ where, fields: actual }).toEqual({ where, fields: wanted });
  });
}

/**
 * The leaves of a JSON value by dotted path (`spec.template.spec.volumes.0.name`); empty arrays and
 * objects are leaves too. Values at `presenceOnly` paths read `<present>`.
 */
function leaves(
  value: unknown,
  presenceOnly: readonly RegExp[] = [],
  path = '',
  out = new Map<string, unknown>(),
): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, []);
    value.forEach((v, i) => leaves(v, presenceOnly, path ? `${path}.${i}` : String(i), out));
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(path, {});
    for (const [k, v] of entries) leaves(v, presenceOnly, path ? `${path}.${k}` : k, out);
  } else {
    out.set(path, presenceOnly.some((re) => re.test(path)) ? '<present>' : value);
  }
  return out;
}
