import type {
  V1ClusterRoleBinding,
  V1Deployment,
  V1PodDisruptionBudget,
  V1RoleBinding,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import { JsonPatch, Testing } from 'cdk8s';
import { AggregatedApiServer } from '../../../lib/cdk8s/index.js';
import { metricSnapshot } from '../support/definitions.js';
import { all, cleanupTempDirs, one, type Synthesized, synthServer, tempDir } from '../support/synth.js';

afterAll(cleanupTempDirs);

const SA_SUBJECT = {
  apiGroup: '',
  kind: 'ServiceAccount',
  name: 'custom-apiserver',
  namespace: 'custom-apiserver',
};

describe('AggregatedApiServer identity and RBAC', () => {
  const { objects } = synthServer({});

  test('GIVEN the defaults WHEN synthesized THEN the ServiceAccount token is mounted (cdk8s-plus turns it off)', () => {
    expect(one<V1ServiceAccount>(objects, 'ServiceAccount').automountServiceAccountToken).toBe(true);
    const pod = one<V1Deployment>(objects, 'Deployment').spec?.template.spec;
    expect(pod?.automountServiceAccountToken).toBe(true);
    expect(pod?.serviceAccountName).toBe('custom-apiserver');
  });

  test('GIVEN the defaults THEN system:auth-delegator is bound to the ServiceAccount by name and namespace', () => {
    const binding = one<V1ClusterRoleBinding>(
      objects,
      'ClusterRoleBinding',
      'custom-apiserver:custom-apiserver:auth-delegator',
    );
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'system:auth-delegator',
    });
    expect(binding.subjects).toEqual([SA_SUBJECT]);
  });

  test('GIVEN the defaults THEN the ServiceAccount may read the authentication ConfigMap in kube-system', () => {
    const binding = one<V1RoleBinding>(
      objects,
      'RoleBinding',
      'custom-apiserver:custom-apiserver:auth-reader',
    );
    expect(binding.metadata.namespace).toBe('kube-system');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'extension-apiserver-authentication-reader',
    });
    expect(binding.subjects).toEqual([SA_SUBJECT]);
  });

  test('GIVEN the defaults THEN a Role in the namespace grants the leader election Lease by name, and the server uses that Lease', () => {
    const role = one<{ rules: unknown[] }>(objects, 'Role', 'custom-apiserver-leader-election');
    expect(role.metadata.namespace).toBe('custom-apiserver');
    expect(role.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['custom-apiserver'],
        verbs: ['get', 'update'],
      },
    ]);
    const binding = one<V1RoleBinding>(objects, 'RoleBinding', 'custom-apiserver-leader-election');
    expect(binding.roleRef.name).toBe('custom-apiserver-leader-election');
    expect(binding.subjects).toEqual([SA_SUBJECT]);
    expect(one<V1Deployment>(objects, 'Deployment').spec?.template.spec?.containers[0].args).toEqual(
      expect.arrayContaining([
        '--leader-elect-resource-name=custom-apiserver',
        '--leader-elect-resource-namespace=custom-apiserver',
      ]),
    );
  });

  test("GIVEN the defaults THEN the server's own ClusterRole reads namespaces and the cluster's admission configuration and is bound to the ServiceAccount", () => {
    const role = one<{ rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }>(
      objects,
      'ClusterRole',
      'custom-apiserver:custom-apiserver',
    );
    expect(role.rules).toEqual([
      expect.objectContaining({
        apiGroups: [''],
        resources: ['namespaces'],
        verbs: ['get', 'list', 'watch'],
      }),
      expect.objectContaining({
        apiGroups: ['admissionregistration.k8s.io'],
        resources: [
          'mutatingwebhookconfigurations',
          'validatingwebhookconfigurations',
          'validatingadmissionpolicies',
          'validatingadmissionpolicybindings',
        ],
        verbs: ['get', 'list', 'watch'],
      }),
    ]);
    const binding = one<V1ClusterRoleBinding>(
      objects,
      'ClusterRoleBinding',
      'custom-apiserver:custom-apiserver',
    );
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([SA_SUBJECT]);
  });

  test('GIVEN the defaults THEN user-facing roles aggregate into view, edit and admin', () => {
    const view = one<{ rules: { resources: string[]; verbs: string[] }[] }>(
      objects,
      'ClusterRole',
      'custom-apiserver:custom-apiserver:view',
    );
    expect(view.metadata.labels).toMatchObject({
      'rbac.authorization.k8s.io/aggregate-to-view': 'true',
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
      'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
    });
    expect(view.rules.flatMap((r) => r.resources).sort()).toEqual([
      'metricsnapshots',
      'metricsnapshots/status',
    ]);
    expect(view.rules.every((r) => r.verbs.join() === 'get,list,watch')).toBe(true);
    const edit = one<{ rules: { resources: string[]; verbs: string[] }[] }>(
      objects,
      'ClusterRole',
      'custom-apiserver:custom-apiserver:edit',
    );
    expect(edit.metadata.labels).toMatchObject({
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
      'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
    });
    expect(edit.rules).toEqual([
      expect.objectContaining({
        resources: ['metricsnapshots'],
        verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'],
      }),
    ]);
  });
});

