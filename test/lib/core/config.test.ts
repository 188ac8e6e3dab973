import {
  AggregatedApiServerConfigError,
  type AggregatedApiServerOptions,
  DEFAULT_IMAGE,
  resolveConfig,
} from '../../../lib/core/index.js';

const resources: AggregatedApiServerOptions['resources'] = [
  {
    group: 'metrics.example.com',
    versions: ['v1', 'v1beta1'],
    kind: 'MetricSnapshot',
    plural: 'metricsnapshots',
  },
];

function problemsOf(options: Partial<AggregatedApiServerOptions>): string {
  try {
    resolveConfig({ resources, ...options });
  } catch (e) {
    expect(e).toBeInstanceOf(AggregatedApiServerConfigError);
    return (e as Error).message;
  }
  throw new Error('expected resolveConfig to throw');
}

describe('resolveConfig defaults', () => {
  test('GIVEN only resources WHEN resolved THEN the documented defaults apply', () => {
    const config = resolveConfig({ resources });
    expect(config).toMatchObject({
      name: 'aggregated-apiserver',
      namespace: 'aggregated-apiserver',
      createNamespace: true,
      image: DEFAULT_IMAGE,
      imagePullPolicy: 'IfNotPresent',
      replicas: 2,
      securePort: 6443,
      verbosity: 2,
      runAsUser: 65532,
      topologySpread: 'preferred',
      clusterDomain: 'cluster.local',
      groupPriorityMinimum: 1000,
      insecureSkipTLSVerify: false,
      containerResources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
      storage: { type: 'dedicated-etcd', members: 3, size: '4Gi', networkPolicy: true },
      tls: {
        mode: 'self-managed',
        caValidityDays: 3650,
        servingValidityDays: 365,
        rotationOverlap: '10m',
        additionalDnsNames: [],
        additionalIpAddresses: [],
      },
    });
    expect(config.external).toBeUndefined();
  });

  test('GIVEN two versions and a priority override WHEN resolved THEN each group/version gets its priority', () => {
    const config = resolveConfig({ resources, versionPriorities: { v1beta1: 9 } });
    expect(config.groupVersions).toEqual([
      { group: 'metrics.example.com', version: 'v1', versionPriority: 15 },
      { group: 'metrics.example.com', version: 'v1beta1', versionPriority: 9 },
    ]);
  });

  test('GIVEN an external IP or DNS name WHEN resolved THEN the kind, address family and port follow', () => {
    expect(resolveConfig({ resources, external: { address: '192.0.2.10' } }).external).toEqual({
      kind: 'ip',
      address: '192.0.2.10',
      addressType: 'IPv4',
      port: 6443,
    });
    expect(
      resolveConfig({ resources, external: { address: '2001:db8::10', port: 8443 } }).external,
    ).toMatchObject({
      addressType: 'IPv6',
      port: 8443,
    });
    expect(resolveConfig({ resources, external: { address: 'localhost' } }).external).toEqual({
      kind: 'dns',
      host: 'localhost',
      port: 6443,
    });
    expect(resolveConfig({ resources, external: { address: 'localhost' } }).storage).toEqual({
      type: 'none',
    });
  });
});

