import { apiServices } from './api-service.js';
import { certManagerManifests } from './cert-manager.js';
import type { AggregatedApiServerConfig } from './config.js';
import {
  etcdClientService,
  etcdHeadlessService,
  etcdNetworkPolicy,
  etcdPodDisruptionBudget,
  etcdStatefulSet,
} from './etcd.js';
import { namespaceManifest, serviceAccount } from './identity.js';
import { metricsReaderClusterRole, metricsReaderClusterRoleBinding, serviceMonitor } from './monitoring.js';
import type { AnyManifest } from './k8s-types.js';
import {
  authDelegatorBinding,
  authReaderBinding,
  editClusterRole,
  leaderElectionRole,
  leaderElectionRoleBinding,
  selfManagedTlsClusterRole,
  selfManagedTlsClusterRoleBinding,
  selfManagedTlsRole,
  selfManagedTlsRoleBinding,
  serverClusterRole,
  serverClusterRoleBinding,
  viewClusterRole,
} from './rbac.js';
import { externalEndpointSlice, serverService } from './service.js';
import { etcdTlsSecret, selfManagedServingSecret, servingSecret } from './serving-secret.js';
import { etcdBackupClaim, etcdBackupCronJob, etcdDefragmentationCronJob } from './etcd-maintenance.js';
import {
  dataVolumeClaim,
  SERVING_CERT_CHECKSUM_ANNOTATION,
  serverDeployment,
  serverPodDisruptionBudget,
} from './server-workload.js';
import { tlsMaterialChecksum, type TlsMaterial } from './tls-material.js';
import { configMapFileChecksum } from './config-map-file.js';
import { auditPolicyConfigMap } from './audit-policy.js';
import { resourceDefinitionsConfigMap } from './resource-definitions.js';
import { configMapFiles } from './server-container.js';

/** What every role renders from. */
export interface RenderContext {
  readonly config: AggregatedApiServerConfig;
  /** The serving material of the generated and provided TLS modes (absent otherwise). */
  readonly material?: TlsMaterial;
}

/** What a role renders: its object, its objects (APIServices), or undefined when it does not apply. */
export type RoleRender = AnyManifest | readonly AnyManifest[] | undefined;

/**
 * One kind of object a deployment may have: how lib/core renders it, and what each framework
 * needs to realize it.
 */
export interface ObjectRole<
  K extends string = string,
  R extends RoleRender = RoleRender,
  Kind extends string = string,
> {
  /** The role's key: the property of AggregatedApiServerManifests and of each framework's objects. */
  readonly key: K;
  /** The Kubernetes kind (every object of the role has it). */
  readonly kind: Kind;
  /**
   * Identifies the object among its siblings: the cdk8s construct id, and the suffix of the
   * Pulumi resource name (`<component name>-<pulumiName>`). A role of several objects appends
   * `-<metadata.name>` to both.
   */
  readonly id: string;
  readonly pulumiName: string;
  /** Renders the role's object(s). */
  readonly render: (context: RenderContext) => R;
  /**
   * Whether an APIService needs it to be served (the workload, its Service and certificate):
   * each APIService depends on these, since an APIService without a backend breaks discovery
   * for every client of the cluster.
   */
  readonly servesApi?: boolean;
}

function role<const K extends string, R extends RoleRender, const Kind extends string>(
  spec: ObjectRole<K, R, Kind>,
): ObjectRole<K, R, Kind> {
  return spec;
}

const certManager = (context: RenderContext) =>
  context.config.tls.mode === 'cert-manager' ? certManagerManifests(context.config) : undefined;

/**
 * Every object role of a deployment, in apply order: namespace, identity and RBAC, TLS, storage,
 * workload, Service, and the APIServices last (an APIService whose backend is not there yet
 * breaks discovery). lib/core renders from this table, the cdk8s construct and the Pulumi
 * component realize from it: adding an object means adding a row here.
 */
