import type { ApiObjectMetadata } from 'cdk8s';
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
