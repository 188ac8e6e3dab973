import type { ListOptions, ListResult, Storage } from '../../api/storage.js';

/**
 * One object version as the watch cache holds it: its JSON text. The entry is replaced when the
 * object changes, so its identity is the version's: what readers derive from it (see
 * ../util/derived-value.ts) is reused until the next change and dropped with it.
 */
export interface EncodedObject {
  readonly json: string;
}

/** A page of stored objects as the JSON text the storage keeps them in, in key order. */
export interface EncodedListResult extends Omit<ListResult, 'items'> {
  readonly items: readonly EncodedObject[];
}

/**
 * A storage that can hand out a page as the JSON it holds, without decoding it (the watch
 * cache): a list answered in the storage version is then written with those bytes, as
 * kube-apiserver's caching objects reuse an object's encoding, instead of being decoded and
 * encoded again. Undefined when the page would come from elsewhere (a read it must make of the
 * backend): the caller reads it decoded.
 */
export interface EncodedListing {
  listEncoded(prefix: string, options?: ListOptions): Promise<EncodedListResult | undefined>;
}

export function canListEncoded(storage: Storage): storage is Storage & EncodedListing {
  return typeof (storage as Partial<EncodedListing>).listEncoded === 'function';
}