export const OBJECT_ROLES = [
  role({
    key: 'namespace',
    kind: 'Namespace',
    id: 'Namespace',
    pulumiName: 'namespace',
    render: (c) => namespaceManifest(c.config),
  }),
  role({
    key: 'serviceAccount',
    kind: 'ServiceAccount',
    id: 'ServiceAccount',
    pulumiName: 'service-account',
    render: (c) => serviceAccount(c.config),
  }),
  role({
    key: 'serverClusterRole',
    kind: 'ClusterRole',
    id: 'ServerClusterRole',
    pulumiName: 'server-cluster-role',
    render: (c) => serverClusterRole(c.config),
  }),
  role({
    key: 'serverClusterRoleBinding',
    kind: 'ClusterRoleBinding',
    id: 'ServerClusterRoleBinding',
    pulumiName: 'server-cluster-role-binding',
    render: (c) => serverClusterRoleBinding(c.config),
  }),
  role({
    key: 'authDelegatorBinding',
    kind: 'ClusterRoleBinding',
    id: 'AuthDelegatorBinding',
    pulumiName: 'auth-delegator-binding',
    render: (c) => authDelegatorBinding(c.config),
  }),
  role({
    key: 'authReaderBinding',
    kind: 'RoleBinding',
    id: 'AuthReaderBinding',
    pulumiName: 'auth-reader-binding',
    render: (c) => authReaderBinding(c.config),
  }),
  role({
    key: 'viewClusterRole',
    kind: 'ClusterRole',
    id: 'ViewClusterRole',
    pulumiName: 'view-cluster-role',
    render: (c) => viewClusterRole(c.config),
  }),
  role({
    key: 'editClusterRole',
    kind: 'ClusterRole',
    id: 'EditClusterRole',
    pulumiName: 'edit-cluster-role',
    render: (c) => editClusterRole(c.config),
  }),
  role({
    key: 'leaderElectionRole',
    kind: 'Role',
    id: 'LeaderElectionRole',
    pulumiName: 'leader-election-role',
    render: (c) => leaderElectionRole(c.config),
  }),
  role({
    key: 'leaderElectionRoleBinding',
    kind: 'RoleBinding',
    id: 'LeaderElectionRoleBinding',
    pulumiName: 'leader-election-role-binding',
    render: (c) => leaderElectionRoleBinding(c.config),
  }),
  role({
    key: 'selfManagedTlsRole',
    kind: 'Role',
    id: 'SelfManagedTlsRole',
    pulumiName: 'self-managed-tls-role',
    render: (c) => selfManagedTlsRole(c.config),
  }),
  role({
    key: 'selfManagedTlsRoleBinding',
    kind: 'RoleBinding',
    id: 'SelfManagedTlsRoleBinding',
    pulumiName: 'self-managed-tls-role-binding',
    render: (c) => selfManagedTlsRoleBinding(c.config),
  }),
  role({
    key: 'selfManagedTlsClusterRole',
    kind: 'ClusterRole',
    id: 'SelfManagedTlsClusterRole',
    pulumiName: 'self-managed-tls-cluster-role',
    render: (c) => selfManagedTlsClusterRole(c.config),
  }),
  role({
    key: 'selfManagedTlsClusterRoleBinding',
    kind: 'ClusterRoleBinding',
    id: 'SelfManagedTlsClusterRoleBinding',
    pulumiName: 'self-managed-tls-cluster-role-binding',
    render: (c) => selfManagedTlsClusterRoleBinding(c.config),
  }),
  role({
    key: 'certManagerSelfSignedIssuer',
    kind: 'Issuer',
    id: 'CertManagerSelfSignedIssuer',
    pulumiName: 'cert-manager-self-signed-issuer',
    servesApi: true,
    render: (c) => certManager(c)?.selfSignedIssuer,
  }),
  role({
    key: 'certManagerCaCertificate',
    kind: 'Certificate',
    id: 'CertManagerCaCertificate',
    pulumiName: 'cert-manager-ca-certificate',
    servesApi: true,
    render: (c) => certManager(c)?.caCertificate,
  }),
  role({
    key: 'certManagerCaIssuer',
    kind: 'Issuer',
    id: 'CertManagerCaIssuer',
    pulumiName: 'cert-manager-ca-issuer',
    servesApi: true,
    render: (c) => certManager(c)?.caIssuer,
  }),
  role({
    key: 'certManagerServingCertificate',
    kind: 'Certificate',
    id: 'CertManagerServingCertificate',
    pulumiName: 'cert-manager-serving-certificate',
    servesApi: true,
    render: (c) => certManager(c)?.servingCertificate,
  }),
  role({
    key: 'servingSecret',
    kind: 'Secret',
    id: 'ServingSecret',
    pulumiName: 'serving-secret',
    servesApi: true,
    render: (c) => (c.material ? servingSecret(c.config, c.material) : selfManagedServingSecret(c.config)),
  }),
  role({
    key: 'etcdTlsSecret',
    kind: 'Secret',
    id: 'EtcdTlsSecret',
    pulumiName: 'etcd-tls-secret',
    render: (c) => etcdTlsSecret(c.config),
  }),
  role({
    key: 'dataVolumeClaim',
    kind: 'PersistentVolumeClaim',
    id: 'DataVolumeClaim',
    pulumiName: 'data-volume-claim',
    render: (c) => dataVolumeClaim(c.config),
  }),
  role({
    key: 'resourceDefinitions',
    kind: 'ConfigMap',
    id: 'ResourceDefinitions',
    pulumiName: 'resource-definitions',
    render: (c) => resourceDefinitionsConfigMap(c.config),
  }),
  role({
    key: 'auditPolicy',
    kind: 'ConfigMap',
    id: 'AuditPolicy',
    pulumiName: 'audit-policy',
    render: (c) => auditPolicyConfigMap(c.config),
  }),
  role({
    key: 'etcdHeadlessService',
    kind: 'Service',
    id: 'EtcdHeadlessService',
    pulumiName: 'etcd-headless-service',
    render: (c) => dedicatedEtcd(c, etcdHeadlessService),
  }),
  role({
    key: 'etcdClientService',
    kind: 'Service',
    id: 'EtcdClientService',
    pulumiName: 'etcd-client-service',
    render: (c) => dedicatedEtcd(c, etcdClientService),
  }),
  role({
    key: 'etcdStatefulSet',
    kind: 'StatefulSet',
    id: 'EtcdStatefulSet',
    pulumiName: 'etcd-statefulset',
    render: (c) => dedicatedEtcd(c, etcdStatefulSet),
  }),
  role({
    key: 'etcdPodDisruptionBudget',
    kind: 'PodDisruptionBudget',
    id: 'EtcdPodDisruptionBudget',
    pulumiName: 'etcd-pod-disruption-budget',
    render: (c) => dedicatedEtcd(c, etcdPodDisruptionBudget),
  }),
  role({
    key: 'etcdNetworkPolicy',
    kind: 'NetworkPolicy',
    id: 'EtcdNetworkPolicy',
    pulumiName: 'etcd-network-policy',
    render: (c) => dedicatedEtcd(c, etcdNetworkPolicy),
  }),
  role({
    key: 'etcdBackupClaim',
    kind: 'PersistentVolumeClaim',
    id: 'EtcdBackupClaim',
    pulumiName: 'etcd-backup-claim',
    render: (c) => etcdBackupClaim(c.config),
  }),
  role({
    key: 'etcdBackupCronJob',
    kind: 'CronJob',
    id: 'EtcdBackupCronJob',
    pulumiName: 'etcd-backup-cronjob',
    render: (c) => etcdBackupCronJob(c.config),
  }),
  role({
    key: 'etcdDefragmentationCronJob',
    kind: 'CronJob',
    id: 'EtcdDefragmentationCronJob',
    pulumiName: 'etcd-defragmentation-cronjob',
    render: (c) => etcdDefragmentationCronJob(c.config),
  }),
  role({
    key: 'deployment',
    kind: 'Deployment',
    id: 'Deployment',
    pulumiName: 'deployment',
    servesApi: true,
    render: ({ config, material }) =>
      config.external ? undefined : serverDeployment(config, podTemplateAnnotations(config, material)),
  }),
  role({
    key: 'podDisruptionBudget',
    kind: 'PodDisruptionBudget',
    id: 'PodDisruptionBudget',
    pulumiName: 'pod-disruption-budget',
    servesApi: true,
    render: (c) => serverPodDisruptionBudget(c.config),
  }),
  role({
    key: 'service',
    kind: 'Service',
    id: 'Service',
    pulumiName: 'service',
    servesApi: true,
    render: (c) => serverService(c.config),
  }),
  role({
    key: 'endpointSlice',
    kind: 'EndpointSlice',
    id: 'EndpointSlice',
    pulumiName: 'endpoint-slice',
    servesApi: true,
    render: (c) => externalEndpointSlice(c.config),
  }),
  role({
    key: 'metricsReaderClusterRole',
    kind: 'ClusterRole',
    id: 'MetricsReaderClusterRole',
    pulumiName: 'metrics-reader-cluster-role',
    render: (c) => metricsReaderClusterRole(c.config),
  }),
  role({
    key: 'metricsReaderClusterRoleBinding',
    kind: 'ClusterRoleBinding',
    id: 'MetricsReaderClusterRoleBinding',
    pulumiName: 'metrics-reader-cluster-role-binding',
    render: (c) => metricsReaderClusterRoleBinding(c.config),
  }),
  role({
    key: 'serviceMonitor',
    kind: 'ServiceMonitor',
    id: 'ServiceMonitor',
    pulumiName: 'service-monitor',
    render: (c) => serviceMonitor(c.config),
  }),
  role({
    key: 'apiServices',
    kind: 'APIService',
    id: 'ApiService',
    pulumiName: 'apiservice',
    render: (c) => apiServices(c.config, c.material?.caCertificatePem),
  }),
] as const;

/** A role of the table. */
export type ObjectRoleEntry = (typeof OBJECT_ROLES)[number];

/** The key of a role. */
export type ObjectRoleKey = ObjectRoleEntry['key'];

/**
 * Checksums of what the server reads once at startup (the serving material, the files from
 * ConfigMaps): a change rolls the pods.
 */
function podTemplateAnnotations(
  config: AggregatedApiServerConfig,
  material: TlsMaterial | undefined,
): Record<string, string> {
  return Object.assign(
    material ? { [SERVING_CERT_CHECKSUM_ANNOTATION]: tlsMaterialChecksum(material) } : {},
    ...configMapFiles(config).map(configMapFileChecksum),
  ) as Record<string, string>;
}

function dedicatedEtcd<M>(
  context: RenderContext,
  render: (config: AggregatedApiServerConfig) => M,
): M | undefined {
  return context.config.storage.type === 'dedicated-etcd' ? render(context.config) : undefined;
}
