import * as k8s from '@pulumi/kubernetes';
import type { V1Deployment, V1PodTemplateSpec, V1StatefulSet, V1Volume } from '@kubernetes/client-node';
import type * as pulumi from '@pulumi/pulumi';
import {
  type AggregatedApiServerManifests,
  type AnyManifest,
  type Manifest,
  manifestList,
} from '../core/index.js';
import { ApplyOrder } from './apply-order.js';
import { API_SERVICE_READY, CERT_MANAGER_READY, waitingFor } from './await-annotations.js';
import type { LateBinding, WithInputLeaves } from './late-bound-values.js';

/** The dedicated etcd's objects (dedicated-etcd storage). */
export interface DedicatedEtcdResources {
  /** Headless Service giving each member a DNS name (publishes not-ready members). */
  readonly headlessService: k8s.core.v1.Service;
  /** Client Service `<name>-etcd:2379` the server connects to. */
  readonly clientService: k8s.core.v1.Service;
  /** The members. */
  readonly statefulSet: k8s.apps.v1.StatefulSet;
  /** Keeps quorum during voluntary disruptions (absent with one member). */
  readonly podDisruptionBudget?: k8s.policy.v1.PodDisruptionBudget;
  /** Admits only the server's pods and the peers (absent when disabled). */
  readonly networkPolicy?: k8s.networking.v1.NetworkPolicy;
}

/** The cert-manager objects (cert-manager TLS mode); each is awaited until Ready. */
export interface CertManagerResources {
  /** Self-signed bootstrap Issuer (absent with a user-named issuer). */
  readonly selfSignedIssuer?: k8s.apiextensions.CustomResource;
  /** The deployment's CA Certificate (absent with a user-named issuer). */
  readonly caCertificate?: k8s.apiextensions.CustomResource;
  /** CA Issuer signing the serving certificate (absent with a user-named issuer). */
  readonly caIssuer?: k8s.apiextensions.CustomResource;
  /** The serving Certificate; its Secret is the one the pods mount. */
  readonly servingCertificate: k8s.apiextensions.CustomResource;
}

/** Every Kubernetes object of a deployment, as @pulumi/kubernetes resources, by role. */
export interface KubernetesChildren {
  readonly namespace?: k8s.core.v1.Namespace;
  readonly serviceAccount: k8s.core.v1.ServiceAccount;
  readonly serverClusterRole: k8s.rbac.v1.ClusterRole;
  readonly serverClusterRoleBinding: k8s.rbac.v1.ClusterRoleBinding;
  readonly authDelegatorBinding: k8s.rbac.v1.ClusterRoleBinding;
  readonly authReaderBinding: k8s.rbac.v1.RoleBinding;
  readonly viewClusterRole: k8s.rbac.v1.ClusterRole;
  readonly editClusterRole: k8s.rbac.v1.ClusterRole;
  readonly servingSecret?: k8s.core.v1.Secret;
  readonly certManager?: CertManagerResources;
  readonly dataVolumeClaim?: k8s.core.v1.PersistentVolumeClaim;
  readonly etcd?: DedicatedEtcdResources;
  readonly deployment?: k8s.apps.v1.Deployment;
  readonly podDisruptionBudget?: k8s.policy.v1.PodDisruptionBudget;
  readonly service: k8s.core.v1.Service;
  readonly endpointSlice?: k8s.discovery.v1.EndpointSlice;
  readonly apiServices: k8s.apiregistration.v1.APIService[];
}

/**
 * Realizes lib/core's objects one to one with @pulumi/kubernetes, each passed through whole (only
 * `apiVersion` and `kind`, which the typed classes set themselves, are dropped), so a field lib/core
 * renders is a field Pulumi applies. Pulumi adds only its await annotations (APIServices until
 * Available, cert-manager objects until Ready) and the dependencies of ApplyOrder; each APIService
 * additionally depends directly on what serves it, as in the cdk8s construct.
 *
 * @param name prefix of the Pulumi resource names
 * @param parent the component every child is parented to (and inherits its providers from)
 */
