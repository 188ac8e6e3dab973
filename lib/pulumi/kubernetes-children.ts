import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import {
  type AggregatedApiServerManifests,
  type AnyManifest,
  manifestList,
  type ObjectRoleEntry,
  roleObjects,
} from '../core/index.js';
import { ApplyOrder } from './apply-order.js';
import { API_SERVICE_READY, CERT_MANAGER_READY, waitingFor } from './await-annotations.js';
import type { LateBinding, WithInputLeaves } from './late-bound-values.js';

/** The @pulumi/kubernetes resource realizing each kind lib/core renders. */
export interface PulumiObjectByKind {
  Namespace: k8s.core.v1.Namespace;
  ServiceAccount: k8s.core.v1.ServiceAccount;
  Secret: k8s.core.v1.Secret;
  ConfigMap: k8s.core.v1.ConfigMap;
  Service: k8s.core.v1.Service;
  PersistentVolumeClaim: k8s.core.v1.PersistentVolumeClaim;
  ClusterRole: k8s.rbac.v1.ClusterRole;
  ClusterRoleBinding: k8s.rbac.v1.ClusterRoleBinding;
  Role: k8s.rbac.v1.Role;
  RoleBinding: k8s.rbac.v1.RoleBinding;
  Deployment: k8s.apps.v1.Deployment;
  StatefulSet: k8s.apps.v1.StatefulSet;
  CronJob: k8s.batch.v1.CronJob;
  PodDisruptionBudget: k8s.policy.v1.PodDisruptionBudget;
  NetworkPolicy: k8s.networking.v1.NetworkPolicy;
  EndpointSlice: k8s.discovery.v1.EndpointSlice;
  APIService: k8s.apiregistration.v1.APIService;
  /** cert-manager and Prometheus Operator kinds have no typed class. */
  Issuer: k8s.apiextensions.CustomResource;
  Certificate: k8s.apiextensions.CustomResource;
  ServiceMonitor: k8s.apiextensions.CustomResource;
}

type Realized<Kind extends string> = Kind extends keyof PulumiObjectByKind
  ? PulumiObjectByKind[Kind]
  : k8s.apiextensions.CustomResource;

/**
 * Every Kubernetes object of a deployment as a @pulumi/kubernetes resource, by role (see
 * lib/core's OBJECT_ROLES): one resource, undefined when the role does not apply to the
 * arguments, or a list (the APIServices).
 */
export type PulumiObjects = {
  readonly [E in ObjectRoleEntry as E['key']]: ReturnType<E['render']> extends readonly unknown[]
    ? readonly Realized<E['kind']>[]
    : undefined extends ReturnType<E['render']>
      ? Realized<E['kind']> | undefined
      : Realized<E['kind']>;
};

