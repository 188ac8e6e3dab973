import type { APIService as APIServiceType } from './api-service-types.js';
import type * as apps from 'kubernetes-types/apps/v1.js';
import type * as batch from 'kubernetes-types/batch/v1.js';
import type * as core from 'kubernetes-types/core/v1.js';
import type * as discovery from 'kubernetes-types/discovery/v1.js';
import type * as meta from 'kubernetes-types/meta/v1.js';
import type * as networking from 'kubernetes-types/networking/v1.js';
import type * as policy from 'kubernetes-types/policy/v1.js';
import type * as rbac from 'kubernetes-types/rbac/v1.js';

/**
 * The Kubernetes object types lib/core renders, from `kubernetes-types` (declarations only,
 * nothing at run time, no dependencies) plus the APIService, which it lacks. Named here once, in
 * the client libraries' `V1<Kind>` style.
 */
export type V1ObjectMeta = meta.ObjectMeta;
export type V1Namespace = core.Namespace;
export type V1ServiceAccount = core.ServiceAccount;
export type V1Secret = core.Secret;
export type V1ConfigMap = core.ConfigMap;
export type V1Service = core.Service;
export type V1PersistentVolumeClaim = core.PersistentVolumeClaim;
export type V1Container = core.Container;
export type V1Probe = core.Probe;
export type V1Volume = core.Volume;
export type V1VolumeMount = core.VolumeMount;
export type V1ResourceRequirements = core.ResourceRequirements;
export type V1PodSecurityContext = core.PodSecurityContext;
export type V1SecurityContext = core.SecurityContext;
export type V1Toleration = core.Toleration;
export type V1TopologySpreadConstraint = core.TopologySpreadConstraint;
export type V1PodTemplateSpec = core.PodTemplateSpec;
export type V1EnvVar = core.EnvVar;
export type V1Deployment = apps.Deployment;
export type V1StatefulSet = apps.StatefulSet;
export type V1CronJob = batch.CronJob;
export type V1PodSpec = core.PodSpec;
export type V1EndpointSlice = discovery.EndpointSlice;
export type V1PodDisruptionBudget = policy.PodDisruptionBudget;
export type V1NetworkPolicy = networking.NetworkPolicy;
export type V1ClusterRole = rbac.ClusterRole;
export type V1ClusterRoleBinding = rbac.ClusterRoleBinding;
export type V1Role = rbac.Role;
export type V1RoleBinding = rbac.RoleBinding;
export type V1PolicyRule = rbac.PolicyRule;
export type RbacV1Subject = rbac.Subject;
export type V1APIService = APIServiceType;

/**
 * A plain Kubernetes object description: the JSON an API server accepts, with `apiVersion`,
 * `kind` and `metadata.name` required.
 */
export type Manifest<T extends { metadata?: V1ObjectMeta }> = Omit<
  T,
  'apiVersion' | 'kind' | 'metadata' | 'status'
> & {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
};

/** Object metadata with a name. */
export type ObjectMeta = Omit<V1ObjectMeta, 'name'> & { name: string };

/** Any manifest (what renderers iterate over). */
export interface AnyManifest {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

/** Kinds that are cluster-scoped (they never carry a namespace). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'APIService',
  'ClusterIssuer',
]);

/** Whether a manifest's kind is cluster-scoped. */
export function isClusterScoped(manifest: Pick<AnyManifest, 'kind'>): boolean {
  return CLUSTER_SCOPED_KINDS.has(manifest.kind);
}