export function kubernetesChildren(
  name: string,
  manifests: LateBinding<AggregatedApiServerManifests>,
  parent: pulumi.Resource,
): KubernetesChildren {
  const { structure: s, bound: b } = manifests;
  const order = new ApplyOrder(manifestList(s));
  const child = new ChildRealizer(order, parent);
  const n = (role: string) => `${name}-${role}`;
  try {
    const children: KubernetesChildren = {
      namespace: child.optional(
        s.namespace,
        b.namespace,
        (m, o) => new k8s.core.v1.Namespace(n('namespace'), withoutTypeMeta(m), o),
      ),
      serviceAccount: child.one(
        s.serviceAccount,
        b.serviceAccount,
        (m, o) => new k8s.core.v1.ServiceAccount(n('service-account'), withoutTypeMeta(m), o),
      ),
      serverClusterRole: child.one(
        s.serverClusterRole,
        b.serverClusterRole,
        (m, o) => new k8s.rbac.v1.ClusterRole(n('server-cluster-role'), withoutTypeMeta(m), o),
      ),
      serverClusterRoleBinding: child.one(
        s.serverClusterRoleBinding,
        b.serverClusterRoleBinding,
        (m, o) => new k8s.rbac.v1.ClusterRoleBinding(n('server-cluster-role-binding'), withoutTypeMeta(m), o),
      ),
      authDelegatorBinding: child.one(
        s.authDelegatorBinding,
        b.authDelegatorBinding,
        (m, o) => new k8s.rbac.v1.ClusterRoleBinding(n('auth-delegator-binding'), withoutTypeMeta(m), o),
      ),
      authReaderBinding: child.one(
        s.authReaderBinding,
        b.authReaderBinding,
        (m, o) => new k8s.rbac.v1.RoleBinding(n('auth-reader-binding'), withoutTypeMeta(m), o),
      ),
      viewClusterRole: child.one(
        s.viewClusterRole,
        b.viewClusterRole,
        (m, o) => new k8s.rbac.v1.ClusterRole(n('view-cluster-role'), withoutTypeMeta(m), o),
      ),
      editClusterRole: child.one(
        s.editClusterRole,
        b.editClusterRole,
        (m, o) => new k8s.rbac.v1.ClusterRole(n('edit-cluster-role'), withoutTypeMeta(m), o),
      ),
      // @pulumi/kubernetes makes a Secret's data a Pulumi secret as a whole.
      servingSecret: child.optional(
        s.servingSecret,
        b.servingSecret,
        (m, o) => new k8s.core.v1.Secret(n('serving-secret'), withoutTypeMeta(m), o),
      ),
      certManager: s.certManager &&
        b.certManager && {
          selfSignedIssuer: child.optional(
            s.certManager.selfSignedIssuer,
            b.certManager.selfSignedIssuer,
            (m, o, structure) => certManagerResource(n('cert-manager-self-signed-issuer'), structure, m, o),
          ),
          caCertificate: child.optional(
            s.certManager.caCertificate,
            b.certManager.caCertificate,
            (m, o, structure) => certManagerResource(n('cert-manager-ca-certificate'), structure, m, o),
          ),
          caIssuer: child.optional(s.certManager.caIssuer, b.certManager.caIssuer, (m, o, structure) =>
            certManagerResource(n('cert-manager-ca-issuer'), structure, m, o),
          ),
          servingCertificate: child.one(
            s.certManager.servingCertificate,
            b.certManager.servingCertificate,
            (m, o, structure) => certManagerResource(n('cert-manager-serving-certificate'), structure, m, o),
          ),
        },
      dataVolumeClaim: child.optional(
        s.dataVolumeClaim,
        b.dataVolumeClaim,
        (m, o) => new k8s.core.v1.PersistentVolumeClaim(n('data-volume-claim'), withoutTypeMeta(m), o),
      ),
      etcd: s.etcd &&
        b.etcd && {
          headlessService: child.one(
            s.etcd.headlessService,
            b.etcd.headlessService,
            (m, o) => new k8s.core.v1.Service(n('etcd-headless-service'), withoutTypeMeta(m), o),
          ),
          clientService: child.one(
            s.etcd.clientService,
            b.etcd.clientService,
            (m, o) => new k8s.core.v1.Service(n('etcd-client-service'), withoutTypeMeta(m), o),
          ),
          statefulSet: child.one(
            s.etcd.statefulSet,
            b.etcd.statefulSet,
            (m, o) => new k8s.apps.v1.StatefulSet(n('etcd-statefulset'), statefulSetArgs(m), o),
          ),
          podDisruptionBudget: child.optional(
            s.etcd.podDisruptionBudget,
            b.etcd.podDisruptionBudget,
            (m, o) =>
              new k8s.policy.v1.PodDisruptionBudget(n('etcd-pod-disruption-budget'), withoutTypeMeta(m), o),
          ),
          networkPolicy: child.optional(
            s.etcd.networkPolicy,
            b.etcd.networkPolicy,
            (m, o) =>
              new k8s.networking.v1.NetworkPolicy(
                n('etcd-network-policy'),
                { metadata: m.metadata, spec: { ...m.spec, podSelector: required(m.spec.podSelector, m) } },
                o,
              ),
          ),
        },
      deployment: child.optional(
        s.deployment,
        b.deployment,
        (m, o) => new k8s.apps.v1.Deployment(n('deployment'), deploymentArgs(m), o),
      ),
      podDisruptionBudget: child.optional(
        s.podDisruptionBudget,
        b.podDisruptionBudget,
        (m, o) => new k8s.policy.v1.PodDisruptionBudget(n('pod-disruption-budget'), withoutTypeMeta(m), o),
      ),
      service: child.one(
        s.service,
        b.service,
        (m, o) => new k8s.core.v1.Service(n('service'), withoutTypeMeta(m), o),
      ),
      endpointSlice: child.optional(
        s.endpointSlice,
        b.endpointSlice,
        (m, o) => new k8s.discovery.v1.EndpointSlice(n('endpoint-slice'), withoutTypeMeta(m), o),
      ),
      apiServices: s.apiServices.map((apiService, i) =>
        child.one(
          apiService,
          b.apiServices[i],
          (m, o) =>
            new k8s.apiregistration.v1.APIService(
              n(`apiservice-${apiService.metadata.name}`),
              { ...withoutTypeMeta(m), metadata: waitingFor(m.metadata, API_SERVICE_READY) },
              o,
            ),
          // What serves it: an APIService without its backend breaks discovery for every client.
          [
            s.service,
            s.deployment,
            s.servingSecret,
            s.certManager?.selfSignedIssuer,
            s.certManager?.caCertificate,
            s.certManager?.caIssuer,
            s.certManager?.servingCertificate,
            s.endpointSlice,
            s.podDisruptionBudget,
          ],
        ),
      ),
    };
    order.seal();
    return children;
  } catch (e) {
    order.fail(e instanceof Error ? e : new Error(String(e)));
    throw e;
  }
}

