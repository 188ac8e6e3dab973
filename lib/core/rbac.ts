import type {
  Manifest,
  RbacV1Subject,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1PolicyRule,
  V1Role,
  V1RoleBinding,
} from './k8s-types.js';
import { apiServiceName } from './api-service.js';
import type { AggregatedApiServerConfig } from './config.js';
import { AGGREGATE_TO, objectLabels } from './labels.js';
import { objectNames } from './names.js';

/** The ClusterRole granting TokenReview and SubjectAccessReview creation (delegated authn/authz). */
export const AUTH_DELEGATOR_CLUSTER_ROLE = 'system:auth-delegator';

/** The Role in kube-system that may read the extension-apiserver-authentication ConfigMap. */
export const AUTH_READER_ROLE = 'extension-apiserver-authentication-reader';

/** Verbs of the aggregated `view` role. */
export const READ_VERBS = ['get', 'list', 'watch'] as const;

/** Verbs of the aggregated `edit` role. */
export const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;

const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';
const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** The server's ServiceAccount as an RBAC subject. */
export function serverSubject(config: AggregatedApiServerConfig): RbacV1Subject {
  return {
    apiGroup: '',
    kind: 'ServiceAccount',
    name: objectNames(config).serviceAccount,
    namespace: config.namespace,
  };
}

/**
 * What the server itself reads: namespaces (its namespace lifecycle admission), the cluster's
 * admission webhook configurations and ValidatingAdmissionPolicies with their bindings (its
 * webhook and policy admission, as the Go generic apiserver reads them), plus `serverRules`
 * (e.g. the resources policies take as params). TokenReview and SubjectAccessReview creation come from system:auth-delegator,
 * the authentication ConfigMap from the kube-system RoleBinding.
 */
export function serverRules(config: AggregatedApiServerConfig): V1PolicyRule[] {
  return [
    { apiGroups: [''], resources: ['namespaces'], verbs: [...READ_VERBS] },
    {
      apiGroups: ['admissionregistration.k8s.io'],
      resources: [
        'mutatingwebhookconfigurations',
        'validatingwebhookconfigurations',
        'validatingadmissionpolicies',
        'validatingadmissionpolicybindings',
      ],
      verbs: [...READ_VERBS],
    },
    ...config.serverRules.map((r) => ({
      apiGroups: [...r.apiGroups],
      resources: [...r.resources],
      verbs: [...r.verbs],
    })),
  ];
}

/**
 * Rules of the user-facing `view` role: read every served resource and its subresources (as kube's
 * view role reads `deployments`, `deployments/status` and `deployments/scale`). One rule per
 * resource keeps the rules readable in `kubectl describe clusterrole`.
 */
export function viewRules(config: AggregatedApiServerConfig): V1PolicyRule[] {
  return config.resources.map((r) => ({
    apiGroups: [r.group],
    resources: [r.plural, ...r.subresources.map((s) => `${r.plural}/${s}`)],
    verbs: [...READ_VERBS],
  }));
}

/** Verbs of the `edit` role on a `scale` subresource, as kube's edit role has them on `deployments/scale`. */
export const SCALE_WRITE_VERBS = ['update', 'patch'] as const;

/**
 * Rules of the user-facing `edit` role: write every namespaced served resource, and scale it
 * when it has a `scale` subresource. Status stays with the server and its controllers, as kube's
 * edit role leaves `deployments/status` alone; cluster-scoped resources stay out, as edit never
 * writes built-in cluster-scoped kinds.
 */
export function editRules(config: AggregatedApiServerConfig): V1PolicyRule[] {
  return config.resources
    .filter((r) => r.namespaced)
    .flatMap((r) => [
      { apiGroups: [r.group], resources: [r.plural], verbs: [...WRITE_VERBS] },
      ...(r.subresources.includes('scale')
        ? [{ apiGroups: [r.group], resources: [`${r.plural}/scale`], verbs: [...SCALE_WRITE_VERBS] }]
        : []),
    ]);
}

/** The server's own ClusterRole. */
export function serverClusterRole(config: AggregatedApiServerConfig): Manifest<V1ClusterRole> {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRole',
    metadata: { name: objectNames(config).serverClusterRole, labels: objectLabels(config, 'apiserver') },
    rules: serverRules(config),
  };
}

/** Binds the server's ClusterRole to its ServiceAccount. */
export function serverClusterRoleBinding(config: AggregatedApiServerConfig): Manifest<V1ClusterRoleBinding> {
  const names = objectNames(config);
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRoleBinding',
    metadata: { name: names.serverClusterRoleBinding, labels: objectLabels(config, 'apiserver') },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: names.serverClusterRole },
    subjects: [serverSubject(config)],
  };
}

/** Binds system:auth-delegator (TokenReview, SubjectAccessReview) to the ServiceAccount. */
export function authDelegatorBinding(config: AggregatedApiServerConfig): Manifest<V1ClusterRoleBinding> {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRoleBinding',
    metadata: { name: objectNames(config).authDelegatorBinding, labels: objectLabels(config, 'apiserver') },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: AUTH_DELEGATOR_CLUSTER_ROLE },
    subjects: [serverSubject(config)],
  };
}

/** Lets the ServiceAccount read kube-system/extension-apiserver-authentication. */
export function authReaderBinding(config: AggregatedApiServerConfig): Manifest<V1RoleBinding> {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'RoleBinding',
    metadata: {
      name: objectNames(config).authReaderBinding,
      namespace: 'kube-system',
      labels: objectLabels(config, 'apiserver'),
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: AUTH_READER_ROLE },
    subjects: [serverSubject(config)],
  };
}

