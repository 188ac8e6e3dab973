import type { KubeObject } from '../../../api/types.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { pageSize } from '../list-limit.js';
import { futureResourceVersion, parseResourceVersion, parseWatchStart } from '../resource-version.js';
import {
  type GetOptions,
  type ListOptions,
  type ListResult,
  type Storage,
  StorageError,
  type StorageEvent,
} from '../../../api/storage.js';
import { failedWatch } from '../watcher.js';
import type { EncodedListing, EncodedListResult } from '../encoded-list.js';
import { genericStoreKey, type ObjectKeyFunction } from './keyed-list.js';
import { ResourceCache, type ResourceCacheOptions } from './resource-cache.js';
import {
  DEFAULT_PREFIX_DEPTH,
  listedPrefixes,
  prefixAtDepth,
  type ResourcePrefixResolver,
} from './resource-prefix.js';

/** Events kept per resource for watches that resume from a recent version. */
export const DEFAULT_EVENT_WINDOW = 1_000;
/** Bytes of events kept per resource, whatever the count allows (large objects fill it sooner). */
export const DEFAULT_EVENT_WINDOW_BYTES = 16 * 1024 * 1024;
/** How far past a full replay of the window a watcher may fall behind before it is ended. */
const DEFAULT_LIVE_QUEUE = 1_000;
/** The same in bytes. */
const DEFAULT_LIVE_QUEUE_BYTES = 16 * 1024 * 1024;
/** How long a consistent read waits for the cache, as kube-apiserver's cacher does. */
export const DEFAULT_FRESHNESS_TIMEOUT_MS = 3_000;

export interface CachedStorageOptions {
  /**
   * The resource prefixes to cache, whose caches start at once. Unset: a resource prefix is the
   * first `prefixDepth` segments of a key, cached from its first use.
   */
  readonly prefixes?: readonly string[];
  /** @default 3, for `/registry/<group>/<plural>/` */
  readonly prefixDepth?: number;
  /** How many recent events each resource keeps for watches resuming from a past version. @default 1000 */
  readonly eventWindow?: number;
  /** How many bytes of recent events each resource keeps. @default 16 MiB */
  readonly eventWindowBytes?: number;
  /** How many events one watcher may have queued before it is ended. @default eventWindow + 1000 */
  readonly watcherQueueLimit?: number;
  /** How many bytes of events one watcher may have queued before it is ended. @default eventWindowBytes + 16 MiB */
  readonly watcherQueueBytes?: number;
  /** How long a consistent read waits for the cache to catch up before asking the backend. @default 3000 */
  readonly freshnessTimeoutMs?: number;
  /**
   * Where a listed object is stored, for backends that do not list with keys (all but etcd).
   * @default the generic store's layout, `<resource prefix>[<namespace>/]<name>`
   */
  readonly keyOf?: ObjectKeyFunction;
  readonly logger?: Logger;
}

/**
 * The watch cache: a Storage in front of another that serves reads and watches from memory, in
 * the spirit of kube-apiserver's cacher. Each resource prefix gets one ResourceCache with one
 * upstream watch, however many clients watch or list it, whole or by namespace.
 *
 * - Writes go straight to the backend; the cache learns of them from its watch.
 * - `get` and `list` are consistent reads: they reflect every write acknowledged before the call
 *   (on any replica, with etcd), by waiting until the cache has caught up with the backend (see
 *   ResourceCache.whenFresh), or asking the backend if it has not within the freshness timeout.
 *   While a cache is still filling (its first list after a start, or a relist) the backend
 *   answers at once, as kube-apiserver's cacher delegates reads until it is ready: a restart
 *   with many objects stored does not hold its first reads back.
 * - A list continuation at a past version is served from the cache when nothing under the
 *   resource changed since, and by the backend (a read at that revision) otherwise.
 * - A watch is served from the cache when its window reaches back to the starting version;
 *   one from further back is the backend's watch, which has the longer history or answers
 *   Expired. A watcher that cannot keep up is ended (its client re-watches).
 * - Keys outside any resource prefix, and prefixes spanning several resources, pass through.
 *
 * It owns the backend: closing it closes the backend. A backend that does not report watch
 * progress (the embedded ones) must only be written through this cache, since the cache then
 * knows how fresh it must be from the writes it saw acknowledged.
 */
export class CachedStorage implements Storage, EncodedListing {
  private readonly caches = new Map<string, ResourceCache>();
  private readonly resourcePrefixOf: ResourcePrefixResolver;
  private readonly cacheOptions: ResourceCacheOptions;
  /** The newest revision this cache has seen acknowledged or read: where "from now" starts. */
  private knownRevision = 0;
  private closed = false;

