import type {
  Manifest,
  V1Container,
  V1Volume,
  V1NetworkPolicy,
  V1PodDisruptionBudget,
  V1Service,
  V1StatefulSet,
} from './k8s-types.js';
import { resourceRequirements } from './compute-resources.js';
import type { AggregatedApiServerConfig, ResolvedStorage } from './config.js';
import { objectLabels, selectorLabels } from './labels.js';
import { objectNames } from './names.js';
import { containerSecurityContext, podSecurityContext } from './security-context.js';
import { tolerations, topologySpreadConstraints } from './scheduling.js';
import { podDisruptionBudget } from './disruption-budget.js';

/** etcd ports. */
export const ETCD_PORTS = { client: 2379, peer: 2380, metrics: 2381 } as const;
/** Where each member's volume is mounted, and its data directory inside it. */
export const ETCD_VOLUME_DIR = '/var/lib/etcd';
export const ETCD_DATA_DIR = `${ETCD_VOLUME_DIR}/data`;
/** Name of the volume claim template (and of the container's mount). */
export const ETCD_VOLUME_NAME = 'data';

/** A NetworkPolicy. */
export type NetworkPolicyManifest = Manifest<V1NetworkPolicy>;

type DedicatedEtcd = Extract<ResolvedStorage, { type: 'dedicated-etcd' }>;

function dedicated(config: AggregatedApiServerConfig): DedicatedEtcd {
  if (config.storage.type !== 'dedicated-etcd') throw new Error('storage is not a dedicated etcd');
  return config.storage;
}

/** Where the members' certificate, key and CA are mounted (TLS). */
export const ETCD_TLS_DIR = '/etc/etcd/tls';
/** Name of the TLS volume of the members and maintenance jobs. */
export const ETCD_TLS_VOLUME_NAME = 'tls';
/** Keys of the etcd TLS Secret the members (and maintenance jobs) mount; not the CA key, nor the server's client key. */
export const ETCD_MEMBER_TLS_FILES = { ca: 'ca.crt', certificate: 'member.crt', key: 'member.key' } as const;

/** http, or https when the dedicated etcd speaks TLS. */
function scheme(config: AggregatedApiServerConfig): 'http' | 'https' {
  return dedicated(config).tls ? 'https' : 'http';
}

/** The URL the server reaches its dedicated etcd at: `https://<name>-etcd.<namespace>.svc:2379`. */
export function etcdClientUrl(config: AggregatedApiServerConfig): string {
  return `${scheme(config)}://${objectNames(config).etcdClientService}.${config.namespace}.svc:${ETCD_PORTS.client}`;
}

/**
 * The names the members' certificate covers: every member (through the headless Service, by
 * wildcard), the client Service, and localhost for etcdctl inside a member.
 */
export function etcdCertificateHosts(config: AggregatedApiServerConfig): string[] {
  const names = objectNames(config);
  const headless = `${names.etcdHeadlessService}.${config.namespace}.svc`;
  const client = `${names.etcdClientService}.${config.namespace}`;
  return [
    `*.${headless}.${config.clusterDomain}`,
    `*.${headless}`,
    `${client}.svc`,
    `${client}.svc.${config.clusterDomain}`,
    client,
    'localhost',
    '127.0.0.1',
  ];
}

/** DNS name of an etcd member (pod) behind the headless Service. */
export function etcdMemberHost(config: AggregatedApiServerConfig, member: string): string {
  const names = objectNames(config);
  return `${member}.${names.etcdHeadlessService}.${config.namespace}.svc.${config.clusterDomain}`;
}

/** `--initial-cluster`: every member's name and peer URL, through the headless Service DNS names. */
export function etcdInitialCluster(config: AggregatedApiServerConfig): string {
  const names = objectNames(config);
  return Array.from({ length: dedicated(config).members }, (_, i) => `${names.etcdStatefulSet}-${i}`)
    .map((member) => `${member}=${scheme(config)}://${etcdMemberHost(config, member)}:${ETCD_PORTS.peer}`)
    .join(',');
}

