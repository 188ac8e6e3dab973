import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/types.js';

/**
 * A deep copy for JSON values; objects crossing layers are copied so no layer can corrupt
 * another's. A JSON round trip (not structuredClone) keeps every copy a plain JSON value of
 * this realm, so deep equality never trips over prototypes.
 */
export function copyObject<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Equal as stored state, ignoring what a write always changes (resourceVersion, managedFields). */
export function sameStoredState(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined },
  });
  return isDeepStrictEqual(copyObject(strip(a)), copyObject(strip(b)));
}

export { isDeepStrictEqual as deepEqual };