/** The user-facing read role, aggregated into the built-in view, edit and admin roles. */
export function viewClusterRole(config: AggregatedApiServerConfig): Manifest<V1ClusterRole> {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRole',
    metadata: {
      name: objectNames(config).viewClusterRole,
      labels: {
        ...objectLabels(config),
        [AGGREGATE_TO.view]: 'true',
        [AGGREGATE_TO.edit]: 'true',
        [AGGREGATE_TO.admin]: 'true',
      },
    },
    rules: viewRules(config),
  };
}

/**
 * The user-facing write role, aggregated into the built-in edit and admin roles; none when every
 * served resource is cluster-scoped (edit never grants writes to cluster-scoped kinds).
 */
export function editClusterRole(config: AggregatedApiServerConfig): Manifest<V1ClusterRole> | undefined {
  if (editRules(config).length === 0) return undefined;
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRole',
    metadata: {
      name: objectNames(config).editClusterRole,
      labels: { ...objectLabels(config), [AGGREGATE_TO.edit]: 'true', [AGGREGATE_TO.admin]: 'true' },
    },
    rules: editRules(config),
  };
}

/** A Role of the server in its namespace. */
function serverRole(
  config: AggregatedApiServerConfig,
  name: string,
  rules: V1PolicyRule[],
): Manifest<V1Role> {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'Role',
    metadata: { name, namespace: config.namespace, labels: objectLabels(config, 'apiserver') },
    rules,
  };
}

/** Binds a Role of the server's namespace to its ServiceAccount, under the Role's name. */
function serverRoleBinding(
  config: AggregatedApiServerConfig,
  name: string,
  role: string,
): Manifest<V1RoleBinding> {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'RoleBinding',
    metadata: { name, namespace: config.namespace, labels: objectLabels(config, 'apiserver') },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: role },
    subjects: [serverSubject(config)],
  };
}

/** What the leader election needs on its one Lease: read it and renew or take it over. */
export const LEADER_ELECTION_VERBS = ['get', 'update'] as const;

/**
 * The server's leader election Lease, in its namespace: `get` and `update` on that one Lease
 * only. `create` cannot be limited by name (RBAC sees no name on a create), so it is granted on
 * the Leases of the namespace, as kube-controller-manager's own role does.
 */
export function leaderElectionRole(config: AggregatedApiServerConfig): Manifest<V1Role> {
  const names = objectNames(config);
  return serverRole(config, names.leaderElectionRole, [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    {
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      resourceNames: [names.leaderElectionLease],
      verbs: [...LEADER_ELECTION_VERBS],
    },
  ]);
}

/** Binds the leader election Role to the ServiceAccount. */
export function leaderElectionRoleBinding(config: AggregatedApiServerConfig): Manifest<V1RoleBinding> {
  const names = objectNames(config);
  return serverRoleBinding(config, names.leaderElectionRoleBinding, names.leaderElectionRole);
}

/** Verbs a self-managed server needs on its Secret and its APIServices, and nothing more. */
export const SELF_MANAGED_TLS_VERBS = ['get', 'update'] as const;

/** The Secrets the server keeps its own certificates in: self-managed serving, dedicated etcd TLS. */
export function selfManagedSecretNames(config: AggregatedApiServerConfig): string[] {
  const names = objectNames(config);
  return [
    ...(config.tls.mode === 'self-managed' ? [names.servingSecret] : []),
    ...(config.storage.type === 'dedicated-etcd' && config.storage.tls ? [names.etcdTlsSecret] : []),
  ];
}

/** Get and update of the Secrets the server keeps its certificates in, by name. */
export function selfManagedTlsRole(config: AggregatedApiServerConfig): Manifest<V1Role> | undefined {
  const secrets = selfManagedSecretNames(config);
  if (secrets.length === 0) return undefined;
  return serverRole(config, objectNames(config).selfManagedTlsRole, [
    { apiGroups: [''], resources: ['secrets'], resourceNames: secrets, verbs: [...SELF_MANAGED_TLS_VERBS] },
  ]);
}

/** Binds the self-managed TLS Role to the ServiceAccount. */
export function selfManagedTlsRoleBinding(
  config: AggregatedApiServerConfig,
): Manifest<V1RoleBinding> | undefined {
  if (selfManagedSecretNames(config).length === 0) return undefined;
  const names = objectNames(config);
  return serverRoleBinding(config, names.selfManagedTlsRoleBinding, names.selfManagedTlsRole);
}

/** Self-managed TLS: get and update of the server's own APIServices (their caBundle), by name. */
export function selfManagedTlsClusterRole(
  config: AggregatedApiServerConfig,
): Manifest<V1ClusterRole> | undefined {
  if (config.tls.mode !== 'self-managed') return undefined;
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRole',
    metadata: {
      name: objectNames(config).selfManagedTlsClusterRole,
      labels: objectLabels(config, 'apiserver'),
    },
    rules: [
      {
        apiGroups: ['apiregistration.k8s.io'],
        resources: ['apiservices'],
        resourceNames: config.groupVersions.map(apiServiceName),
        verbs: [...SELF_MANAGED_TLS_VERBS],
      },
    ],
  };
}

/** Binds the self-managed TLS ClusterRole to the ServiceAccount. */
export function selfManagedTlsClusterRoleBinding(
  config: AggregatedApiServerConfig,
): Manifest<V1ClusterRoleBinding> | undefined {
  if (config.tls.mode !== 'self-managed') return undefined;
  const names = objectNames(config);
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRoleBinding',
    metadata: { name: names.selfManagedTlsClusterRoleBinding, labels: objectLabels(config, 'apiserver') },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: names.selfManagedTlsClusterRole },
    subjects: [serverSubject(config)],
  };
}
