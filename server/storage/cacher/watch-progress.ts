import type { Storage, StorageEvent } from '../../../api/storage.js';

/**
 * What the watch cache can use from a backend beyond the Storage contract: progress marks on
 * its watch. A cache that has applied every event of its upstream watch knows it is current
 * through the last event's revision, but not whether nothing else happened since. Without
 * that, a consistent read cannot tell "the cache is behind" from "nothing changed under this
 * prefix" and has to ask the backend. A progress mark says it: everything under the watched
 * prefix through `resourceVersion` has been delivered (etcd's watch progress notification,
 * which kube-apiserver's cacher uses the same way).
 */
export interface WatchProgress {
  readonly type: 'PROGRESS';
  readonly resourceVersion: string;
}

/** A watch that interleaves progress marks with its events, in revision order. */
export interface ProgressWatch extends AsyncIterable<StorageEvent | WatchProgress> {
  /** Asks for a progress mark as soon as the backend can give one (a no-op while reconnecting). */
  requestProgress(): void;
}

/** A backend that can report watch progress (EtcdStorage). */
export interface WatchProgressSource {
  /** Like `Storage.watch` from a given version, with progress marks on request. */
  watchWithProgress(prefix: string, fromResourceVersion: string, signal: AbortSignal): ProgressWatch;
}

export function reportsWatchProgress(storage: Storage): storage is Storage & WatchProgressSource {
  return typeof (storage as Partial<WatchProgressSource>).watchWithProgress === 'function';
}

export function isWatchProgress(item: StorageEvent | WatchProgress): item is WatchProgress {
  return item.type === 'PROGRESS';
}
