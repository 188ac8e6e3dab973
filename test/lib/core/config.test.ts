import { defineResource, loadDeclarativeResources, type ResourceDefinition } from '../../../api/index.js';
import {
  AggregatedApiServerConfigError,
  type AggregatedApiServerOptions,
  DEFAULT_IMAGE,
  resolveConfig,
} from '../../../lib/core/index.js';
import { cronTab, gadget, metricSnapshot, metricSource } from '../support/definitions.js';

const resources: AggregatedApiServerOptions['resources'] = [metricSnapshot];

/** What a user of the old constructs passed: a second description, no definition. */
const oldShape = {
  group: 'metrics.example.com',
  versions: ['v1'],
  kind: 'MetricSnapshot',
  plural: 'metricsnapshots',
} as unknown as ResourceDefinition;

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
      'an etcd client certificate for a plain http endpoint',
      { storage: { type: 'etcd', endpoints: ['http://etcd:2379'], clientCertificateSecret: 'etcd-client' } },
      /storage\.endpoints entry "http:\/\/etcd:2379" must be https:\/\/ when storage\.clientCertificateSecret is set/,
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
      'no resources',
      { resources: [] },
      /resources must list at least one resource definition \(the value defineResource from aggregated-apiserver\/api returns\)/,
    ],
    [
      'a description of a resource instead of its definition',
      { resources: [oldShape] },
      /resources\[0\] is not a resource definition: pass the value defineResource \(from aggregated-apiserver\/api\) returns/,
    ],
    [
      'the same definition twice',
      { resources: [metricSnapshot, metricSnapshot] },
      /resources\[1\] repeats the resource metricsnapshots\.metrics\.example\.com/,
    ],
    [
      'a definition with code and no image',
      { resources: [metricSnapshot, gadget] },
      /resources: gadgets\.gadgets\.example\.com \(Gadget\) has code the stock image cannot run \(the strategy hook prepareForCreate, the conversion of v1alpha1\): build an image whose server entry serves it \(runApiServer from aggregated-apiserver\/server\) and set image to it/,
    ],
    [
      'a definition with code and a copy of the stock image',
      { resources: [gadget], image: 'registry.example/aggregated-apiserver:0.1.0', serverEntry: 'stock' },
      /gadgets\.gadgets\.example\.com \(Gadget\) has code the stock image cannot run/,
    ],
    [
      'a server entry that is neither stock nor own',
      { serverEntry: 'custom' as 'own' },
      /serverEntry must be "stock" or "own", got "custom"/,
    ],
    [
      'declarative definitions too large for a ConfigMap',
      {
        resources: [
          defineResource({
            group: 'big.example.com',
            kind: 'Big',
            versions: [{ name: 'v1', schema: { type: 'object', description: 'x'.repeat(1024 * 1024) } }],
          }),
        ],
      },
      /resources: the declarative definitions take \d+ bytes, more than a ConfigMap holds \(1048576\)/,
    ],
    [
      'a declarative definition that does not survive JSON (an infinite maximum)',
      {
        resources: [
          defineResource({
            group: 'numbers.example.com',
            kind: 'Number',
            versions: [
              {
                name: 'v1',
                schema: {
                  type: 'object',
                  properties: { value: { type: 'integer', maximum: Number.POSITIVE_INFINITY } },
                },
              },
            ],
          }),
        ],
      },
      /resources: the stock server would refuse resources\[0\] \(numbers\.numbers\.example\.com\)/,
    ],
    [
      'a Prometheus URL that is not http(s)',
      { prometheus: { url: 'prometheus:9090' } },
      /prometheus\.url must be an http or https URL, got "prometheus:9090"/,
    ],
    [
      'a token Secret with a bad name',
      { prometheus: { url: 'http://p:9090', bearerTokenSecret: { name: 'Bad_Name' } } },
      /prometheus\.bearerTokenSecret\.name "Bad_Name" must be a DNS-1123 subdomain/,
    ],
    [
      'a CA key that is no file name',
      { prometheus: { url: 'http://p:9090', caConfigMap: { name: 'ca', key: '../ca.crt' } } },
      /prometheus\.caConfigMap\.key must consist of alphanumerics, '-', '_' or '\.' \(a file name\), got "\.\.\/ca\.crt"/,
    ],
    [
      'Prometheus for the stock image without MetricSnapshot',
      { resources: [cronTab], prometheus: { url: 'http://p:9090' } },
      /prometheus feeds the stock image's MetricSnapshot collector, but resources do not include MetricSnapshot \(metricsnapshots\.metrics\.example\.com/,
    ],
    [
      'extraArgs that set the Prometheus URL',
      { extraArgs: ['--prometheus-url=http://p:9090'] },
      /extraArgs must not set --prometheus-url: the construct sets it \(use the prometheus option\)/,
    ],
    [
      'extraArgs that set the audit policy file',
      { extraArgs: ['--audit-policy-file=/etc/policy.yaml'] },
      /extraArgs must not set --audit-policy-file: the construct sets it \(use the auditPolicy option\)/,
    ],
    [
      'an audit policy without rules',
      { auditPolicy: { rules: [] } },
      /auditPolicy\.rules needs at least one rule/,
    ],
    [
      'an audit rule with a level the server does not know, and a stage it does not know',
      {
        auditPolicy: {
          rules: [{ level: 'Everything' as 'None', omitStages: ['Done' as 'Panic'] }],
        },
      },
      /auditPolicy\.rules\[0\]\.level must be one of None, Metadata, Request, RequestResponse, got "Everything".*auditPolicy\.rules\[0\]\.omitStages\[0\] must be one of RequestReceived/s,
    ],
    [
      'extraArgs that move the leader election Lease',
      { extraArgs: ['--leader-elect-resource-name=other'] },
      /extraArgs must not set --leader-elect-resource-name: the construct sets it \(the construct grants RBAC on this Lease only\)/,
    ],
    [
      'extraArgs that choose the resources',
      { extraArgs: ['--resources=metricsnapshots.metrics.example.com'] },
      /extraArgs must not set --resources: the construct sets it \(the resources option names what the server serves\)/,
    ],
    [
      'extraArgs that hand the server definitions',
      { extraArgs: ['--resource-definitions=/x.json'] },
      /extraArgs must not set --resource-definitions: the construct sets it/,
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
      '--leader-elect-lease-duration=30s',
    ];
    expect(resolveConfig({ resources, extraArgs }).extraArgs).toEqual(extraArgs);
  });

  test('GIVEN several problems WHEN resolved THEN all are reported at once', () => {
    const error = (() => {
      try {
        resolveConfig({
          resources: [oldShape],
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

describe('resolveConfig derives the served resources from their definitions', () => {
  test('GIVEN definitions THEN each is served by plural.group, in its served versions, with its subresources', () => {
    const config = resolveConfig({ resources: [metricSnapshot, metricSource, cronTab] });
    expect(
      config.resources.map(({ name, kind, namespaced, versions, subresources }) => ({
        name,
        kind,
        namespaced,
        versions,
        subresources,
      })),
    ).toEqual([
      {
        name: 'metricsnapshots.metrics.example.com',
        kind: 'MetricSnapshot',
        namespaced: true,
        versions: ['v1', 'v1beta1'],
        subresources: ['status'],
      },
      {
        name: 'metricsources.metrics.example.com',
        kind: 'MetricSource',
        namespaced: false,
        versions: ['v1'],
        subresources: [],
      },
      {
        name: 'crontabs.stable.example.com',
        kind: 'CronTab',
        namespaced: true,
        versions: ['v1'],
        subresources: ['status', 'scale'],
      },
    ]);
    expect(config.resources[2].definition).toBe(cronTab);
  });

  test('GIVEN definitions THEN one APIService per served group/version, none for a version no longer served', () => {
    const config = resolveConfig({ resources: [metricSnapshot, metricSource, cronTab] });
    expect(config.groupVersions.map((gv) => `${gv.version}.${gv.group}`)).toEqual([
      'v1.metrics.example.com',
      'v1beta1.metrics.example.com',
      'v1.stable.example.com',
    ]);
    expect(() => resolveConfig({ resources: [cronTab], versionPriorities: { v1beta1: 5 } })).toThrow(
      /versionPriorities names "v1beta1", which no resource serves/,
    );
  });

  test('GIVEN no image THEN the stock image serves its built-in MetricSnapshot and the declarative definitions from a file it validates', () => {
    const config = resolveConfig({ resources: [metricSnapshot, metricSource, cronTab] });
    expect(config.serverEntry).toBe('stock');
    const file = config.declarativeResources ?? '';
    expect(loadDeclarativeResources(file, 'the rendered file').map((d) => `${d.plural}.${d.group}`)).toEqual([
      'metricsources.metrics.example.com',
      'crontabs.stable.example.com',
    ]);
    expect(JSON.parse(file).resources[1].versions[0].schema.properties.spec.properties.cronSpec).toEqual(
      cronTab.spec.versions[0].schema.properties?.spec.properties?.cronSpec,
    );
    expect(config.disabledControllers).toEqual([]);
  });

  test('GIVEN only the built-in THEN the stock image needs no file', () => {
    expect(resolveConfig({ resources }).declarativeResources).toBeUndefined();
  });

  test('GIVEN the stock image without MetricSnapshot THEN its collector is turned off', () => {
    expect(resolveConfig({ resources: [cronTab] }).disabledControllers).toEqual(['metricsnapshot-collector']);
  });

  test('GIVEN an image of their own THEN its entry serves everything in code: no file, no controller turned off', () => {
    const config = resolveConfig({ resources: [gadget, cronTab], image: 'registry.example/gadgets:1' });
    expect(config.serverEntry).toBe('own');
    expect(config.declarativeResources).toBeUndefined();
    expect(config.disabledControllers).toEqual([]);
  });

  test('GIVEN a copy of the stock image THEN serverEntry stock hands it the declarative definitions', () => {
    const config = resolveConfig({
      resources: [cronTab],
      image: 'registry.example/aggregated-apiserver:0.1.0',
      serverEntry: 'stock',
    });
    expect(config.image).toBe('registry.example/aggregated-apiserver:0.1.0');
    expect(config.declarativeResources).toContain('"kind": "CronTab"');
  });

  test('GIVEN code without an image and several other problems THEN every definition with code is listed with its code', () => {
    const withStorage = defineResource({
      ...metricSource.spec,
      group: 'stored.example.com',
      storage: () => {
        throw new Error('never opened by the constructs');
      },
    });
    let error: AggregatedApiServerConfigError | undefined;
    try {
      resolveConfig({ resources: [gadget, withStorage, cronTab], replicas: 0 });
    } catch (e) {
      error = e as AggregatedApiServerConfigError;
    }
    expect(error?.problems).toEqual([
      'resources: gadgets.gadgets.example.com (Gadget) has code the stock image cannot run (the strategy hook prepareForCreate, the conversion of v1alpha1): build an image whose server entry serves it (runApiServer from aggregated-apiserver/server) and set image to it',
      'resources: metricsources.stored.example.com (MetricSource) has code the stock image cannot run (a custom storage): build an image whose server entry serves it (runApiServer from aggregated-apiserver/server) and set image to it',
      'replicas must be an integer from 1 to 1000, got 0',
    ]);
  });
});

describe('resolveConfig resolves the Prometheus of the collector', () => {
  test('GIVEN a token Secret and a CA ConfigMap without keys THEN the keys default to token and ca.crt', () => {
    expect(
      resolveConfig({
        resources,
        prometheus: {
          url: 'https://prometheus.monitoring.svc:9091',
          bearerTokenSecret: { name: 'reader' },
          caConfigMap: { name: 'kube-root-ca.crt' },
        },
      }).prometheus,
    ).toEqual({
      url: 'https://prometheus.monitoring.svc:9091',
      bearerTokenSecret: { name: 'reader', key: 'token' },
      caConfigMap: { name: 'kube-root-ca.crt', key: 'ca.crt' },
    });
  });

  test('GIVEN an image of their own without MetricSnapshot THEN Prometheus is theirs to use', () => {
    const config = resolveConfig({
      resources: [cronTab],
      image: 'registry.example/own:1',
      prometheus: { url: 'http://p:9090' },
    });
    expect(config.prometheus?.url).toBe('http://p:9090');
  });
});
