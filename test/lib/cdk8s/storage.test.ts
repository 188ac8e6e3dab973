import type {
  V1CronJob,
  V1Deployment,
  V1PersistentVolumeClaim,
  V1PodDisruptionBudget,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { all, cleanupTempDirs, one, synthServer } from '../support/synth.js';

afterAll(cleanupTempDirs);

const ETCD_SELECTOR = {
  'app.kubernetes.io/name': 'aggregated-apiserver',
  'app.kubernetes.io/instance': 'custom-apiserver',
  'app.kubernetes.io/component': 'etcd',
};

describe('dedicated etcd', () => {
  const { objects, server } = synthServer({
    storage: { type: 'dedicated-etcd', members: 3, storageClassName: 'fast' },
  });
  const sts = one<V1StatefulSet>(objects, 'StatefulSet', 'custom-apiserver-etcd');
  const etcd = sts.spec?.template.spec?.containers[0];

  test('GIVEN dedicated etcd THEN the server is wired to the client Service', () => {
    const args = one<V1Deployment>(objects, 'Deployment').spec?.template.spec?.containers[0].args;
    expect(args).toContain('--etcd-servers=https://custom-apiserver-etcd.custom-apiserver.svc:2379');
    const client = one<V1Service>(objects, 'Service', 'custom-apiserver-etcd');
    expect(client.spec?.ports).toEqual([{ name: 'client', port: 2379, protocol: 'TCP', targetPort: 2379 }]);
    expect(client.spec?.selector).toEqual(ETCD_SELECTOR);
    expect(client.spec?.clusterIP).toBeUndefined();
  });

  test('GIVEN dedicated etcd THEN a StatefulSet of 3 members behind a headless Service, started in parallel', () => {
    expect(sts.spec).toMatchObject({
      replicas: 3,
      serviceName: 'custom-apiserver-etcd-headless',
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: ETCD_SELECTOR },
    });
    const headless = one<V1Service>(objects, 'Service', 'custom-apiserver-etcd-headless');
    expect(headless.spec).toMatchObject({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: ETCD_SELECTOR,
    });
    expect(JSON.stringify(objects)).not.toContain('cdk8s.io/metadata.addr');
  });

  test('GIVEN dedicated etcd THEN --initial-cluster lists every member by its headless DNS name', () => {
    const initial = etcd?.args
      ?.find((a) => a.startsWith('--initial-cluster='))
      ?.split('=')
      .slice(1)
      .join('=');
    expect(initial?.split(',')).toEqual(
      [0, 1, 2].map(
        (i) =>
          `custom-apiserver-etcd-${i}=https://custom-apiserver-etcd-${i}.custom-apiserver-etcd-headless.custom-apiserver.svc.cluster.local:2380`,
      ),
    );
    expect(etcd?.args).toEqual(
      expect.arrayContaining([
        '--name=$(POD_NAME)',
        '--initial-cluster-state=new',
        '--data-dir=/var/lib/etcd/data',
        '--advertise-client-urls=https://$(POD_NAME).custom-apiserver-etcd-headless.custom-apiserver.svc.cluster.local:2379',
        '--client-cert-auth=true',
        '--trusted-ca-file=/etc/etcd/tls/ca.crt',
        '--peer-client-cert-auth=true',
        '--peer-cert-file=/etc/etcd/tls/member.crt',
      ]),
    );
    expect(etcd?.env).toEqual([
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ]);
    expect(etcd?.image).toMatch(/^registry\.k8s\.io\/etcd:3\.6\.\d+-0$/);
  });

  test('GIVEN dedicated etcd THEN each member keeps its data on a persistent volume from a claim template', () => {
    expect(sts.spec?.volumeClaimTemplates).toEqual([
      {
        metadata: { name: 'data', labels: ETCD_SELECTOR },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '4Gi' } },
          storageClassName: 'fast',
        },
      },
    ]);
    expect(etcd?.volumeMounts).toEqual([
      { name: 'data', mountPath: '/var/lib/etcd' },
      { name: 'tls', mountPath: '/etc/etcd/tls', readOnly: true },
    ]);
  });

  test('GIVEN dedicated etcd THEN the members mount only the CA and their own pair from the etcd TLS Secret, rendered empty', () => {
    expect(sts.spec?.template.spec?.volumes).toEqual([
      {
        name: 'tls',
        secret: {
          secretName: 'custom-apiserver-etcd-tls',
          defaultMode: 0o440,
          items: [
            { key: 'ca.crt', path: 'ca.crt' },
            { key: 'member.crt', path: 'member.crt' },
            { key: 'member.key', path: 'member.key' },
          ],
        },
      },
    ]);
    const secret = one<{ data?: unknown; type: string }>(objects, 'Secret', 'custom-apiserver-etcd-tls');
    expect(secret).toMatchObject({ type: 'Opaque' });
    expect(secret.data).toBeUndefined();
  });

  test('GIVEN dedicated etcd THEN snapshots every six hours onto their own volume, the newest 8 kept', () => {
    const backup = one<V1CronJob>(objects, 'CronJob', 'custom-apiserver-etcd-backup');
    expect(backup.spec?.schedule).toBe('0 0,6,12,18 * * *');
    expect(backup.spec?.concurrencyPolicy).toBe('Forbid');
    const pod = backup.spec?.jobTemplate.spec?.template.spec;
    expect(pod?.initContainers?.[0].args).toEqual([
      '--endpoints=https://custom-apiserver-etcd.custom-apiserver.svc:2379',
      '--cacert=/etc/etcd/tls/ca.crt',
      '--cert=/etc/etcd/tls/member.crt',
      '--key=/etc/etcd/tls/member.key',
      '--command-timeout=5m',
      'snapshot',
      'save',
      '/backups/$(POD_NAME).db',
    ]);
    expect(pod?.containers[0].command?.[2]).toContain('files.slice(8)');
    expect(pod?.volumes?.[0]).toEqual({
      name: 'backups',
      persistentVolumeClaim: { claimName: 'custom-apiserver-etcd-backups' },
    });
    expect(one(objects, 'PersistentVolumeClaim', 'custom-apiserver-etcd-backups')).toMatchObject({
      spec: { resources: { requests: { storage: '16Gi' } } },
    });
    expect(pod?.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('GIVEN dedicated etcd THEN a weekly defragmentation of every member', () => {
    const defrag = one<V1CronJob>(objects, 'CronJob', 'custom-apiserver-etcd-defrag');
    expect(defrag.spec?.schedule).toBe('30 3 * * 0');
    expect(defrag.spec?.jobTemplate.spec?.template.spec?.containers[0].args?.slice(-2)).toEqual([
      'defrag',
      '--cluster',
    ]);
  });

  test('GIVEN backups and defragmentation turned off THEN no CronJob and no snapshot volume', () => {
    const out = synthServer({
      storage: { type: 'dedicated-etcd', backup: false, defragmentationSchedule: false },
    });
    expect(all(out.objects, 'CronJob')).toEqual([]);
    expect(all(out.objects, 'PersistentVolumeClaim')).toEqual([]);
  });

  test('GIVEN dedicated etcd THEN it runs as restrictively as etcd allows', () => {
    expect(etcd?.securityContext).toEqual({
      runAsNonRoot: true,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(sts.spec?.template.spec?.securityContext).toMatchObject({
      runAsNonRoot: true,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(sts.spec?.template.spec?.automountServiceAccountToken).toBe(false);
    expect(etcd?.resources).toEqual({
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { memory: '1Gi' },
    });
    expect(etcd?.livenessProbe?.httpGet).toEqual({ path: '/livez', port: 2381, scheme: 'HTTP' });
    expect(etcd?.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 2381, scheme: 'HTTP' });
  });

  test('GIVEN 3 members THEN a PodDisruptionBudget keeps quorum and a NetworkPolicy admits only the server and peers', () => {
    expect(
      one<V1PodDisruptionBudget>(objects, 'PodDisruptionBudget', 'custom-apiserver-etcd').spec,
    ).toMatchObject({
      maxUnavailable: 1,
      selector: { matchLabels: ETCD_SELECTOR },
    });
    const np = one<{
      spec: {
        podSelector: object;
        policyTypes: string[];
        ingress: { from: { podSelector: { matchLabels: object } }[]; ports: { port: number }[] }[];
      };
    }>(objects, 'NetworkPolicy');
    expect(np.spec.podSelector).toEqual({ matchLabels: ETCD_SELECTOR });
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(
      np.spec.ingress.map((r) => [r.from[0].podSelector.matchLabels, r.ports.map((p) => p.port)]),
    ).toEqual([
      [{ ...ETCD_SELECTOR, 'app.kubernetes.io/component': 'apiserver' }, [2379]],
      [ETCD_SELECTOR, [2379, 2380]],
    ]);
  });

  test('GIVEN the construct THEN the etcd objects are in its objects by role', () => {
    expect(server.objects.etcdStatefulSet?.name).toBe('custom-apiserver-etcd');
    expect(server.objects.etcdClientService?.name).toBe('custom-apiserver-etcd');
    expect(server.objects.etcdHeadlessService?.name).toBe('custom-apiserver-etcd-headless');
  });

  test('GIVEN one member and no NetworkPolicy THEN neither PDB nor NetworkPolicy for etcd', () => {
    const out = synthServer({
      storage: { type: 'dedicated-etcd', members: 1, networkPolicy: false },
    }).objects;
    expect(one<V1StatefulSet>(out, 'StatefulSet').spec?.replicas).toBe(1);
    expect(all(out, 'PodDisruptionBudget').map((p) => p.metadata.name)).toEqual(['custom-apiserver']);
    expect(all(out, 'NetworkPolicy')).toHaveLength(0);
  });
});

describe('embedded storage', () => {
  const { objects } = synthServer({
    replicas: 1,
    storage: { type: 'embedded', size: '512Mi', storageClassName: 'standard' },
  });

  test('GIVEN embedded storage THEN a PVC is mounted at the data dir and passed as --data-dir', () => {
    const pvc = one<V1PersistentVolumeClaim>(objects, 'PersistentVolumeClaim', 'custom-apiserver-data');
    expect(pvc.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '512Mi' } },
      storageClassName: 'standard',
      volumeMode: 'Filesystem',
    });
    const pod = one<V1Deployment>(objects, 'Deployment').spec?.template.spec;
    expect(pod?.containers[0].args).toContain('--data-dir=/var/lib/aggregated-apiserver');
    expect(pod?.containers[0].volumeMounts).toContainEqual({
      name: 'data',
      mountPath: '/var/lib/aggregated-apiserver',
    });
    expect(pod?.volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: expect.objectContaining({ claimName: 'custom-apiserver-data' }),
    });
  });

  test('GIVEN embedded storage THEN one replica that is recreated, and no etcd', () => {
    const d = one<V1Deployment>(objects, 'Deployment');
    expect(d.spec?.replicas).toBe(1);
    expect(d.spec?.strategy).toEqual({ type: 'Recreate' });
    expect(all(objects, 'StatefulSet')).toHaveLength(0);
    expect(all(objects, 'PodDisruptionBudget')).toHaveLength(0);
  });
});

describe('etcd endpoints', () => {
  test('GIVEN external etcd endpoints THEN --etcd-servers lists them and no etcd is deployed', () => {
    const { objects } = synthServer({
      storage: { type: 'etcd', endpoints: ['https://etcd-a.example:2379', 'https://etcd-b.example:2379'] },
    });
    expect(one<V1Deployment>(objects, 'Deployment').spec?.template.spec?.containers[0].args).toContain(
      '--etcd-servers=https://etcd-a.example:2379,https://etcd-b.example:2379',
    );
    expect(all(objects, 'StatefulSet')).toHaveLength(0);
    expect(all(objects, 'PersistentVolumeClaim')).toHaveLength(0);
  });
});