/** The client flags of etcdctl (endpoints and, with TLS, the member certificate, which may act as a client). */
export function etcdctlArgs(config: AggregatedApiServerConfig): string[] {
  const tls = dedicated(config).tls
    ? [
        `--cacert=${ETCD_TLS_DIR}/${ETCD_MEMBER_TLS_FILES.ca}`,
        `--cert=${ETCD_TLS_DIR}/${ETCD_MEMBER_TLS_FILES.certificate}`,
        `--key=${ETCD_TLS_DIR}/${ETCD_MEMBER_TLS_FILES.key}`,
      ]
    : [];
  return [`--endpoints=${etcdClientUrl(config)}`, ...tls];
}

/** etcd's flags; `$(POD_NAME)` is expanded by the kubelet from the container environment. */
export function etcdArgs(config: AggregatedApiServerConfig): string[] {
  const self = etcdMemberHost(config, '$(POD_NAME)');
  const s = scheme(config);
  const file = (name: string) => `${ETCD_TLS_DIR}/${name}`;
  const tls = dedicated(config).tls
    ? [
        `--cert-file=${file(ETCD_MEMBER_TLS_FILES.certificate)}`,
        `--key-file=${file(ETCD_MEMBER_TLS_FILES.key)}`,
        `--trusted-ca-file=${file(ETCD_MEMBER_TLS_FILES.ca)}`,
        '--client-cert-auth=true',
        `--peer-cert-file=${file(ETCD_MEMBER_TLS_FILES.certificate)}`,
        `--peer-key-file=${file(ETCD_MEMBER_TLS_FILES.key)}`,
        `--peer-trusted-ca-file=${file(ETCD_MEMBER_TLS_FILES.ca)}`,
        '--peer-client-cert-auth=true',
      ]
    : [];
  return [
    '--name=$(POD_NAME)',
    `--data-dir=${ETCD_DATA_DIR}`,
    `--listen-client-urls=${s}://0.0.0.0:${ETCD_PORTS.client}`,
    `--advertise-client-urls=${s}://${self}:${ETCD_PORTS.client}`,
    `--listen-peer-urls=${s}://0.0.0.0:${ETCD_PORTS.peer}`,
    `--initial-advertise-peer-urls=${s}://${self}:${ETCD_PORTS.peer}`,
    `--initial-cluster=${etcdInitialCluster(config)}`,
    '--initial-cluster-state=new',
    `--initial-cluster-token=${config.namespace}-${objectNames(config).etcdStatefulSet}`,
    `--listen-metrics-urls=http://0.0.0.0:${ETCD_PORTS.metrics}`,
    ...tls,
  ];
}

/**
 * The etcd TLS Secret as a volume: only the CA certificate and the members' pair (the CA key
 * and the server's client key stay out). Until the server has filled the Secret these keys are
 * missing and the kubelet retries the mount, so a member starts only once it can serve TLS.
 */
export function etcdTlsVolume(config: AggregatedApiServerConfig): V1Volume {
  return {
    name: ETCD_TLS_VOLUME_NAME,
    secret: {
      secretName: objectNames(config).etcdTlsSecret,
      defaultMode: 0o440,
      items: Object.values(ETCD_MEMBER_TLS_FILES).map((key) => ({ key, path: key })),
    },
  };
}

/** The etcd container (probes on etcd 3.6's /livez and /readyz, served on the metrics port). */
export function etcdContainer(config: AggregatedApiServerConfig): V1Container {
  const storage = dedicated(config);
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: ETCD_PORTS.metrics, scheme: 'HTTP' },
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold,
  });
  return {
    name: 'etcd',
    image: storage.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['etcd'],
    args: etcdArgs(config),
    env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    ports: [
      { name: 'client', containerPort: ETCD_PORTS.client, protocol: 'TCP' },
      { name: 'peer', containerPort: ETCD_PORTS.peer, protocol: 'TCP' },
      { name: 'metrics', containerPort: ETCD_PORTS.metrics, protocol: 'TCP' },
    ],
    startupProbe: probe('/livez', 5, 60),
    livenessProbe: probe('/livez', 10, 8),
    readinessProbe: probe('/readyz', 5, 3),
    resources: resourceRequirements(storage.resources),
    securityContext: containerSecurityContext(),
    volumeMounts: [
      { name: ETCD_VOLUME_NAME, mountPath: ETCD_VOLUME_DIR },
      ...(storage.tls ? [{ name: ETCD_TLS_VOLUME_NAME, mountPath: ETCD_TLS_DIR, readOnly: true }] : []),
    ],
  };
}