describe('resolveConfig rejects what cannot work', () => {
  test.each<[string, Partial<AggregatedApiServerOptions>, RegExp]>([
    [
      'replicas > 1 with embedded storage',
      { replicas: 2, storage: { type: 'embedded' } },
      /embedded storage .* single replica, got replicas: 2/,
    ],
    [
      'an empty etcd endpoint list',
      { storage: { type: 'etcd', endpoints: [] } },
      /storage\.endpoints must list at least one etcd client URL/,
    ],
    [
      'an etcd endpoint that is not a URL',
      { storage: { type: 'etcd', endpoints: ['etcd:2379'] } },
      /must be an http:\/\/ or https:\/\/ URL/,
    ],
    [
      'insecureSkipTLSVerify with a generated CA',
      { insecureSkipTLSVerify: true, tls: { mode: 'generated' } },
      /insecureSkipTLSVerify cannot be combined with a CA \(tls mode "generated"/,
    ],
    [
      'insecureSkipTLSVerify with cert-manager',
      { insecureSkipTLSVerify: true, tls: { mode: 'cert-manager' } },
      /insecureSkipTLSVerify cannot be combined with a CA \(tls mode "cert-manager"/,
    ],
    [
      'a self-signed server certificate without insecureSkipTLSVerify',
      { tls: { mode: 'self-signed' } },
      /set insecureSkipTLSVerify: true explicitly/,
    ],
    [
      'a dot-less group',
      { resources: [{ ...resources[0], group: 'metrics' }] },
      /resources\[0\]\.group "metrics" must contain at least one dot/,
    ],
    [
      'an upper-case group',
      { resources: [{ ...resources[0], group: 'Metrics.example.com' }] },
      /must be a DNS-1123 subdomain/,
    ],
    [
      'a malformed version',
      { resources: [{ ...resources[0], versions: ['1.0'] }] },
      /versions entry "1\.0" must look like v1, v1beta1 or v2alpha3/,
    ],
    ['version v0', { resources: [{ ...resources[0], versions: ['v0'] }] }, /"v0" must look like/],
    [
      'a version without number after beta',
      { resources: [{ ...resources[0], versions: ['v1beta'] }] },
      /"v1beta" must look like/,
    ],
    ['no resources', { resources: [] }, /resources must list at least one served resource/],
    [
      'a lower-case kind',
      { resources: [{ ...resources[0], kind: 'metricSnapshot' }] },
      /kind "metricSnapshot" must be CamelCase/,
    ],
    [
      'the same resource twice',
      { resources: [resources[0], resources[0]] },
      /repeats the resource metrics\.example\.com\/metricsnapshots/,
    ],
    ['a privileged port', { securePort: 443 }, /securePort must be an unprivileged port from 1024 to 65535/],
    ['zero replicas', { replicas: 0 }, /replicas must be an integer from 1 to 1000, got 0/],
    [
      'groupPriorityMinimum out of range',
      { groupPriorityMinimum: 20001 },
      /groupPriorityMinimum must be an integer from 1 to 20000/,
    ],
    [
      'versionPriority out of range',
      { versionPriority: 0 },
      /versionPriority must be an integer from 1 to 1000/,
    ],
    [
      'a priority for a version nobody serves',
      { versionPriorities: { v2: 5 } },
      /versionPriorities names "v2", which no resource serves/,
    ],
    [
      'an even etcd cluster',
      { storage: { type: 'dedicated-etcd', members: 2 } },
      /storage\.members must be 1, 3 or 5/,
    ],
    [
      'storage with an external server',
      { external: { address: 'localhost' }, storage: { type: 'embedded' } },
      /storage cannot be combined with external/,
    ],
    [
      'an external address that is neither IP nor DNS name',
      { external: { address: 'not valid!' } },
      /external\.address "not valid!" must be a DNS-1123 subdomain.*, or an IP address/,
    ],
    [
      'an extra arg the construct owns',
      { extraArgs: ['--secure-port=8443'] },
      /extraArgs must not set --secure-port: the construct sets it/,
    ],
    [
      'an extra arg that is not a flag',
      { extraArgs: ['verbose'] },
      /extraArgs entry "verbose" must be a flag/,
    ],
    ['a name that is not a DNS-1035 label', { name: '1-server' }, /name "1-server" must be a DNS-1035 label/],
    ['a name too long for derived names', { name: 'a'.repeat(48) }, /at most 47 characters/],
    [
      'a bad quantity',
      { containerResources: { limits: { memory: 'lots' } } },
      /containerResources\.limits\.memory "lots" is not a Kubernetes quantity/,
    ],
    [
      'renewal longer than validity',
      { tls: { mode: 'generated', servingValidityDays: 10, renewBeforeDays: 30 } },
      /renewBeforeDays must be shorter/,
    ],
    [
      'a provided certificate that is not PEM',
      { tls: { mode: 'provided', caCertificatePem: 'x', certificatePem: 'y', privateKeyPem: 'z' } },
      /tls\.caCertificatePem must be a PEM block/,
    ],
    [
      'a bad cert-manager duration',
      { tls: { mode: 'cert-manager', duration: '1 year' } },
      /tls\.duration "1 year" is not a Go duration/,
    ],
    [
      'an extra arg the server does not know',
      { extraArgs: ['--etcd-prefixx=/x'] },
      /extraArgs entry "--etcd-prefixx=\/x": the server has no flag --etcd-prefixx/,
    ],
    [
      'an extra arg whose value the server would refuse',
      { extraArgs: ['--shutdown-delay-duration=5000'] },
      /extraArgs entry "--shutdown-delay-duration=5000": invalid argument "5000" for "--shutdown-delay-duration" flag/,
    ],
    [
      'an extra arg without its value',
      { extraArgs: ['--etcd-prefix'] },
      /needs a value: --etcd-prefix=<value>/,
    ],
    [
      'an extra arg that takes over the etcd PKI',
      { extraArgs: ['--self-managed-etcd-tls-secret=other/secret'] },
      /must not set --self-managed-etcd-tls-secret: the construct sets it/,
    ],
    [
      'an extra arg that makes the server standalone',
      { extraArgs: ['--standalone'] },
      /must not set --standalone: the construct sets it/,
    ],
    [
      'a subresource the server does not serve',
      { resources: [{ ...resources[0], subresources: ['status', 'logs'] }] },
      /subresources entry "logs" is not served by the server \(it serves status and scale\)/,
    ],
    [
      'a self-managed rotation overlap no longer than the sync period',
      { tls: { mode: 'self-managed', rotationOverlap: '1m' } },
      /tls\.rotationOverlap must be longer than 1m/,
    ],
    [
      'a self-managed serving certificate outliving its CA',
      { tls: { mode: 'self-managed', caValidityDays: 30, servingValidityDays: 60 } },
      /tls\.servingValidityDays must not exceed tls\.caValidityDays/,
    ],
    [
      'a backup schedule that is no cron schedule',
      { storage: { type: 'dedicated-etcd', backup: { schedule: 'every day' } } },
      /storage\.backup\.schedule "every day" is not a cron schedule/,
    ],
    [
      'keeping no snapshot',
      { storage: { type: 'dedicated-etcd', backup: { keep: 0 } } },
      /storage\.backup\.keep must be an integer from 1 to 1000/,
    ],
    [
      'a defragmentation schedule that is no cron schedule',
      { storage: { type: 'dedicated-etcd', defragmentationSchedule: '* * *' } },
      /storage\.defragmentationSchedule "\* \* \*" is not a cron schedule/,
    ],
    [
      'an extra IP SAN that is no IP',
      { tls: { mode: 'generated', additionalIpAddresses: ['localhost'] } },
      /"localhost" is not an IP address/,
    ],
  ])('GIVEN %s WHEN resolved THEN it fails with a clear message', (_what, options, message) => {
    expect(problemsOf(options)).toMatch(message);
  });

  test('GIVEN extra args the server knows WHEN resolved THEN they pass, booleans alone or with a value', () => {
    const extraArgs = [
      '--etcd-prefix=/x',
      '--watch-cache',
      '--watch-cache=false',
      '--shutdown-delay-duration=5s',
    ];
    expect(resolveConfig({ resources, extraArgs }).extraArgs).toEqual(extraArgs);
  });

  test('GIVEN several problems WHEN resolved THEN all are reported at once', () => {
    const error = (() => {
      try {
        resolveConfig({
          resources: [{ ...resources[0], group: 'metrics' }],
          replicas: 3,
          storage: { type: 'embedded' },
        });
      } catch (e) {
        return e as AggregatedApiServerConfigError;
      }
      throw new Error('expected a failure');
    })();
    expect(error.problems).toHaveLength(2);
  });
});
