import {
  type AggregatedApiServerOptions,
  etcdArgs,
  etcdInitialCluster,
  manifestList,
  renderManifests,
  resolveConfig,
  serverArgs,
  servingCertificateSpec,
  type TlsMaterial,
} from '../../../lib/core/index.js';
import { defineResource } from '../../../api/index.js';
import { cronTab, gadget, metricSnapshot, metricSource } from '../support/definitions.js';

/** lib/core alone: plain objects, no cdk8s. */

const options: AggregatedApiServerOptions = {
  name: 'custom-apiserver',
  resources: [metricSnapshot, metricSource],
  tls: { mode: 'generated' },
};
/** What the deployment serves, as its flags (the built-in and a declarative definition), and its Lease. */
const resourceArgs = [
  '--resources=metricsnapshots.metrics.example.com,metricsources.metrics.example.com',
  '--resource-definitions=/etc/aggregated-apiserver/resource-definitions/resources.json',
  '--leader-elect-resource-name=custom-apiserver',
  '--leader-elect-resource-namespace=custom-apiserver',
];
const material: TlsMaterial = {
  caCertificatePem: 'CA PEM',
  certificatePem: 'CERT PEM',
  privateKeyPem: 'KEY PEM',
};
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('server flags', () => {
  test('GIVEN a dedicated etcd WHEN rendering args THEN the server talks TLS to the etcd client Service and makes its PKI', () => {
    expect(serverArgs(resolveConfig(options))).toEqual([
      '--secure-port=6443',
      '--cert-dir=/var/run/apiserver',
      '--tls-cert-file=/var/run/apiserver/serving/tls.crt',
      '--tls-private-key-file=/var/run/apiserver/serving/tls.key',
      '--etcd-servers=https://custom-apiserver-etcd.custom-apiserver.svc:2379',
      '--self-managed-etcd-tls-secret=custom-apiserver/custom-apiserver-etcd-tls',
      '--self-managed-etcd-tls-member-hosts=*.custom-apiserver-etcd-headless.custom-apiserver.svc.cluster.local,*.custom-apiserver-etcd-headless.custom-apiserver.svc,custom-apiserver-etcd.custom-apiserver.svc,custom-apiserver-etcd.custom-apiserver.svc.cluster.local,custom-apiserver-etcd.custom-apiserver,localhost,127.0.0.1',
      '--v=2',
      ...resourceArgs,
    ]);
  });

  test('GIVEN a dedicated etcd without TLS THEN plain http and no PKI flags', () => {
    const config = resolveConfig({ ...options, storage: { type: 'dedicated-etcd', tls: false } });
    expect(serverArgs(config)).toEqual([
      '--secure-port=6443',
      '--tls-cert-file=/var/run/apiserver/serving/tls.crt',
      '--tls-private-key-file=/var/run/apiserver/serving/tls.key',
      '--etcd-servers=http://custom-apiserver-etcd.custom-apiserver.svc:2379',
      '--v=2',
      ...resourceArgs,
    ]);
    expect(etcdArgs(config).filter((a) => a.includes('https') || a.includes('cert'))).toEqual([]);
  });

  test('GIVEN embedded storage, a self-signed certificate and extra args THEN --data-dir, --cert-dir and the extras follow', () => {
    const config = resolveConfig({
      ...options,
      replicas: 1,
      storage: { type: 'embedded' },
      tls: { mode: 'self-signed' },
      insecureSkipTLSVerify: true,
      securePort: 8443,
      verbosity: 4,
      extraArgs: ['--etcd-prefix=/x', '--shutdown-delay-duration=5s'],
    });
    expect(serverArgs(config)).toEqual([
      '--secure-port=8443',
      '--cert-dir=/var/run/apiserver',
      '--data-dir=/var/lib/aggregated-apiserver',
      '--v=4',
      ...resourceArgs,
      '--etcd-prefix=/x',
      '--shutdown-delay-duration=5s',
    ]);
  });

  test('GIVEN external etcd endpoints THEN they are joined into --etcd-servers', () => {
    const config = resolveConfig({
      ...options,
      storage: { type: 'etcd', endpoints: ['https://a:2379', 'https://b:2379'] },
    });
    expect(serverArgs(config)).toContain('--etcd-servers=https://a:2379,https://b:2379');
  });

  test('GIVEN external etcd endpoints with a client certificate Secret THEN it is mounted read-only and the server authenticates with it', () => {
    const config = resolveConfig({
      ...options,
      storage: { type: 'etcd', endpoints: ['https://a:2379'], clientCertificateSecret: 'etcd-client' },
    });
    expect(serverArgs(config).filter((a) => a.startsWith('--etcd-'))).toEqual([
      '--etcd-servers=https://a:2379',
      '--etcd-cafile=/var/run/etcd-client/ca.crt',
      '--etcd-certfile=/var/run/etcd-client/tls.crt',
      '--etcd-keyfile=/var/run/etcd-client/tls.key',
    ]);
    const pod = renderManifests(config, material).deployment?.spec?.template.spec;
    expect(pod?.volumes).toContainEqual({
      name: 'etcd-client',
      secret: { secretName: 'etcd-client', defaultMode: 0o440 },
    });
    expect(pod?.containers[0].volumeMounts).toContainEqual({
      name: 'etcd-client',
      mountPath: '/var/run/etcd-client',
      readOnly: true,
    });
  });
});

