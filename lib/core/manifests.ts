import type {
  V1APIService,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1Deployment,
  V1EndpointSlice,
  V1Namespace,
  V1PersistentVolumeClaim,
  V1PodDisruptionBudget,
  V1RoleBinding,
  V1Secret,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { apiServices } from './api-service.js';
import { certManagerManifests, type CertManagerManifests } from './cert-manager.js';
import type { AggregatedApiServerConfig } from './config.js';
import {
  etcdClientService,
  etcdHeadlessService,
  etcdNetworkPolicy,
  etcdPodDisruptionBudget,
  etcdStatefulSet,
  type NetworkPolicyManifest,
} from './etcd.js';
import { namespaceManifest, serviceAccount } from './identity.js';
import type { AnyManifest, Manifest } from './k8s-types.js';
import {
  authDelegatorBinding,
  authReaderBinding,
  editClusterRole,
  serverClusterRole,
  serverClusterRoleBinding,
  viewClusterRole,
} from './rbac.js';
import { serverService, externalEndpointSlice } from './service.js';
import { servingSecret } from './serving-secret.js';
import {
  dataVolumeClaim,
  SERVING_CERT_CHECKSUM_ANNOTATION,
  serverDeployment,
  serverPodDisruptionBudget,
} from './server-workload.js';
import { tlsMaterialChecksum, type TlsMaterial } from './tls-material.js';

/** The dedicated etcd's objects. */
export interface EtcdManifests {
  headlessService: Manifest<V1Service>;
  clientService: Manifest<V1Service>;
  statefulSet: Manifest<V1StatefulSet>;
  podDisruptionBudget?: Manifest<V1PodDisruptionBudget>;
  networkPolicy?: NetworkPolicyManifest;
}

/** Every object of a deployment, by role. Absent roles do not apply to the options. */
export interface AggregatedApiServerManifests {
  namespace?: Manifest<V1Namespace>;
  serviceAccount: Manifest<V1ServiceAccount>;
  serverClusterRole: Manifest<V1ClusterRole>;
  serverClusterRoleBinding: Manifest<V1ClusterRoleBinding>;
  authDelegatorBinding: Manifest<V1ClusterRoleBinding>;
  authReaderBinding: Manifest<V1RoleBinding>;
  viewClusterRole: Manifest<V1ClusterRole>;
  editClusterRole: Manifest<V1ClusterRole>;
  servingSecret?: Manifest<V1Secret>;
  certManager?: CertManagerManifests;
  dataVolumeClaim?: Manifest<V1PersistentVolumeClaim>;
  etcd?: EtcdManifests;
  deployment?: Manifest<V1Deployment>;
  podDisruptionBudget?: Manifest<V1PodDisruptionBudget>;
  service: Manifest<V1Service>;
  endpointSlice?: Manifest<V1EndpointSlice>;
  apiServices: Manifest<V1APIService>[];
}

/**
 * Renders every object of a deployment as plain Kubernetes JSON: the one source of truth the
 * cdk8s construct realizes with cdk8s-plus and a Pulumi component with @pulumi/kubernetes.
 *
 * @param material the serving certificate, key and CA, required in the generated and provided
 *   TLS modes (cdk8s generates them at synth time, Pulumi with @pulumi/tls) and ignored otherwise
 */
export function renderManifests(
  config: AggregatedApiServerConfig,
  material?: TlsMaterial,
): AggregatedApiServerManifests {
  const withMaterial = config.tls.mode === 'generated' || config.tls.mode === 'provided';
  if (withMaterial && !material) {
    throw new Error(`tls mode "${config.tls.mode}" needs the serving certificate, key and CA to render`);
  }
  const servingMaterial = withMaterial ? material : undefined;
  const external = config.external !== undefined;
  const etcd: EtcdManifests | undefined =
    config.storage.type === 'dedicated-etcd'
      ? {
          headlessService: etcdHeadlessService(config),
          clientService: etcdClientService(config),
          statefulSet: etcdStatefulSet(config),
          podDisruptionBudget: etcdPodDisruptionBudget(config),
          networkPolicy: etcdNetworkPolicy(config),
        }
      : undefined;
  return withoutUndefined({
    namespace: namespaceManifest(config),
    serviceAccount: serviceAccount(config),
    serverClusterRole: serverClusterRole(config),
    serverClusterRoleBinding: serverClusterRoleBinding(config),
    authDelegatorBinding: authDelegatorBinding(config),
    authReaderBinding: authReaderBinding(config),
    viewClusterRole: viewClusterRole(config),
    editClusterRole: editClusterRole(config),
    servingSecret: servingMaterial ? servingSecret(config, servingMaterial) : undefined,
    certManager: config.tls.mode === 'cert-manager' ? certManagerManifests(config) : undefined,
    dataVolumeClaim: dataVolumeClaim(config),
    etcd,
    deployment: external
      ? undefined
      : serverDeployment(
          config,
          servingMaterial ? { [SERVING_CERT_CHECKSUM_ANNOTATION]: tlsMaterialChecksum(servingMaterial) } : {},
        ),
    podDisruptionBudget: serverPodDisruptionBudget(config),
    service: serverService(config),
    endpointSlice: externalEndpointSlice(config),
    apiServices: apiServices(config, servingMaterial?.caCertificatePem),
  });
}

/**
 * The objects in apply order: namespace, identity and RBAC, TLS, storage, workload, Service,
 * and the APIServices last (an APIService whose backend is not there yet breaks discovery).
 */
export function manifestList(manifests: AggregatedApiServerManifests): AnyManifest[] {
  const m = manifests;
  const list: (AnyManifest | undefined)[] = [
    m.namespace,
    m.serviceAccount,
    m.serverClusterRole,
    m.serverClusterRoleBinding,
    m.authDelegatorBinding,
    m.authReaderBinding,
    m.viewClusterRole,
    m.editClusterRole,
    m.certManager?.selfSignedIssuer,
    m.certManager?.caCertificate,
    m.certManager?.caIssuer,
    m.certManager?.servingCertificate,
    m.servingSecret,
    m.dataVolumeClaim,
    m.etcd?.headlessService,
    m.etcd?.clientService,
    m.etcd?.statefulSet,
    m.etcd?.podDisruptionBudget,
    m.etcd?.networkPolicy,
    m.deployment,
    m.podDisruptionBudget,
    m.service,
    m.endpointSlice,
    ...m.apiServices,
  ];
  return list.filter((x): x is AnyManifest => x !== undefined);
}

/** A deep copy without `undefined` values (what JSON serialization would keep). */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withoutUndefined(v)) as T;
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) result[k] = withoutUndefined(v);
    }
    return result as T;
  }
  return value;
}