  constructor(
    readonly inner: Storage,
    options: CachedStorageOptions = {},
  ) {
    const eventWindow = options.eventWindow ?? DEFAULT_EVENT_WINDOW;
    const watcherQueueLimit = options.watcherQueueLimit ?? eventWindow + DEFAULT_LIVE_QUEUE;
    const eventWindowBytes = options.eventWindowBytes ?? DEFAULT_EVENT_WINDOW_BYTES;
    const watcherQueueBytes = options.watcherQueueBytes ?? eventWindowBytes + DEFAULT_LIVE_QUEUE_BYTES;
    if (!(eventWindowBytes > 0) || !(watcherQueueBytes >= eventWindowBytes)) {
      throw new RangeError(
        `the watch cache's byte bounds must be positive, the watcher's at least the window's (${eventWindowBytes})`,
      );
    }
    if (!Number.isSafeInteger(eventWindow) || eventWindow < 1) {
      throw new RangeError(`the watch cache's event window must be a positive integer, got ${eventWindow}`);
    }
    // A watcher resuming from the start of the window gets all of it queued at once.
    if (!Number.isSafeInteger(watcherQueueLimit) || watcherQueueLimit < eventWindow) {
      throw new RangeError(
        `the watcher queue limit must be an integer of at least the event window (${eventWindow})`,
      );
    }
    this.cacheOptions = {
      eventWindow,
      eventWindowBytes,
      watcherQueueLimit,
      watcherQueueBytes,
      freshnessTimeoutMs: options.freshnessTimeoutMs ?? DEFAULT_FRESHNESS_TIMEOUT_MS,
      keyOf: options.keyOf ?? genericStoreKey,
      logger: options.logger ?? silentLogger,
    };
    this.resourcePrefixOf = options.prefixes
      ? listedPrefixes(options.prefixes)
      : prefixAtDepth(options.prefixDepth ?? DEFAULT_PREFIX_DEPTH);
    for (const prefix of options.prefixes ?? []) this.cacheFor(prefix);
  }

  /** How many client watches the caches serve (not counting those passed to the backend). */
  get cachedWatchCount(): number {
    let count = 0;
    for (const cache of this.caches.values()) count += cache.watcherCount;
    return count;
  }

  /**
   * Starts the cache of the resource `keyOrPrefix` belongs to, if it has not started, and
   * resolves once it has listed: reads until then are the backend's (see the class comment).
   */
  async warm(keyOrPrefix: string): Promise<void> {
    await this.cacheFor(keyOrPrefix)?.whenReady();
  }

  async get(key: string, options: GetOptions = {}): Promise<KubeObject | undefined> {
    const cache = this.cacheFor(key);
    // resourceVersion=0: whatever the cache holds, without asking the backend how far it is (as kube's cacher).
    if (cache && options.anyVersion && cache.revision !== undefined) return cache.get(key);
    if (cache && (await cache.whenFresh())) return cache.get(key);
    return this.inner.get(key);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const cached = await this.listFromCache(prefix, options, (cache, revision, limit) =>
      revision === undefined
        ? cache.list(prefix, options.startAfter, limit)
        : cache.listAt(prefix, options.startAfter, limit, revision),
    );
    if (cached) return cached;
    const list = await this.inner.list(prefix, options);
    this.observe(list.resourceVersion);
    return list;
  }

  /** The page as the JSON the cache holds, when the cache answers it (see EncodedListing). */
  async listEncoded(prefix: string, options: ListOptions = {}): Promise<EncodedListResult | undefined> {
    return this.listFromCache(prefix, options, (cache, revision, limit) =>
      cache.listEncodedAt(prefix, options.startAfter, limit, revision),
    );
  }

  /**
   * A page from the resource's cache when it can answer: a past revision it still serves, or
   * the present once it is fresh (at once for resourceVersion=0); undefined otherwise.
   */
  private async listFromCache<T extends { readonly resourceVersion: string }>(
    prefix: string,
    options: ListOptions,
    /** Reads the page at `revision`, or at the cache's present when undefined. */
    read: (cache: ResourceCache, revision: number | undefined, limit: number | undefined) => T,
  ): Promise<T | undefined> {
    const cache = this.cacheFor(prefix);
    const limit = pageSize(options.limit);
    const readAt = readRevision(options.resourceVersion);
    if (cache && typeof readAt === 'number' && cache.servesRevision(readAt)) {
      return read(cache, readAt, limit);
    }
    if (
      cache &&
      readAt === 'latest' &&
      ((options.anyVersion && cache.revision !== undefined) || (await cache.whenFresh()))
    ) {
      const list = read(cache, undefined, limit);
      this.observe(list.resourceVersion);
      return list;
    }
    return undefined;
  }