/**
 * The headless Service that gives each member a stable DNS name. It publishes members before
 * they are ready: a member only becomes ready once the peers it must find can reach quorum.
 */
export function etcdHeadlessService(config: AggregatedApiServerConfig): Manifest<V1Service> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: objectNames(config).etcdHeadlessService,
      namespace: config.namespace,
      labels: objectLabels(config, 'etcd'),
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      ports: [
        { name: 'client', port: ETCD_PORTS.client, protocol: 'TCP' },
        { name: 'peer', port: ETCD_PORTS.peer, protocol: 'TCP' },
      ],
      selector: selectorLabels(config, 'etcd'),
    },
  };
}

/** The client Service `<name>-etcd:2379` the server connects to (ready members only). */
export function etcdClientService(config: AggregatedApiServerConfig): Manifest<V1Service> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: objectNames(config).etcdClientService,
      namespace: config.namespace,
      labels: objectLabels(config, 'etcd'),
    },
    spec: {
      type: 'ClusterIP',
      ports: [{ name: 'client', port: ETCD_PORTS.client, targetPort: ETCD_PORTS.client, protocol: 'TCP' }],
      selector: selectorLabels(config, 'etcd'),
    },
  };
}

/**
 * The etcd StatefulSet. Members start in parallel (an ordered start would wait forever for the
 * first member to become ready, which needs quorum) and keep their data on their own
 * ReadWriteOnce volume.
 */
export function etcdStatefulSet(config: AggregatedApiServerConfig): Manifest<V1StatefulSet> {
  const storage = dedicated(config);
  const names = objectNames(config);
  const selector = selectorLabels(config, 'etcd');
  const spread = topologySpreadConstraints(config, selector, storage.members);
  const tolerationList = tolerations(config);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name: names.etcdStatefulSet,
      namespace: config.namespace,
      labels: objectLabels(config, 'etcd'),
    },
    spec: {
      serviceName: names.etcdHeadlessService,
      replicas: storage.members,
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...objectLabels(config, 'etcd'), ...selector } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurityContext(config),
          containers: [etcdContainer(config)],
          ...(storage.tls ? { volumes: [etcdTlsVolume(config)] } : {}),
          ...(config.priorityClassName ? { priorityClassName: config.priorityClassName } : {}),
          ...(Object.keys(config.nodeSelector).length > 0
            ? { nodeSelector: { ...config.nodeSelector } }
            : {}),
          ...(tolerationList.length > 0 ? { tolerations: tolerationList } : {}),
          ...(spread.length > 0 ? { topologySpreadConstraints: spread } : {}),
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: ETCD_VOLUME_NAME, labels: selector },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: storage.size } },
            ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
          },
        },
      ],
    },
  };
}

/** etcd's PodDisruptionBudget (one member at a time keeps quorum), when it has several members. */
export function etcdPodDisruptionBudget(
  config: AggregatedApiServerConfig,
): Manifest<V1PodDisruptionBudget> | undefined {
  return dedicated(config).members > 1
    ? podDisruptionBudget(config, objectNames(config).etcdPodDisruptionBudget, 'etcd')
    : undefined;
}

/**
 * Admits client traffic only from the server's pods and the maintenance jobs, and peer traffic
 * only from the members: defense in depth next to TLS with client certificates.
 */
export function etcdNetworkPolicy(config: AggregatedApiServerConfig): NetworkPolicyManifest | undefined {
  if (!dedicated(config).networkPolicy) return undefined;
  const etcd = selectorLabels(config, 'etcd');
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: objectNames(config).etcdNetworkPolicy,
      namespace: config.namespace,
      labels: objectLabels(config, 'etcd'),
    },
    spec: {
      podSelector: { matchLabels: etcd },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: selectorLabels(config, 'apiserver') } },
            { podSelector: { matchLabels: selectorLabels(config, 'etcd-maintenance') } },
          ],
          ports: [{ port: ETCD_PORTS.client, protocol: 'TCP' }],
        },
        {
          from: [{ podSelector: { matchLabels: etcd } }],
          ports: [
            { port: ETCD_PORTS.client, protocol: 'TCP' },
            { port: ETCD_PORTS.peer, protocol: 'TCP' },
          ],
        },
      ],
    },
  };
}
