import type { KubeObject } from './types.js';

/**
 * The storage contract every backend implements (embedded, in-memory, etcd, or a user's own),
 * modelled on k8s.io/apiserver's storage.Interface. Keys are opaque strings such as
 * `/metrics.example.com/metricsnapshots/<namespace>/<name>`; a key prefix selects a
 * collection. Objects are stored in the storage version, with `metadata.resourceVersion`
 * set by the backend.
 *
 * Resource versions are decimal strings of a monotonic counter shared by all keys of one
 * backend (for etcd, its revision), so a watch can resume from any version it has seen.
 *
 * Failures are thrown as `ApiError`s (see ../api/errors.ts) or as `StorageError`s, which the
 * generic store maps to Status errors with the right resource and name.
 */
export interface Storage {
  /** The object at `key`, or undefined. */
  get(key: string, options?: GetOptions): Promise<KubeObject | undefined>;

  /**
   * Objects under `prefix` in key order. With `limit`, at most that many, and a `continueKey`
   * (the last key returned) to pass as `startAfter` for the next page, read at the same
   * `resourceVersion` when the backend supports that (etcd does; others answer from now).
   */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;

  /** Stores a new object; throws StorageError('KeyExists') if the key is taken. */
  create(key: string, object: KubeObject): Promise<KubeObject>;

  /**
   * Replaces the object at `key` if its current resourceVersion is `expectedResourceVersion`
   * (compare-and-swap). Throws StorageError('NotFound') or StorageError('Conflict').
   */
  update(key: string, object: KubeObject, expectedResourceVersion: string): Promise<KubeObject>;

  /**
   * Deletes the object at `key`, if given only when its resourceVersion matches. Returns the
   * deleted object, whose resourceVersion is the version of the deletion.
   */
  delete(key: string, expectedResourceVersion?: string): Promise<KubeObject>;

  /**
   * Changes under `prefix` strictly after `fromResourceVersion` ("0" or undefined: from now),
   * delivered in resource-version order, until `signal` aborts. Throws
   * StorageError('Expired') if that version is older than the history the backend keeps.
   */
  watch(
    prefix: string,
    fromResourceVersion: string | undefined,
    signal: AbortSignal,
  ): AsyncIterable<StorageEvent>;

  /** The newest resource version the backend has issued. */
  currentResourceVersion(): Promise<string>;

  /** Resolves when the backend answers; rejects otherwise. Used by /readyz. */
  checkHealth(): Promise<void>;

  close(): Promise<void>;
}

export interface GetOptions {
  /**
   * Any recent state will do (a request's `resourceVersion=0`): a cache in front of the backend
   * may answer from memory without first making sure it has caught up. Backends without such a
   * cache ignore it and answer from now.
   * @default false
   */
  readonly anyVersion?: boolean;
}

export interface ListOptions {
  /** Maximum number of items (0 or undefined: all). */
  readonly limit?: number;
  /** Return keys strictly after this one (the previous page's continueKey). */
  readonly startAfter?: string;
  /** Read at this resource version (for a consistent continuation); undefined means latest. */
  readonly resourceVersion?: string;
  /**
   * With no `resourceVersion`: any recent state will do (a list's `resourceVersion=0`), as in
   * GetOptions.
   * @default false
   */
  readonly anyVersion?: boolean;
}

export interface ListResult {
  readonly items: KubeObject[];
  /** The resource version the list was read at. */
  readonly resourceVersion: string;
  /** Set when more items follow: pass as `startAfter`. */
  readonly continueKey?: string;
  /** How many items follow, when the backend knows. */
  readonly remainingItemCount?: number;
}

export interface StorageEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly key: string;
  /** The object after the change (for DELETED: the last state, with the deletion's resourceVersion). */
  readonly object: KubeObject;
  /** The object before the change, when the backend has it (not for ADDED). */
  readonly previous?: KubeObject;
  readonly resourceVersion: string;
}

export type StorageErrorCode = 'NotFound' | 'KeyExists' | 'Conflict' | 'Expired' | 'Unavailable' | 'Timeout';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    readonly key: string,
    message?: string,
  ) {
    super(message ?? `${code}: ${key}`);
    this.name = 'StorageError';
  }
}

export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  return error instanceof StorageError && (code === undefined || error.code === code);
}
