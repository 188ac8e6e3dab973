import type { V1ObjectMeta } from '@kubernetes/client-node';

/**
 * A plain Kubernetes object description: the JSON an API server accepts. Field types come from
 * @kubernetes/client-node (type-only: nothing of it is loaded at run time); `apiVersion`, `kind`
 * and `metadata.name` are required here. Mind one renaming in those types: a NetworkPolicy
 * ingress rule's `from` is `_from` there (see NetworkPolicyManifest).
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
