import type { KubeObject } from '../../../api/types.js';
import type { Storage } from '../../../api/storage.js';

/**
 * A list that says where each object is stored. The watch cache is keyed by storage key, but
 * `Storage.list` returns objects only; watch events carry their keys, a list does not. A
 * backend that knows its keys (EtcdStorage) hands them over; for others the cache works them
 * out from the objects (see ObjectKeyFunction).
 */
export interface KeyedList {
  readonly entries: readonly { readonly key: string; readonly object: KubeObject }[];
  /** The revision the whole list was read at. */
  readonly resourceVersion: string;
}

/** A backend that can list with keys. */
export interface KeyedListSource {
  /** Every object under `prefix`, with its key, in key order, read at one revision. */
  listWithKeys(prefix: string): Promise<KeyedList>;
}

export function listsWithKeys(storage: Storage): storage is Storage & KeyedListSource {
  return typeof (storage as Partial<KeyedListSource>).listWithKeys === 'function';
}

/** Where an object listed under a resource prefix is stored, for backends that cannot say. */
export type ObjectKeyFunction = (resourcePrefix: string, object: KubeObject) => string;

/**
 * The generic store's layout: `<resource prefix><namespace>/<name>` for namespaced objects and
 * `<resource prefix><name>` for cluster-scoped ones (see Store.collectionKey).
 */
export const genericStoreKey: ObjectKeyFunction = (resourcePrefix, object) => {
  const { namespace, name } = object.metadata;
  return `${resourcePrefix}${namespace ? `${namespace}/` : ''}${name ?? ''}`;
};