  async create(key: string, object: KubeObject): Promise<KubeObject> {
    return this.written(key, await this.inner.create(key, object));
  }

  async update(key: string, object: KubeObject, expectedResourceVersion: string): Promise<KubeObject> {
    return this.written(key, await this.inner.update(key, object, expectedResourceVersion));
  }

  async delete(key: string, expectedResourceVersion?: string): Promise<KubeObject> {
    return this.written(key, await this.inner.delete(key, expectedResourceVersion));
  }

  watch(
    prefix: string,
    fromResourceVersion: string | undefined,
    signal: AbortSignal,
  ): AsyncIterable<StorageEvent> {
    let requested: number | undefined;
    try {
      requested = parseWatchStart(fromResourceVersion);
      this.assertOpen(prefix);
    } catch (error) {
      return failedWatch(error);
    }
    const cache = this.cacheFor(prefix);
    if (!cache) return this.inner.watch(prefix, fromResourceVersion, signal);
    const fromBackend = (start: number) => () => this.inner.watch(prefix, String(start), signal);
    if (requested === undefined) {
      // "Now" for this process: every write it has seen acknowledged is at or below this, so
      // nothing written after the call is missed, whoever serves the watch.
      const start = Math.max(this.knownRevision, cache.revision ?? 0);
      if (start === 0) return this.inner.watch(prefix, undefined, signal);
      return cache.watch(prefix, start, signal, fromBackend(start));
    }
    if (requested <= Math.max(this.knownRevision, cache.revision ?? 0)) {
      return cache.watch(prefix, requested, signal, fromBackend(requested));
    }
    // A version this process has not seen: make sure the backend issued it before waiting for it.
    return deferredWatch(
      this.inner.currentResourceVersion().then((current) => {
        this.observe(current);
        const currentRevision = parseResourceVersion(current) ?? 0;
        if (requested > currentRevision) throw futureResourceVersion(prefix, requested, currentRevision);
        return cache.watch(prefix, requested, signal, fromBackend(requested));
      }),
    );
  }

  async currentResourceVersion(): Promise<string> {
    const current = await this.inner.currentResourceVersion();
    this.observe(current);
    return current;
  }

  checkHealth(): Promise<void> {
    return this.inner.checkHealth();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const cache of this.caches.values()) cache.close();
    this.caches.clear();
    await this.inner.close();
  }

  /**
   * The cache for the resource a key or prefix belongs to, started on first use; undefined when
   * it belongs to none, or that resource's cache gave up.
   */
  private cacheFor(keyOrPrefix: string): ResourceCache | undefined {
    if (this.closed) return undefined;
    const prefix = this.resourcePrefixOf(keyOrPrefix);
    if (prefix === undefined) return undefined;
    let cache = this.caches.get(prefix);
    if (!cache) {
      cache = new ResourceCache(prefix, this.inner, this.cacheOptions);
      this.caches.set(prefix, cache);
      cache.start();
    }
    return cache.disabled ? undefined : cache;
  }

  /** Notes an acknowledged write, so that reads after it wait for the cache to have it. */
  private written(key: string, object: KubeObject): KubeObject {
    const revision = parseResourceVersion(object.metadata.resourceVersion ?? '');
    if (revision !== undefined) {
      this.observe(object.metadata.resourceVersion ?? '');
      const prefix = this.resourcePrefixOf(key);
      if (prefix !== undefined) this.caches.get(prefix)?.noteWrite(revision);
    }
    return object;
  }

  private observe(resourceVersion: string): void {
    const revision = parseResourceVersion(resourceVersion);
    if (revision !== undefined && revision > this.knownRevision) this.knownRevision = revision;
  }

  private assertOpen(key: string): void {
    if (this.closed) throw new StorageError('Unavailable', key, 'the storage is closed');
  }
}

/** The revision a list asks to be read at, "latest", or undefined for one the backend must judge. */
function readRevision(resourceVersion: string | undefined): number | 'latest' | undefined {
  if (resourceVersion === undefined || resourceVersion === '' || resourceVersion === '0') return 'latest';
  return parseResourceVersion(resourceVersion);
}

/**
 * A watch whose source is known later. A failure is thrown to the consumer's iteration, and
 * never unhandled when nobody iterates.
 */
function deferredWatch(source: Promise<AsyncIterable<StorageEvent>>): AsyncIterable<StorageEvent> {
  source.catch(() => undefined);
  return {
    async *[Symbol.asyncIterator]() {
      yield* await source;
    },
  };
}