/** Creates each child with `{ parent, dependsOn }` from the apply order and records it there. */
class ChildRealizer {
  constructor(
    private readonly order: ApplyOrder,
    private readonly parent: pulumi.Resource,
  ) {}

  public one<M extends AnyManifest, R extends pulumi.Resource>(
    structure: M,
    bound: WithInputLeaves<M>,
    create: (manifest: WithInputLeaves<M>, opts: pulumi.CustomResourceOptions, structure: M) => R,
    alsoOn: readonly (AnyManifest | undefined)[] = [],
  ): R {
    const opts = { parent: this.parent, dependsOn: this.order.dependsOn(structure, alsoOn) };
    return this.order.realize(structure, create(bound, opts, structure));
  }

  public optional<M extends AnyManifest, R extends pulumi.Resource>(
    structure: M | undefined,
    bound: WithInputLeaves<M> | undefined,
    create: (manifest: WithInputLeaves<M>, opts: pulumi.CustomResourceOptions, structure: M) => R,
  ): R | undefined {
    return structure && bound ? this.one(structure, bound, create) : undefined;
  }
}

/**
 * A cert-manager object: no typed class, so a CustomResource carrying the whole object. Its
 * apiVersion and kind make the Pulumi type token, so they come from the structure (plain strings).
 */
function certManagerResource(
  name: string,
  structure: AnyManifest,
  m: WithInputLeaves<AnyManifest>,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(
    name,
    {
      ...m,
      apiVersion: structure.apiVersion,
      kind: structure.kind,
      metadata: waitingFor(m.metadata, CERT_MANAGER_READY),
    },
    opts,
  );
}

/** The object without apiVersion and kind, which the typed classes set themselves. */
function withoutTypeMeta<M extends { apiVersion: unknown; kind: unknown }>(
  manifest: M,
): Omit<M, 'apiVersion' | 'kind'> {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = manifest;
  return rest;
}

/** Deployment arguments: @pulumi/kubernetes requires the spec. */
function deploymentArgs(manifest: WithInputLeaves<Manifest<V1Deployment>>): k8s.apps.v1.DeploymentArgs {
  const { apiVersion: _apiVersion, kind: _kind, spec, ...rest } = manifest;
  const workload = required(spec, manifest);
  return { ...rest, spec: { ...workload, template: podTemplate(workload.template) } };
}

/** StatefulSet arguments: @pulumi/kubernetes requires the spec. */
function statefulSetArgs(manifest: WithInputLeaves<Manifest<V1StatefulSet>>): k8s.apps.v1.StatefulSetArgs {
  const { apiVersion: _apiVersion, kind: _kind, spec, ...rest } = manifest;
  const workload = required(spec, manifest);
  return {
    ...rest,
    spec: {
      ...workload,
      template: podTemplate(workload.template),
      // A claim template's apiVersion and kind are implied (lib/core sets neither); the typed
      // classes only accept their literal values.
      volumeClaimTemplates: workload.volumeClaimTemplates?.map(
        ({ apiVersion: _claimApiVersion, kind: _claimKind, ...claim }) => claim,
      ),
    },
  };
}

function podTemplate(template: WithInputLeaves<V1PodTemplateSpec>): k8s.types.input.core.v1.PodTemplateSpec {
  const spec = template.spec;
  return { ...template, spec: spec && { ...spec, volumes: spec.volumes?.map(withProjectedSources) } };
}

/**
 * @pulumi/kubernetes's types require a projected volume's `sources`, which the Kubernetes API
 * (and @kubernetes/client-node's types) leave optional; an absent list means an empty one.
 */
function withProjectedSources(volume: WithInputLeaves<V1Volume>): k8s.types.input.core.v1.Volume {
  const { projected, ...rest } = volume;
  return projected ? { ...rest, projected: { ...projected, sources: projected.sources ?? [] } } : rest;
}

function required<T>(value: T | undefined, manifest: { kind: unknown }): T {
  if (value === undefined)
    throw new Error(`internal: lib/core rendered a ${String(manifest.kind)} without a required field`);
  return value;
}
