import { ApiObject, JsonPatch, type ApiObjectMetadata } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { IConstruct } from 'constructs';
import type { ObjectMeta } from '../core/index.js';

/** cdk8s metadata from a core object's metadata (name, namespace, labels, annotations). */
export function metadataOf(meta: ObjectMeta): ApiObjectMetadata {
  return {
    name: meta.name,
    ...(meta.namespace !== undefined ? { namespace: meta.namespace } : {}),
    ...(meta.labels ? { labels: { ...meta.labels } } : {}),
    ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
  };
}

/**
 * Keeps a cluster-scoped object free of a namespace. cdk8s stamps the Chart's namespace onto every
 * ApiObject, cluster-scoped or not (cdk8s-team/cdk8s-core#731), and kubectl then refuses or
 * silently ignores it depending on the version; the patch removes it after synthesis.
 */
export function clusterScoped<T extends IConstruct>(construct: T): T {
  const apiObject = ApiObject.of(construct);
  if (apiObject.metadata.namespace !== undefined) {
    apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
  return construct;
}

/**
 * Adds `value` at `path` of the synthesized object (replacing what is there), unless undefined.
 * Keys are sorted like the rest of cdk8s's output.
 *
 * Mind the generated `k8s` classes (and the cdk8s-plus constructs built on them): cdk8s applies
 * JSON patches before those classes convert their props to JSON, so a patched value must be in
 * props form; Quantity and IntOrString fields take `k8s.Quantity` / `k8s.IntOrString` objects
 * (see kubeQuantities, kubeIntOrString) and plain strings there would be dropped.
 */
export function overlay(construct: IConstruct, path: string, value: unknown): void {
  if (value === undefined) return;
  ApiObject.of(construct).addJsonPatch(JsonPatch.add(path, sortKeys(value)));
}

/** A resource map (requests, limits, storage) in the props form of the generated classes. */
export function kubeQuantities(
  quantities: Record<string, string> | undefined,
): Record<string, k8s.Quantity> | undefined {
  if (!quantities) return undefined;
  return Object.fromEntries(Object.entries(quantities).map(([k, v]) => [k, k8s.Quantity.fromString(v)]));
}

/** An int-or-string in the props form of the generated classes. */
export function kubeIntOrString(value: number | string): k8s.IntOrString {
  return typeof value === 'number' ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(value);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