describe('dedicated etcd', () => {
  test('GIVEN 3 members WHEN rendering THEN --initial-cluster names every member by its headless DNS name', () => {
    const config = resolveConfig(options);
    expect(etcdInitialCluster(config).split(',')).toEqual(
      [0, 1, 2].map(
        (i) =>
          `custom-apiserver-etcd-${i}=https://custom-apiserver-etcd-${i}.custom-apiserver-etcd-headless.custom-apiserver.svc.cluster.local:2380`,
      ),
    );
    const m = renderManifests(config, material);
    expect(m.etcdStatefulSet?.spec?.replicas).toBe(3);
    expect(m.etcdStatefulSet?.spec?.podManagementPolicy).toBe('Parallel');
    expect(m.etcdHeadlessService?.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(m.etcdPodDisruptionBudget?.spec?.maxUnavailable).toBe(1);
    expect(m.etcdNetworkPolicy?.spec?.ingress?.[0].from?.[0].podSelector?.matchLabels).toEqual({
      'app.kubernetes.io/name': 'aggregated-apiserver',
      'app.kubernetes.io/instance': 'custom-apiserver',
      'app.kubernetes.io/component': 'apiserver',
    });
  });

  test('GIVEN 1 member THEN there is no etcd PodDisruptionBudget and the cluster has one member', () => {
    const config = resolveConfig({ ...options, storage: { type: 'dedicated-etcd', members: 1 } });
    const m = renderManifests(config, material);
    expect(m.etcdStatefulSet).toBeDefined();
    expect(m.etcdPodDisruptionBudget).toBeUndefined();
    expect(etcdInitialCluster(config).split(',')).toHaveLength(1);
  });
});

describe('RBAC', () => {
  const m = renderManifests(resolveConfig(options), material);
  const subject = {
    apiGroup: '',
    kind: 'ServiceAccount',
    name: 'custom-apiserver',
    namespace: 'custom-apiserver',
  };

  test('GIVEN the deployment THEN auth-delegator and the kube-system reader are bound to the ServiceAccount', () => {
    expect(m.authDelegatorBinding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'system:auth-delegator',
    });
    expect(m.authDelegatorBinding.subjects).toEqual([subject]);
    expect(m.authReaderBinding.metadata.namespace).toBe('kube-system');
    expect(m.authReaderBinding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'extension-apiserver-authentication-reader',
    });
    expect(m.authReaderBinding.subjects).toEqual([subject]);
    expect(m.serverClusterRole.rules).toEqual([
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: [
          'mutatingwebhookconfigurations',
          'validatingwebhookconfigurations',
          'validatingadmissionpolicies',
          'validatingadmissionpolicybindings',
        ],
        verbs: ['get', 'list', 'watch'],
      },
    ]);
  });

  test('GIVEN a namespaced and a cluster-scoped resource THEN view reads both, edit writes only the namespaced one', () => {
    expect(m.viewClusterRole.metadata.labels).toMatchObject({
      'rbac.authorization.k8s.io/aggregate-to-view': 'true',
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
      'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
    });
    expect(m.viewClusterRole.rules).toEqual([
      {
        apiGroups: ['metrics.example.com'],
        resources: ['metricsnapshots', 'metricsnapshots/status'],
        verbs: ['get', 'list', 'watch'],
      },
      { apiGroups: ['metrics.example.com'], resources: ['metricsources'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(m.editClusterRole?.metadata.labels).not.toHaveProperty([
      'rbac.authorization.k8s.io/aggregate-to-view',
    ]);
    expect(m.editClusterRole?.rules).toEqual([
      {
        apiGroups: ['metrics.example.com'],
        resources: ['metricsnapshots'],
        verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'],
      },
    ]);
  });

  test('GIVEN a resource with status and scale THEN view reads both, edit scales it (update, patch) and leaves status to the server', () => {
    const withScale = renderManifests(resolveConfig({ ...options, resources: [cronTab] }), material);
    expect(withScale.viewClusterRole.rules).toEqual([
      {
        apiGroups: ['stable.example.com'],
        resources: ['crontabs', 'crontabs/status', 'crontabs/scale'],
        verbs: ['get', 'list', 'watch'],
      },
    ]);
    expect(withScale.editClusterRole?.rules).toEqual([
      {
        apiGroups: ['stable.example.com'],
        resources: ['crontabs'],
        verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'],
      },
      { apiGroups: ['stable.example.com'], resources: ['crontabs/scale'], verbs: ['update', 'patch'] },
    ]);
  });
});

describe('APIServices', () => {
  test('GIVEN generated TLS THEN one APIService per version, named <version>.<group>, with the CA as caBundle', () => {
    const m = renderManifests(resolveConfig(options), material);
    expect(m.apiServices.map((a) => a.metadata.name)).toEqual([
      'v1.metrics.example.com',
      'v1beta1.metrics.example.com',
    ]);
    for (const a of m.apiServices) {
      expect(a.metadata.namespace).toBeUndefined();
      expect(a.spec).toMatchObject({
        group: 'metrics.example.com',
        groupPriorityMinimum: 1000,
        versionPriority: 15,
        service: { name: 'custom-apiserver', namespace: 'custom-apiserver', port: 443 },
        caBundle: b64('CA PEM'),
      });
      expect(a.spec).not.toHaveProperty('insecureSkipTLSVerify');
    }
  });

  test('GIVEN a version that is no longer served THEN it gets no APIService, nor a place in the self-managed flags', () => {
    const config = resolveConfig({ ...options, resources: [cronTab], tls: { mode: 'self-managed' } });
    expect(renderManifests(config).apiServices.map((a) => a.metadata.name)).toEqual([
      'v1.stable.example.com',
    ]);
    expect(serverArgs(config)).toContain('--self-managed-tls-apiservices=v1.stable.example.com');
  });

  test('GIVEN cert-manager THEN the CA is injected from the serving Certificate instead of a caBundle', () => {
    const m = renderManifests(resolveConfig({ ...options, tls: { mode: 'cert-manager' } }));
    for (const a of m.apiServices) {
      expect(a.metadata.annotations).toEqual({
        'cert-manager.io/inject-ca-from': 'custom-apiserver/custom-apiserver-serving',
      });
      expect(a.spec).not.toHaveProperty('caBundle');
    }
    expect(m.servingSecret).toBeUndefined();
    expect(m.certManagerServingCertificate?.spec.secretName).toBe('custom-apiserver-serving-cert');
  });

  test('GIVEN a self-signed server certificate with insecureSkipTLSVerify THEN no caBundle is rendered', () => {
    const m = renderManifests(
      resolveConfig({ ...options, tls: { mode: 'self-signed' }, insecureSkipTLSVerify: true }),
    );
    expect(m.apiServices[0].spec).toMatchObject({ insecureSkipTLSVerify: true });
    expect(m.apiServices[0].spec).not.toHaveProperty('caBundle');
  });

  test('GIVEN generated TLS but no material THEN rendering refuses', () => {
    expect(() => renderManifests(resolveConfig(options))).toThrow(
      /needs the serving certificate, key and CA/,
    );
  });
});

describe('serving certificate spec', () => {
  test('GIVEN a cluster domain and extra names THEN the SANs cover the Service names first', () => {
    const spec = servingCertificateSpec(
      resolveConfig({
        ...options,
        namespace: 'metrics',
        clusterDomain: 'corp.local',
        tls: { mode: 'generated', additionalDnsNames: ['localhost'], additionalIpAddresses: ['127.0.0.1'] },
      }),
    );
    expect(spec.commonName).toBe('custom-apiserver.metrics.svc');
    expect(spec.dnsNames).toEqual([
      'custom-apiserver.metrics.svc',
      'custom-apiserver.metrics',
      'custom-apiserver.metrics.svc.corp.local',
      'localhost',
    ]);
    expect(spec.ipAddresses).toEqual(['127.0.0.1']);
    expect(spec).toMatchObject({ validityDays: 365, caValidityDays: 3650 });
  });
});

describe('external mode', () => {
  test('GIVEN an external IP THEN a selector-less Service, a matching EndpointSlice and no workload', () => {
    const m = renderManifests(
      resolveConfig({ ...options, external: { address: '192.0.2.10', port: 7443 } }),
      material,
    );
    expect(m.deployment).toBeUndefined();
    expect(m.podDisruptionBudget).toBeUndefined();
    expect(m.etcdStatefulSet).toBeUndefined();
    expect(m.service.spec).toEqual({
      type: 'ClusterIP',
      ports: [{ name: 'https', port: 443, targetPort: 7443, protocol: 'TCP' }],
    });
    expect(m.endpointSlice).toMatchObject({
      metadata: { labels: { 'kubernetes.io/service-name': 'custom-apiserver' } },
      addressType: 'IPv4',
      ports: [{ name: 'https', port: 7443, protocol: 'TCP' }],
      endpoints: [{ addresses: ['192.0.2.10'], conditions: { ready: true } }],
    });
    expect(m.apiServices[0].spec?.service?.port).toBe(443);
  });

  test('GIVEN an external DNS name THEN an ExternalName Service and the APIService dials the external port', () => {
    const m = renderManifests(
      resolveConfig({ ...options, external: { address: 'localhost', port: 7443 } }),
      material,
    );
    expect(m.service.spec).toEqual({ type: 'ExternalName', externalName: 'localhost' });
    expect(m.endpointSlice).toBeUndefined();
    expect(m.apiServices[0].spec?.service?.port).toBe(7443);
  });
});

describe('apply order', () => {
  test('GIVEN all objects THEN the namespace comes first and the APIServices last', () => {
    const list = manifestList(renderManifests(resolveConfig(options), material));
    expect(list[0].kind).toBe('Namespace');
    expect(list.slice(-2).map((o) => o.kind)).toEqual(['APIService', 'APIService']);
    const kinds = list.map((o) => o.kind);
    expect(kinds.indexOf('Secret')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(kinds.indexOf('StatefulSet')).toBeLessThan(kinds.indexOf('Deployment'));
  });

  test('GIVEN an existing namespace THEN no Namespace object is rendered', () => {
    const list = manifestList(
      renderManifests(resolveConfig({ ...options, createNamespace: false }), material),
    );
    expect(list.map((o) => o.kind)).not.toContain('Namespace');
  });
});

describe('server Deployment', () => {
  test('GIVEN 2 replicas THEN the pods spread, roll without losing capacity and have a disruption budget', () => {
    const m = renderManifests(resolveConfig(options), material);
    const spec = m.deployment?.spec;
    expect(spec?.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    expect(
      spec?.template.spec?.topologySpreadConstraints?.map((c) => [c.topologyKey, c.whenUnsatisfiable]),
    ).toEqual([
      ['kubernetes.io/hostname', 'ScheduleAnyway'],
      ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
    ]);
    expect(m.podDisruptionBudget?.spec).toMatchObject({
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('GIVEN embedded storage THEN one replica, a PVC mounted at the data dir, Recreate strategy, no PDB', () => {
    const m = renderManifests(
      resolveConfig({ ...options, replicas: 1, storage: { type: 'embedded', size: '2Gi' } }),
      material,
    );
    expect(m.dataVolumeClaim?.spec?.resources?.requests).toEqual({ storage: '2Gi' });
    expect(m.deployment?.spec?.strategy).toEqual({ type: 'Recreate' });
    expect(m.deployment?.spec?.template.spec?.containers[0].volumeMounts).toContainEqual({
      name: 'data',
      mountPath: '/var/lib/aggregated-apiserver',
    });
    expect(m.podDisruptionBudget).toBeUndefined();
    expect(m.deployment?.spec?.template.spec?.topologySpreadConstraints).toBeUndefined();
  });
});

describe('self-managed TLS', () => {
  const config = resolveConfig({
    ...options,
    tls: { mode: 'self-managed', additionalDnsNames: ['api.example.com'] },
  });
  const m = renderManifests(config);

  test('GIVEN self-managed TLS THEN no caBundle, an empty Secret, and no key anywhere', () => {
    for (const a of m.apiServices) expect(a.spec).not.toHaveProperty('caBundle');
    expect(m.servingSecret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: expect.objectContaining({
        name: 'custom-apiserver-serving-cert',
        namespace: 'custom-apiserver',
      }),
      type: 'Opaque',
    });
    expect(JSON.stringify(m)).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
    expect(m.deployment?.spec?.template.metadata?.annotations).not.toHaveProperty(['checksum/serving-cert']);
  });

  test('GIVEN self-managed TLS THEN the server may get and update exactly its Secret and its APIServices', () => {
    expect(m.selfManagedTlsRole?.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['custom-apiserver-serving-cert', 'custom-apiserver-etcd-tls'],
        verbs: ['get', 'update'],
      },
    ]);
    expect(m.selfManagedTlsClusterRole?.rules).toEqual([
      {
        apiGroups: ['apiregistration.k8s.io'],
        resources: ['apiservices'],
        resourceNames: ['v1.metrics.example.com', 'v1beta1.metrics.example.com'],
        verbs: ['get', 'update'],
      },
    ]);
    const subject = {
      apiGroup: '',
      kind: 'ServiceAccount',
      name: 'custom-apiserver',
      namespace: 'custom-apiserver',
    };
    expect(m.selfManagedTlsRoleBinding?.subjects).toEqual([subject]);
    expect(m.selfManagedTlsRoleBinding?.roleRef.name).toBe('custom-apiserver-self-managed-tls');
    expect(m.selfManagedTlsClusterRoleBinding?.subjects).toEqual([subject]);
  });

  test('GIVEN self-managed TLS THEN the server gets the flags for its Secret, APIServices and names, and an in-memory cert dir', () => {
    expect(serverArgs(config).slice(1, 8)).toEqual([
      '--cert-dir=/var/run/apiserver',
      '--self-managed-tls-secret=custom-apiserver/custom-apiserver-serving-cert',
      '--self-managed-tls-apiservices=v1.metrics.example.com,v1beta1.metrics.example.com',
      '--self-managed-tls-hosts=custom-apiserver.custom-apiserver.svc,custom-apiserver.custom-apiserver,custom-apiserver.custom-apiserver.svc.cluster.local,api.example.com',
      '--self-managed-tls-ca-validity=87600h',
      '--self-managed-tls-validity=8760h',
      '--self-managed-tls-rotation-overlap=10m',
    ]);
    const pod = m.deployment?.spec?.template.spec;
    expect(pod?.volumes?.[0]).toEqual({ name: 'cert-dir', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(pod?.containers[0].volumeMounts?.[0]).toEqual({
      name: 'cert-dir',
      mountPath: '/var/run/apiserver',
    });
  });

  test('GIVEN another TLS mode THEN the server may only read and write its etcd TLS Secret, and no APIService', () => {
    const generated = renderManifests(resolveConfig(options), material);
    expect(generated.selfManagedTlsRole?.rules?.[0].resourceNames).toEqual(['custom-apiserver-etcd-tls']);
    expect(generated.selfManagedTlsClusterRole).toBeUndefined();
    const plain = renderManifests(
      resolveConfig({ ...options, storage: { type: 'dedicated-etcd', tls: false } }),
      material,
    );
    expect(plain.selfManagedTlsRole).toBeUndefined();
    expect(plain.etcdTlsSecret).toBeUndefined();
  });
});

describe('namespace and roles', () => {
  test('GIVEN a created namespace THEN it enforces the restricted Pod Security level', () => {
    expect(renderManifests(resolveConfig(options), material).namespace?.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  test('GIVEN only cluster-scoped resources THEN there is no edit role rather than one without rules', () => {
    const clusterScoped = resolveConfig({ ...options, resources: [metricSource] });
    const m = renderManifests(clusterScoped, material);
    expect(m.editClusterRole).toBeUndefined();
    expect(m.viewClusterRole.rules).toHaveLength(1);
    for (const o of manifestList(m)) {
      if ('rules' in o) expect((o as { rules: unknown[] }).rules.length).toBeGreaterThan(0);
    }
  });
});

describe('the resources the server serves', () => {
  const file = '/etc/aggregated-apiserver/resource-definitions/resources.json';

  test('GIVEN declarative definitions and the stock image THEN their data is a ConfigMap, mounted read-only and passed as --resource-definitions', () => {
    const config = resolveConfig(options);
    const m = renderManifests(config, material);
    expect(m.resourceDefinitions).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: expect.objectContaining({
        name: 'custom-apiserver-resource-definitions',
        namespace: 'custom-apiserver',
      }),
      data: { 'resources.json': config.declarativeResources },
    });
    const pod = m.deployment?.spec?.template;
    expect(pod?.spec?.volumes).toContainEqual({
      name: 'resource-definitions',
      configMap: { name: 'custom-apiserver-resource-definitions' },
    });
    expect(pod?.spec?.containers[0].volumeMounts).toContainEqual({
      name: 'resource-definitions',
      mountPath: '/etc/aggregated-apiserver/resource-definitions',
      readOnly: true,
    });
    expect(pod?.spec?.containers[0].args).toContain(`--resource-definitions=${file}`);
    expect(pod?.metadata?.annotations?.['checksum/resource-definitions']).toMatch(/^[0-9a-f]{64}$/);
    const list = manifestList(m);
    expect(list.indexOf(m.resourceDefinitions!)).toBeLessThan(list.indexOf(m.deployment!));
  });

  test('GIVEN a changed declarative definition THEN the checksum changes and the pods roll', () => {
    const checksum = (resources: AggregatedApiServerOptions['resources']) =>
      renderManifests(resolveConfig({ ...options, resources }), material).deployment?.spec?.template.metadata
        ?.annotations?.['checksum/resource-definitions'];
    const changed = defineResource({ ...metricSource.spec, shortNames: ['msrc'] });
    expect(checksum([metricSnapshot, metricSource])).toBe(checksum([metricSnapshot, metricSource]));
    expect(checksum([metricSnapshot, changed])).not.toBe(checksum([metricSnapshot, metricSource]));
  });

  test('GIVEN only the built-in MetricSnapshot THEN no ConfigMap, and --resources names it', () => {
    const config = resolveConfig({ ...options, resources: [metricSnapshot] });
    const m = renderManifests(config, material);
    expect(m.resourceDefinitions).toBeUndefined();
    expect(JSON.stringify(m.deployment)).not.toContain('resource-definitions');
    expect(
      serverArgs(config).filter((a) => /^--(resources|resource-definitions|controllers)=/.test(a)),
    ).toEqual(['--resources=metricsnapshots.metrics.example.com']);
  });

  test('GIVEN the stock image without MetricSnapshot THEN its collector is turned off by flag', () => {
    const config = resolveConfig({ ...options, resources: [cronTab] });
    expect(
      serverArgs(config).filter((a) => /^--(resources|resource-definitions|controllers)=/.test(a)),
    ).toEqual([
      '--resources=crontabs.stable.example.com',
      `--resource-definitions=${file}`,
      '--controllers=*,-metricsnapshot-collector',
    ]);
  });

  test('GIVEN an image of their own THEN --resources names every definition and no ConfigMap is rendered', () => {
    const config = resolveConfig({
      ...options,
      resources: [gadget, cronTab],
      image: 'registry.example/gadgets:2',
    });
    const m = renderManifests(config, material);
    expect(m.resourceDefinitions).toBeUndefined();
    expect(m.deployment?.spec?.template.spec?.containers[0].image).toBe('registry.example/gadgets:2');
    expect(
      serverArgs(config).filter((a) => /^--(resources|resource-definitions|controllers)=/.test(a)),
    ).toEqual(['--resources=gadgets.gadgets.example.com,crontabs.stable.example.com']);
    expect(m.deployment?.spec?.template.metadata?.annotations).not.toHaveProperty([
      'checksum/resource-definitions',
    ]);
  });

  test('GIVEN an external stock server THEN the ConfigMap is still rendered for it to read, without a workload', () => {
    const m = renderManifests(resolveConfig({ ...options, external: { address: 'localhost' } }), material);
    expect(m.deployment).toBeUndefined();
    expect(m.resourceDefinitions?.data?.['resources.json']).toContain('"kind": "MetricSource"');
  });
});

describe('the collector: leader election and Prometheus', () => {
  test('GIVEN the defaults THEN a Role grants get and update on the Lease by name only, and create in the namespace', () => {
    const m = renderManifests(resolveConfig(options), material);
    expect(m.leaderElectionRole).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: expect.objectContaining({
        name: 'custom-apiserver-leader-election',
        namespace: 'custom-apiserver',
      }),
      rules: [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: ['custom-apiserver'],
          verbs: ['get', 'update'],
        },
      ],
    });
    expect(m.leaderElectionRoleBinding).toMatchObject({
      metadata: { name: 'custom-apiserver-leader-election', namespace: 'custom-apiserver' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'custom-apiserver-leader-election',
      },
      subjects: [{ kind: 'ServiceAccount', name: 'custom-apiserver', namespace: 'custom-apiserver' }],
    });
    const list = manifestList(m);
    expect(list.indexOf(m.leaderElectionRoleBinding)).toBeLessThan(list.indexOf(m.deployment!));
    expect(m.deployment?.spec?.template.spec?.containers[0].args).toEqual(
      expect.arrayContaining([
        '--leader-elect-resource-name=custom-apiserver',
        '--leader-elect-resource-namespace=custom-apiserver',
      ]),
    );
  });

  test('GIVEN an external server THEN the Lease is granted all the same (it runs the same controllers)', () => {
    const m = renderManifests(resolveConfig({ ...options, external: { address: 'localhost' } }), material);
    expect(m.leaderElectionRole.rules?.[1].resourceNames).toEqual(['custom-apiserver']);
  });

  test('GIVEN prometheus with a token Secret and a CA ConfigMap THEN only their keys are mounted read-only and passed as files', () => {
    const config = resolveConfig({
      ...options,
      prometheus: {
        url: 'https://prometheus.monitoring.svc:9091',
        bearerTokenSecret: { name: 'prometheus-reader' },
        caConfigMap: { name: 'kube-root-ca.crt' },
      },
    });
    expect(serverArgs(config).slice(-3)).toEqual([
      '--prometheus-url=https://prometheus.monitoring.svc:9091',
      '--prometheus-bearer-token-file=/var/run/prometheus/token/token',
      '--prometheus-ca-file=/var/run/prometheus/ca/ca.crt',
    ]);
    const pod = renderManifests(config, material).deployment?.spec?.template.spec;
    expect(pod?.volumes).toEqual(
      expect.arrayContaining([
        {
          name: 'prometheus-token',
          secret: {
            secretName: 'prometheus-reader',
            items: [{ key: 'token', path: 'token' }],
            defaultMode: 0o440,
          },
        },
        {
          name: 'prometheus-ca',
          configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
        },
      ]),
    );
    expect(pod?.containers[0].volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'prometheus-token', mountPath: '/var/run/prometheus/token', readOnly: true },
        { name: 'prometheus-ca', mountPath: '/var/run/prometheus/ca', readOnly: true },
      ]),
    );
  });

  test('GIVEN prometheus with a URL only THEN only --prometheus-url is added, with no volume', () => {
    const config = resolveConfig({ ...options, prometheus: { url: 'http://prometheus:9090' } });
    expect(serverArgs(config).filter((a) => a.startsWith('--prometheus'))).toEqual([
      '--prometheus-url=http://prometheus:9090',
    ]);
    const volumes = renderManifests(config, material).deployment?.spec?.template.spec?.volumes ?? [];
    expect(volumes.map((v) => v.name).filter((n) => n.startsWith('prometheus'))).toEqual([]);
  });

  test('GIVEN keys of their own THEN the files are named after them', () => {
    const config = resolveConfig({
      ...options,
      prometheus: {
        url: 'http://prometheus:9090',
        bearerTokenSecret: { name: 'reader', key: 'bearer' },
        caConfigMap: { name: 'bundle', key: 'service-ca.crt' },
      },
    });
    expect(serverArgs(config)).toEqual(
      expect.arrayContaining([
        '--prometheus-bearer-token-file=/var/run/prometheus/token/bearer',
        '--prometheus-ca-file=/var/run/prometheus/ca/service-ca.crt',
      ]),
    );
  });
});
