import type { AggregatedApiServerConfig } from './config.js';

/**
 * The name of every object, derived from the deployment name and namespace only (never from a
 * construct path or a Pulumi URN), so every framework renders the same names and renaming a
 * construct never replaces an object.
 *
 * Cluster-scoped objects (and the RoleBinding in kube-system) are shared by every namespace, so
 * they are prefixed with `<namespace>:<name>` to keep two deployments apart.
 */
export interface ObjectNames {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly deployment: string;
  readonly service: string;
  readonly endpointSlice: string;
  readonly podDisruptionBudget: string;
  readonly servingSecret: string;
  readonly dataVolumeClaim: string;
  /** The ConfigMap of the declarative resource definitions the stock image serves. */
  readonly resourceDefinitions: string;
  /** The ConfigMap of the audit policy. */
  readonly auditPolicy: string;
  readonly serverClusterRole: string;
  readonly serverClusterRoleBinding: string;
  readonly authDelegatorBinding: string;
  readonly authReaderBinding: string;
  readonly viewClusterRole: string;
  readonly editClusterRole: string;
  /** The Lease of the server's leader election, and the Role and RoleBinding that grant it. */
  readonly leaderElectionLease: string;
  readonly leaderElectionRole: string;
  readonly leaderElectionRoleBinding: string;
  readonly selfManagedTlsRole: string;
  readonly metricsReaderClusterRole: string;
  readonly metricsReaderClusterRoleBinding: string;
  readonly serviceMonitor: string;
  readonly selfManagedTlsRoleBinding: string;
  readonly selfManagedTlsClusterRole: string;
  readonly selfManagedTlsClusterRoleBinding: string;
  readonly etcdStatefulSet: string;
  readonly etcdHeadlessService: string;
  readonly etcdClientService: string;
  readonly etcdPodDisruptionBudget: string;
  readonly etcdNetworkPolicy: string;
  readonly etcdTlsSecret: string;
  readonly etcdBackupClaim: string;
  readonly etcdBackupCronJob: string;
  readonly etcdDefragmentationCronJob: string;
  readonly certManagerSelfSignedIssuer: string;
  readonly certManagerCaCertificate: string;
  readonly certManagerCaSecret: string;
  readonly certManagerCaIssuer: string;
  readonly certManagerServingCertificate: string;
}

/** Names of every object of a deployment. */
export function objectNames(config: Pick<AggregatedApiServerConfig, 'name' | 'namespace'>): ObjectNames {
  const { name, namespace } = config;
  const clusterPrefix = `${namespace}:${name}`;
  return {
    namespace,
    serviceAccount: name,
    deployment: name,
    service: name,
    endpointSlice: `${name}-external`,
    podDisruptionBudget: name,
    servingSecret: `${name}-serving-cert`,
    dataVolumeClaim: `${name}-data`,
    resourceDefinitions: `${name}-resource-definitions`,
    auditPolicy: `${name}-audit-policy`,
    serverClusterRole: clusterPrefix,
    serverClusterRoleBinding: clusterPrefix,
    authDelegatorBinding: `${clusterPrefix}:auth-delegator`,
    authReaderBinding: `${clusterPrefix}:auth-reader`,
    viewClusterRole: `${clusterPrefix}:view`,
    editClusterRole: `${clusterPrefix}:edit`,
    leaderElectionLease: name,
    leaderElectionRole: `${name}-leader-election`,
    leaderElectionRoleBinding: `${name}-leader-election`,
    selfManagedTlsRole: `${name}-self-managed-tls`,
    metricsReaderClusterRole: `${clusterPrefix}:metrics-reader`,
    metricsReaderClusterRoleBinding: `${clusterPrefix}:metrics-reader`,
    serviceMonitor: name,
    selfManagedTlsRoleBinding: `${name}-self-managed-tls`,
    selfManagedTlsClusterRole: `${clusterPrefix}:self-managed-tls`,
    selfManagedTlsClusterRoleBinding: `${clusterPrefix}:self-managed-tls`,
    etcdStatefulSet: `${name}-etcd`,
    etcdHeadlessService: `${name}-etcd-headless`,
    etcdClientService: `${name}-etcd`,
    etcdPodDisruptionBudget: `${name}-etcd`,
    etcdNetworkPolicy: `${name}-etcd`,
    etcdTlsSecret: `${name}-etcd-tls`,
    etcdBackupClaim: `${name}-etcd-backups`,
    etcdBackupCronJob: `${name}-etcd-backup`,
    etcdDefragmentationCronJob: `${name}-etcd-defrag`,
    certManagerSelfSignedIssuer: `${name}-selfsigned`,
    certManagerCaCertificate: `${name}-ca`,
    certManagerCaSecret: `${name}-ca`,
    certManagerCaIssuer: `${name}-ca`,
    certManagerServingCertificate: `${name}-serving`,
  };
}

/** `<service>.<namespace>.svc`: the name the aggregator verifies the serving certificate against. */
export function serviceDnsName(config: Pick<AggregatedApiServerConfig, 'name' | 'namespace'>): string {
  return `${objectNames(config).service}.${config.namespace}.svc`;
}
