import type { KubeObject } from '../../../api/types.js';
import { formatResourceVersion } from '../resource-version.js';

/**
 * Objects are stored in etcd as JSON without `metadata.resourceVersion`, which is the key's
 * mod revision and so only known once the write has committed. Reads stamp it back from the
 * revision etcd reports, as kube-apiserver's etcd3 store does; a stored version could only
 * ever be wrong.
 */

/** The bytes stored for `object`: its JSON with the resourceVersion left out. */
export function encodeForEtcd(object: KubeObject): Buffer {
  // Rebuilt rather than deleted from, so the caller's object stays as it was.
  const { resourceVersion: _ignored, ...metadata } = object.metadata;
  return Buffer.from(JSON.stringify({ ...object, metadata }), 'utf8');
}

/** A fresh object from stored bytes, with its resourceVersion set to `revision`. */
export function decodeFromEtcd(value: Buffer, revision: number): KubeObject {
  const object = JSON.parse(value.toString('utf8')) as KubeObject;
  return { ...object, metadata: { ...object.metadata, resourceVersion: formatResourceVersion(revision) } };
}