type Args = WithInputLeaves<AnyManifest> & Record<string, unknown>;
type Create = (name: string, args: Args, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/**
 * How each kind is created. lib/core's object passes through whole (only `apiVersion` and `kind`,
 * which the typed classes set themselves, are dropped), so a field lib/core renders is a field
 * Pulumi applies; test/lib/pulumi checks that against the cdk8s output. The casts are where
 * kubernetes-types (lib/core's types) meet @pulumi/kubernetes's, which spell a few
 * optional fields as required.
 */
const CREATE: { readonly [Kind in keyof PulumiObjectByKind]: Create } = {
  Namespace: (n, a, o) => new k8s.core.v1.Namespace(n, typed(a), o),
  ServiceAccount: (n, a, o) => new k8s.core.v1.ServiceAccount(n, typed(a), o),
  Secret: (n, a, o) => new k8s.core.v1.Secret(n, typed(a), o),
  ConfigMap: (n, a, o) => new k8s.core.v1.ConfigMap(n, typed(a), o),
  Service: (n, a, o) => new k8s.core.v1.Service(n, typed(a), o),
  PersistentVolumeClaim: (n, a, o) => new k8s.core.v1.PersistentVolumeClaim(n, typed(a), o),
  ClusterRole: (n, a, o) => new k8s.rbac.v1.ClusterRole(n, typed(a), o),
  ClusterRoleBinding: (n, a, o) => new k8s.rbac.v1.ClusterRoleBinding(n, typed(a), o),
  Role: (n, a, o) => new k8s.rbac.v1.Role(n, typed(a), o),
  RoleBinding: (n, a, o) => new k8s.rbac.v1.RoleBinding(n, typed(a), o),
  Deployment: (n, a, o) => new k8s.apps.v1.Deployment(n, typed(a), o),
  StatefulSet: (n, a, o) => new k8s.apps.v1.StatefulSet(n, typed(a), o),
  CronJob: (n, a, o) => new k8s.batch.v1.CronJob(n, typed(a), o),
  PodDisruptionBudget: (n, a, o) => new k8s.policy.v1.PodDisruptionBudget(n, typed(a), o),
  NetworkPolicy: (n, a, o) => new k8s.networking.v1.NetworkPolicy(n, typed(a), o),
  EndpointSlice: (n, a, o) => new k8s.discovery.v1.EndpointSlice(n, typed(a), o),
  APIService: (n, a, o) =>
    new k8s.apiregistration.v1.APIService(
      n,
      typed({ ...a, metadata: waitingFor(a.metadata, API_SERVICE_READY) }),
      o,
    ),
  Issuer: (n, a, o) => customResource(n, a, o, CERT_MANAGER_READY),
  Certificate: (n, a, o) => customResource(n, a, o, CERT_MANAGER_READY),
  ServiceMonitor: (n, a, o) => customResource(n, a, o),
};

/**
 * Realizes lib/core's objects one to one with @pulumi/kubernetes, in lib/core's apply order as
 * explicit dependencies (ApplyOrder), each APIService also depending directly on what serves it,
 * as in the cdk8s construct. Pulumi adds only its await annotations (APIServices until
 * Available, cert-manager objects until Ready).
 *
 * @param name prefix of the Pulumi resource names
 * @param parent the component every child is parented to (and inherits its providers from)
 */
export function kubernetesChildren(
  name: string,
  manifests: LateBinding<AggregatedApiServerManifests>,
  parent: pulumi.Resource,
): PulumiObjects {
  const structure = roleObjects(manifests.structure);
  const bound = roleObjects(manifests.bound as unknown as AggregatedApiServerManifests);
  const order = new ApplyOrder(manifestList(manifests.structure));
  const servingApi = structure.filter((o) => o.role.servesApi).map((o) => o.manifest);
  const objects: Record<string, pulumi.CustomResource | pulumi.CustomResource[]> = { apiServices: [] };
  try {
    structure.forEach(({ role, manifest }, i) => {
      const many = role.key === 'apiServices';
      const create: Create = (CREATE as Record<string, Create | undefined>)[role.kind] ?? customResource;
      const opts = {
        parent,
        dependsOn: order.dependsOn(manifest, role.kind === 'APIService' ? servingApi : []),
      };
      const args = withoutTypeMeta(bound[i].manifest as unknown as Args, manifest);
      const resource = order.realize(
        manifest,
        create(
          many ? `${name}-${role.pulumiName}-${manifest.metadata.name}` : `${name}-${role.pulumiName}`,
          args,
          opts,
        ),
      );
      if (many) (objects[role.key] as pulumi.CustomResource[]).push(resource);
      else objects[role.key] = resource;
    });
    order.seal();
    return objects as unknown as PulumiObjects;
  } catch (e) {
    order.fail(e instanceof Error ? e : new Error(String(e)));
    throw e;
  }
}

/** An object of a kind without a typed class: a CustomResource carrying the whole object. */
function customResource(
  name: string,
  args: Args,
  opts: pulumi.CustomResourceOptions,
  awaitCondition?: string,
): k8s.apiextensions.CustomResource {
  const withAwait = {
    ...args,
    metadata: awaitCondition ? waitingFor(args.metadata, awaitCondition) : args.metadata,
  };
  return new k8s.apiextensions.CustomResource(
    name,
    typed<k8s.apiextensions.CustomResourceArgs>(withAwait),
    opts,
  );
}

/**
 * The object without apiVersion and kind for the typed classes (they set them); a
 * CustomResource keeps them, from the structure (plain strings: they make its type token).
 */
function withoutTypeMeta(bound: Args, structure: AnyManifest): Args {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = bound;
  return Object.hasOwn(CREATE, structure.kind) && !isCustom(structure.kind)
    ? (rest as Args)
    : ({ ...rest, apiVersion: structure.apiVersion, kind: structure.kind } as Args);
}

function isCustom(kind: string): boolean {
  return kind === 'Issuer' || kind === 'Certificate' || kind === 'ServiceMonitor';
}

/** lib/core's object as the arguments of a typed class (see CREATE). */
function typed<T>(args: object): T {
  return args as unknown as T;
}