describe('AggregatedApiServer workload', () => {
  const { objects } = synthServer({ tls: { mode: 'generated' } });
  const deployment = one<V1Deployment>(objects, 'Deployment');
  const pod = deployment.spec?.template.spec;
  const container = pod?.containers[0];

  test('GIVEN the defaults THEN the pod runs with the restricted security defaults', () => {
    expect(pod?.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container?.securityContext).toEqual({
      runAsNonRoot: true,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  test('GIVEN a read-only root filesystem THEN /tmp and the cert dir (etcd client files) are writable, the serving Secret read-only', () => {
    expect(container?.volumeMounts).toEqual([
      { name: 'cert-dir', mountPath: '/var/run/apiserver' },
      { name: 'serving-cert', mountPath: '/var/run/apiserver/serving', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(pod?.volumes).toEqual([
      { name: 'cert-dir', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      { name: 'serving-cert', secret: { secretName: 'custom-apiserver-serving-cert', defaultMode: 0o440 } },
      { name: 'tmp', emptyDir: {} },
    ]);
    expect(container?.args).toEqual(
      expect.arrayContaining([
        '--cert-dir=/var/run/apiserver',
        '--tls-cert-file=/var/run/apiserver/serving/tls.crt',
        '--tls-private-key-file=/var/run/apiserver/serving/tls.key',
      ]),
    );
  });

  test('GIVEN the defaults THEN the documented resources are set (not cdk8s-plus defaults)', () => {
    expect(container?.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '512Mi' },
    });
  });

  test('GIVEN the defaults THEN HTTPS /livez and /readyz probes hit the non-privileged container port', () => {
    expect(container?.ports).toEqual([{ name: 'https', containerPort: 6443, protocol: 'TCP' }]);
    expect(container?.livenessProbe?.httpGet).toEqual({ path: '/livez', port: 6443, scheme: 'HTTPS' });
    expect(container?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 6443, scheme: 'HTTPS' });
    expect(container?.startupProbe?.httpGet).toEqual({ path: '/livez', port: 6443, scheme: 'HTTPS' });
  });

  test("GIVEN the Service THEN its named port 443 targets the container port's name", () => {
    const service = one<V1Service>(objects, 'Service', 'custom-apiserver');
    const port = service.spec?.ports?.[0];
    expect(port).toMatchObject({ name: 'https', port: 443, protocol: 'TCP' });
    expect(port?.targetPort).toBe(container?.ports?.[0].name);
    expect(service.spec?.selector).toEqual(deployment.spec?.selector.matchLabels);
  });

  test('GIVEN 2 replicas THEN they spread across nodes and a PodDisruptionBudget keeps one up', () => {
    expect(deployment.spec?.replicas).toBe(2);
    expect(pod?.topologySpreadConstraints?.[0]).toMatchObject({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: deployment.spec?.selector.matchLabels },
    });
    const pdb = one<V1PodDisruptionBudget>(objects, 'PodDisruptionBudget', 'custom-apiserver');
    expect(pdb.spec).toMatchObject({
      maxUnavailable: 1,
      selector: { matchLabels: deployment.spec?.selector.matchLabels },
    });
  });

  test('GIVEN 1 replica THEN no PodDisruptionBudget for the server and no spread', () => {
    const single = synthServer({ replicas: 1 }).objects;
    expect(all(single, 'PodDisruptionBudget').map((p) => p.metadata.name)).toEqual(['custom-apiserver-etcd']);
    expect(
      one<V1Deployment>(single, 'Deployment').spec?.template.spec?.topologySpreadConstraints,
    ).toBeUndefined();
  });

  test('GIVEN scheduling options THEN priority class, node selector, tolerations and pull secrets reach the pod', () => {
    const d = one<V1Deployment>(
      synthServer({
        priorityClassName: 'system-cluster-critical',
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'apis', effect: 'NoSchedule' }],
        imagePullSecrets: ['regcred'],
        topologySpread: 'required',
        image: 'registry.example/aggregated-apiserver:1.2.3',
      }).objects,
      'Deployment',
    );
    const spec = d.spec?.template.spec;
    expect(spec?.priorityClassName).toBe('system-cluster-critical');
    expect(spec?.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(spec?.tolerations).toEqual([
      { effect: 'NoSchedule', key: 'dedicated', operator: 'Equal', value: 'apis' },
    ]);
    expect(spec?.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(spec?.topologySpreadConstraints?.[0].whenUnsatisfiable).toBe('DoNotSchedule');
    expect(spec?.containers[0].image).toBe('registry.example/aggregated-apiserver:1.2.3');
  });
});

describe('AggregatedApiServer selectors and names', () => {
  test('GIVEN the same props under different construct paths THEN the output is identical (selectors never depend on ids)', () => {
    const keyStoreDir = tempDir();
    const a = synthServer({ tls: { mode: 'generated', keyStoreDir } }, { id: 'Server' }).objects;
    const b = synthServer(
      { tls: { mode: 'generated', keyStoreDir } },
      { id: 'Renamed', path: ['Some', 'Deeper', 'Path'] },
    ).objects;
    const selector = (objs: typeof a) => one<V1Deployment>(objs, 'Deployment').spec?.selector;
    expect(selector(b)).toEqual(selector(a));
    expect(selector(a)).toEqual({
      matchLabels: {
        'app.kubernetes.io/name': 'aggregated-apiserver',
        'app.kubernetes.io/instance': 'custom-apiserver',
        'app.kubernetes.io/component': 'apiserver',
      },
    });
    expect(JSON.stringify(b)).toEqual(JSON.stringify(a));
    expect(JSON.stringify(a)).not.toContain('cdk8s.io/metadata.addr');
  });

  test("GIVEN a Chart with a namespace and props naming none THEN the objects go to the Chart's namespace, cluster-scoped ones to none", () => {
    const { objects } = synthServer({ tls: { mode: 'generated' } }, { chartNamespace: 'chart-namespace' });
    const clusterScoped = objects.filter((o) =>
      ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'APIService'].includes(o.kind),
    );
    expect(clusterScoped.map((o) => o.kind).sort()).toEqual([
      'APIService',
      'APIService',
      'ClusterRole',
      'ClusterRole',
      'ClusterRole',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'Namespace',
    ]);
    for (const o of clusterScoped) expect(o.metadata).not.toHaveProperty('namespace');
    const namespaced = objects.filter((o) => !clusterScoped.includes(o));
    for (const o of namespaced) {
      const inKubeSystem = o.kind === 'RoleBinding' && o.metadata.name.endsWith(':auth-reader');
      expect(o.metadata.namespace).toBe(inKubeSystem ? 'kube-system' : 'chart-namespace');
    }
    expect(one(objects, 'Namespace').metadata.name).toBe('chart-namespace');
  });

  test("GIVEN a Chart with a namespace and props naming another THEN the props' namespace wins", () => {
    const { objects } = synthServer({ namespace: 'metrics' }, { chartNamespace: 'chart-namespace' });
    expect(one(objects, 'Deployment').metadata.namespace).toBe('metrics');
    expect(one(objects, 'Namespace').metadata.name).toBe('metrics');
  });

  test('GIVEN an existing namespace THEN no Namespace object is synthesized', () => {
    const { objects } = synthServer({ namespace: 'metrics', createNamespace: false });
    expect(all(objects, 'Namespace')).toHaveLength(0);
    expect(one(objects, 'Deployment').metadata.namespace).toBe('metrics');
  });
});

describe('AggregatedApiServer synthesis order', () => {
  test('GIVEN everything THEN the namespace comes first and the APIServices last', () => {
    const { objects } = synthServer({});
    expect(objects[0].kind).toBe('Namespace');
    expect(objects.slice(-2).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'APIService/v1.metrics.example.com',
      'APIService/v1beta1.metrics.example.com',
    ]);
  });

  test('GIVEN the construct THEN each APIService depends on the Service, Deployment and Secret', () => {
    const { server } = synthServer({});
    const { service, deployment, servingSecret, apiServices } = server.objects;
    expect(apiServices).toHaveLength(2);
    for (const apiService of apiServices) {
      const deps = apiService.node.dependencies;
      expect(deps).toEqual(expect.arrayContaining([service, deployment, servingSecret]));
    }
  });
});

describe('AggregatedApiServer escape hatches', () => {
  test('GIVEN the typed children WHEN a user patches them THEN the patches land in the output', () => {
    const chart = Testing.chart();
    const server = new AggregatedApiServer(chart, 'Server', {
      name: 'custom-apiserver',
      resources: [metricSnapshot],
      tls: { mode: 'generated', keyStoreDir: tempDir() },
      logger: () => undefined,
    });
    const { deployment, apiServices } = server.objects;
    if (!deployment) throw new Error('expected a Deployment');
    deployment.addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', 3));
    deployment.metadata.addAnnotation('team', 'metrics');
    apiServices[0].metadata.addLabel('tier', 'api');
    const objects = Testing.synth(chart) as Synthesized<{ spec?: { revisionHistoryLimit?: number } }>[];
    const synthesized = one<{ spec?: { revisionHistoryLimit?: number } }>(objects, 'Deployment');
    expect(synthesized.spec?.revisionHistoryLimit).toBe(3);
    expect(synthesized.metadata.annotations).toEqual({ team: 'metrics' });
    expect(objects.find((o) => o.metadata.name === 'v1.metrics.example.com')?.metadata.labels).toMatchObject({
      tier: 'api',
    });
  });
});
