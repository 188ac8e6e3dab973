import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '../../../api/types.js';
import type { Logger } from '../../util/logger.js';
import { EventHistory } from '../event-history.js';
import { compareKeys } from '../key-order.js';
import { decodeObject, type RecordedEvent } from '../object-encoding.js';
import type { EncodedListResult, EncodedObject } from '../encoded-list.js';
import { formatResourceVersion, parseResourceVersion, tooOldResourceVersion } from '../resource-version.js';
import { SortedKeys } from '../sorted-keys.js';
import { isStorageError, type ListResult, type Storage, type StorageEvent } from '../../../api/storage.js';
import { CacheWatcher } from './cache-watcher.js';
import { RevisionBarrier } from './revision-barrier.js';
import { SharedFreshRead } from './shared-fresh-read.js';
import { type KeyedList, listsWithKeys, type ObjectKeyFunction } from './keyed-list.js';
import {
  isWatchProgress,
  type ProgressWatch,
  reportsWatchProgress,
  type WatchProgress,
} from './watch-progress.js';

export interface ResourceCacheOptions {
  /** How many recent events are kept for watches that resume from a past version. */
  readonly eventWindow: number;
  /** How many bytes of recent events are kept (see recordedEventBytes). */
  readonly eventWindowBytes: number;
  /** How many events one watcher may have queued before it is ended; at least `eventWindow`. */
  readonly watcherQueueLimit: number;
  /** How many bytes of events one watcher may have queued; at least `eventWindowBytes`. */
  readonly watcherQueueBytes: number;
  /** How long a consistent read waits for the cache to catch up. */
  readonly freshnessTimeoutMs: number;
  /** Keys of listed objects, for backends that do not list with keys. */
  readonly keyOf: ObjectKeyFunction;
  readonly logger: Logger;
}

/** While consistent reads wait, how often the backend is asked for a progress mark. */
const PROGRESS_REQUEST_INTERVAL_MS = 100;
/** Backoff between attempts to (re)start the upstream watch or list. */
const FIRST_RETRY_DELAY_MS = 100;
const LAST_RETRY_DELAY_MS = 2_000;

/** A watch that arrived while the cache was not ready, decided once it is. */
interface PendingWatch {
  readonly prefix: string;
  readonly start: number;
  readonly signal: AbortSignal;
  readonly delegate: () => AsyncIterable<StorageEvent>;
  readonly settle: (source: AsyncIterable<StorageEvent>) => void;
  readonly onAbort: () => void;
}

const endedWatch: AsyncIterable<StorageEvent> = {
  [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }),
};

/**
 * The cache of one resource prefix, fed by one upstream watch: the present objects (key to JSON
 * text, with an ordered key index for lists), a window of recent events, and the client watchers
 * it fans those events out to.
 *
 * Lifecycle: list the prefix at some revision S (ready, complete through S), then watch from S
 * and apply every event in order. If the upstream watch breaks it is reopened from the last
 * applied revision; if the backend answers Expired (history compacted past it) the cache lists
 * again, and the watchers that are behind the new list, who would otherwise miss the events in
 * between, are ended with Expired so their clients relist.
 *
 * `currentRevision` is how far the cache is known complete: the last applied event, or a later
 * progress mark from the backend saying nothing else happened under the prefix until then.
 */
export class ResourceCache {
  /** The present objects under the prefix, as JSON text (see ../object-encoding.ts), one entry per version. */
  private objects = new Map<string, EncodedObject>();
  private keys = new SortedKeys();
  private history: EventHistory;
  private ready = false;
  /** The revision of the last list: watches from before it cannot be served from the window. */
  private listRevision = 0;
  private currentRevision = 0;
  /** The revision of the newest applied change: the present equals the state at any revision since. */
  private lastChangeRevision = 0;
  /** The newest revision of a write under this prefix acknowledged through the CachedStorage. */
  private acknowledgedWrite = 0;
  /** Watchers by their prefix, so an event is matched once per distinct prefix, not per watcher. */
  private readonly watchers = new Map<string, Set<CacheWatcher>>();
  private readonly pending = new Set<PendingWatch>();
  private readonly barrier = new RevisionBarrier();
  /** Those waiting for the cache to be ready (`whenReady`). */
  private readyWaiters: (() => void)[] = [];
  /** The backend's current revision, one read shared by the consistent reads that arrive together. */
  private readonly backendRevision: SharedFreshRead<string>;
  private upstream: ProgressWatch | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();
  private readonly reportsProgress: boolean;
  private disabledBecause: string | undefined;

  constructor(
    readonly prefix: string,
    private readonly inner: Storage,
    private readonly options: ResourceCacheOptions,
  ) {
    this.history = new EventHistory(options.eventWindow, options.eventWindowBytes);
    this.reportsProgress = reportsWatchProgress(inner);
    this.backendRevision = new SharedFreshRead(() => inner.currentResourceVersion());
  }

  /** Starts listing and watching; failures are retried (and logged) until `close`. */
  start(): void {
    void this.run();
  }

  /**
   * Whether the cache gave up on its prefix (listed objects whose keys it cannot work out): its
   * owner then passes everything under the prefix to the backend.
   */
  get disabled(): boolean {
    return this.disabledBecause !== undefined;
  }

  /** The revision the cache is complete through, or undefined while it is not ready. */
  get revision(): number | undefined {
    return this.ready ? this.currentRevision : undefined;
  }

  get watcherCount(): number {
    let count = 0;
    for (const set of this.watchers.values()) count += set.size;
    return count;
  }

  /** Resolves once the cache has listed and is ready (at once if it is), or is closed. */
  whenReady(): Promise<void> {
    if (this.ready || this.stopping.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Records a write under this prefix that the backend acknowledged at `revision`. */
  noteWrite(revision: number): void {
    if (revision > this.acknowledgedWrite) this.acknowledgedWrite = revision;
  }

  /**
   * Waits until the cache reflects every write acknowledged before the call: true when it does,
   * false if it did not catch up within the freshness timeout (the caller asks the backend),
   * and false at once while the cache is filling, which takes as long as listing everything.
   *
   * With a backend that reports watch progress (etcd) the target is the backend's current
   * revision, which covers writes through any replica; the cache asks for a progress mark so
   * that a quiet prefix confirms it is current. Without one (the embedded backends, which only
   * this process writes) the target is the newest write acknowledged through this cache.
   */
  async whenFresh(): Promise<boolean> {
    if (!this.ready) return false;
    let target = this.acknowledgedWrite;
    if (this.reportsProgress) {
      const current = parseResourceVersion(await this.backendRevision.get()) ?? 0;
      target = Math.max(target, current);
    }
    if (this.ready && this.currentRevision >= target) return true;
    if (this.stopping.signal.aborted) return false;
    const reached = this.barrier.wait(target, this.options.freshnessTimeoutMs);
    this.requestProgressWhileWaiting();
    return reached;
  }

  /** The cached object at `key` (call right after `whenFresh` resolved true). */
  get(key: string): KubeObject | undefined {
    const stored = this.objects.get(key);
    return stored === undefined ? undefined : decodeObject(stored.json);
  }

  /** Objects under `prefix` from the cache, at its current revision. */
  list(prefix: string, startAfter: string | undefined, limit: number | undefined): ListResult {
    return this.listAt(prefix, startAfter, limit, this.currentRevision);
  }

  /** Whether the cache's present is the state at `revision`: nothing under it changed since. */
  servesRevision(revision: number): boolean {
    return this.ready && this.lastChangeRevision <= revision && revision <= this.currentRevision;
  }

  /** Objects under `prefix` at `revision`, which `servesRevision` accepted. */
  listAt(
    prefix: string,
    startAfter: string | undefined,
    limit: number | undefined,
    revision: number,
  ): ListResult {
    return this.page(prefix, startAfter, limit, revision, (stored) => decodeObject(stored.json));
  }

  /** `listAt` (at its current revision when none is given), with the objects as the JSON the cache holds. */
  listEncodedAt(
    prefix: string,
    startAfter: string | undefined,
    limit: number | undefined,
    revision = this.currentRevision,
  ): EncodedListResult {
    return this.page(prefix, startAfter, limit, revision, (stored) => stored);
  }

  private page<T>(
    prefix: string,
    startAfter: string | undefined,
    limit: number | undefined,
    revision: number,
    item: (stored: EncodedObject) => T,
  ): { items: T[]; resourceVersion: string; continueKey?: string; remainingItemCount?: number } {
    const page = this.keys.range(prefix, startAfter, limit);
    const items = page.keys.map((key) => item(this.storedAt(key)));
    const more = page.remaining > 0 && page.keys.length > 0;
    return {
      items,
      resourceVersion: formatResourceVersion(revision),
      ...(more ? { continueKey: page.keys[page.keys.length - 1], remainingItemCount: page.remaining } : {}),
    };
  }

  /**
   * The changes under `prefix` after `start`, from the cache when its window reaches back that
   * far, otherwise from `delegate` (the backend's own watch, which has a longer history or
   * answers Expired). A watch that arrives while the cache is (re)listing is decided once the
   * list is in; nothing after `start` is lost either way.
   */
  watch(
    prefix: string,
    start: number,
    signal: AbortSignal,
    delegate: () => AsyncIterable<StorageEvent>,
  ): AsyncIterable<StorageEvent> {
    if (signal.aborted || this.stopping.signal.aborted) return endedWatch;
    if (this.ready) return this.attachOrDelegate(prefix, start, signal, delegate);
    return this.watchOnceReady(prefix, start, signal, delegate);
  }

  /** Stops the upstream watch and ends every watcher. */
  close(): void {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    this.ready = false;
    this.barrier.releaseAll();
    this.wakeReadyWaiters();
    this.stopProgressRequests();
    for (const set of [...this.watchers.values()]) for (const watcher of [...set]) watcher.stop();
    for (const pending of [...this.pending]) this.settlePending(pending, endedWatch);
  }

  /** The oldest revision a watch may start from and be served from the window. */
  private get servableFrom(): number {
    return Math.max(this.listRevision, this.history.compactedRevision);
  }

  private attachOrDelegate(
    prefix: string,
    start: number,
    signal: AbortSignal,
    delegate: () => AsyncIterable<StorageEvent>,
  ): AsyncIterable<StorageEvent> {
    if (start < this.servableFrom) return delegate();
    const onAbort = (): void => watcher.stop();
    const bounds = { items: this.options.watcherQueueLimit, bytes: this.options.watcherQueueBytes };
    const watcher = new CacheWatcher(prefix, start, bounds, (released) => {
      const set = this.watchers.get(released.prefix);
      set?.delete(released);
      if (set?.size === 0) this.watchers.delete(released.prefix);
      signal.removeEventListener('abort', onAbort);
    });
    let set = this.watchers.get(prefix);
    if (!set) this.watchers.set(prefix, (set = new Set()));
    set.add(watcher);
    signal.addEventListener('abort', onAbort, { once: true });
    // Replay and registration happen in one synchronous step: no event can fall in between.
    if (start < this.currentRevision)
      for (const event of this.history.eventsAfter(start, prefix)) watcher.notify(event);
    return watcher;
  }

  private watchOnceReady(
    prefix: string,
    start: number,
    signal: AbortSignal,
    delegate: () => AsyncIterable<StorageEvent>,
  ): AsyncIterable<StorageEvent> {
    let settle!: (source: AsyncIterable<StorageEvent>) => void;
    const source = new Promise<AsyncIterable<StorageEvent>>((resolve) => (settle = resolve));
    const pending: PendingWatch = {
      prefix,
      start,
      signal,
      delegate,
      settle,
      onAbort: () => this.settlePending(pending, endedWatch),
    };
    this.pending.add(pending);
    signal.addEventListener('abort', pending.onAbort, { once: true });
    return {
      async *[Symbol.asyncIterator]() {
        yield* await source;
      },
    };
  }

  private settlePending(pending: PendingWatch, source: AsyncIterable<StorageEvent>): void {
    if (!this.pending.delete(pending)) return;
    pending.signal.removeEventListener('abort', pending.onAbort);
    pending.settle(source);
  }

  /** The cache's life: list, follow the upstream watch, resume or relist when it fails. */
  private async run(): Promise<void> {
    let mustList = true;
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      const before = this.currentRevision;
      try {
        if (mustList) {
          await this.relist();
          mustList = false;
        }
        await this.follow();
        // The upstream watch ended without an error (the backend dropped a slow consumer):
        // resume from where the cache is.
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        if (error instanceof UncacheablePrefixError) {
          this.disable(error.message);
          return;
        }
        if (isStorageError(error, 'Expired')) {
          // History the cache has not seen is gone: only a fresh list can make it whole.
          mustList = true;
          this.ready = false;
          this.options.logger.info(2, 'watch cache: history expired, relisting', { prefix: this.prefix });
        } else {
          this.options.logger.error('watch cache: upstream failed', {
            prefix: this.prefix,
            error: String(error),
          });
        }
      }
      // Back off further only while nothing gets through.
      failures = this.currentRevision !== before ? 1 : failures + 1;
      await pause(retryDelay(failures), this.stopping.signal);
    }
  }

  private async relist(): Promise<void> {
    const list = await this.listWithKeys();
    if (this.stopping.signal.aborted) return;
    const revision = parseResourceVersion(list.resourceVersion);
    if (revision === undefined)
      throw new Error(`watch cache: the backend listed at "${list.resourceVersion}"`);
    const objects = new Map<string, EncodedObject>();
    const keys = new SortedKeys();
    for (const { key, object } of list.entries) {
      objects.set(key, { json: JSON.stringify(object) });
      keys.insert(key);
    }
    this.objects = objects;
    this.keys = keys;
    this.history = new EventHistory(this.options.eventWindow, this.options.eventWindowBytes);
    this.listRevision = revision;
    this.currentRevision = revision;
    this.lastChangeRevision = revision;
    this.ready = true;
    // Watchers behind the list would miss what happened between them and it.
    for (const set of [...this.watchers.values()]) {
      for (const watcher of [...set]) {
        if (watcher.revision < revision)
          watcher.endAfterQueued(tooOldResourceVersion(watcher.prefix, watcher.revision, revision));
      }
    }
    for (const pending of [...this.pending]) {
      this.settlePending(
        pending,
        this.attachOrDelegate(pending.prefix, pending.start, pending.signal, pending.delegate),
      );
    }
    this.barrier.advance(revision);
    this.wakeReadyWaiters();
  }

  private wakeReadyWaiters(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * The objects under the prefix with their keys. A backend that cannot list with keys gets its
   * keys worked out from the objects (`keyOf`), and each one checked by reading the object back
   * from it: a cache built on wrong keys would answer for keys that hold something else. A
   * mismatch may also be a write racing the check, so a second list settles it.
   */
  private async listWithKeys(): Promise<KeyedList> {
    if (listsWithKeys(this.inner)) return this.inner.listWithKeys(this.prefix);
    for (let attempt = 1; ; attempt++) {
      const list = await this.inner.list(this.prefix);
      const entries = list.items.map((object) => ({ key: this.options.keyOf(this.prefix, object), object }));
      const misplaced = await this.firstMisplaced(entries);
      if (misplaced === undefined) return { entries, resourceVersion: list.resourceVersion };
      if (attempt >= 2) {
        throw new UncacheablePrefixError(
          `watch cache: objects under ${this.prefix} are not stored where the key layout puts them (${misplaced}); not caching them`,
        );
      }
    }
  }

  /** The first derived key that does not hold its object, if any. */
  private async firstMisplaced(entries: KeyedList['entries']): Promise<string | undefined> {
    for (const [i, { key, object }] of entries.entries()) {
      // Lists are in key order, so real keys are under the prefix and ascending.
      if (!key.startsWith(this.prefix) || (i > 0 && compareKeys(entries[i - 1].key, key) >= 0)) return key;
      const stored = await this.inner.get(key);
      const sameObject =
        stored !== undefined &&
        stored.metadata.uid === object.metadata.uid &&
        stored.metadata.name === object.metadata.name;
      if (!sameObject) return key;
    }
    return undefined;
  }

  /** Gives up on the prefix: watchers end (their clients re-watch, from the backend), readers fall back. */
  private disable(reason: string): void {
    this.disabledBecause = reason;
    this.options.logger.error(reason, { prefix: this.prefix });
    for (const set of [...this.watchers.values()]) for (const watcher of [...set]) watcher.endAfterQueued();
    for (const pending of [...this.pending]) this.settlePending(pending, pending.delegate());
    this.close();
  }

  private async follow(): Promise<void> {
    const from = formatResourceVersion(this.currentRevision);
    const signal = this.stopping.signal;
    let upstream: AsyncIterable<StorageEvent | WatchProgress>;
    if (reportsWatchProgress(this.inner)) {
      const watch = this.inner.watchWithProgress(this.prefix, from, signal);
      this.upstream = watch;
      upstream = watch;
    } else {
      upstream = this.inner.watch(this.prefix, from, signal);
    }
    try {
      for await (const item of upstream) {
        if (isWatchProgress(item)) this.advanceTo(parseResourceVersion(item.resourceVersion) ?? 0);
        else this.apply(item);
      }
    } finally {
      this.upstream = undefined;
    }
  }

  /** Applies one upstream change: store, window, watchers, waiting readers. */
  private apply(event: StorageEvent): void {
    const revision = parseResourceVersion(event.resourceVersion);
    if (revision === undefined || revision <= this.currentRevision) return;
    const { key } = event;
    const previous = this.objects.get(key);
    const objectJson = JSON.stringify(event.object);
    const recorded: RecordedEvent = {
      type: event.type,
      key,
      revision,
      objectJson,
      // The cache's own copy is the exact previous state, whatever the backend sends.
      ...(previous !== undefined && event.type !== 'ADDED' ? { previousJson: previous.json } : {}),
    };
    if (event.type === 'DELETED') {
      this.objects.delete(key);
      this.keys.remove(key);
    } else {
      if (previous === undefined) this.keys.insert(key);
      this.objects.set(key, { json: objectJson });
    }
    this.history.append(recorded);
    this.lastChangeRevision = revision;
    for (const [prefix, set] of this.watchers) {
      if (!key.startsWith(prefix)) continue;
      for (const watcher of set) watcher.notify(recorded);
    }
    this.advanceTo(revision);
  }

  private advanceTo(revision: number): void {
    if (revision <= this.currentRevision) return;
    this.currentRevision = revision;
    this.barrier.advance(revision);
  }

  /** While readers wait, asks the backend for a progress mark now and every interval. */
  private requestProgressWhileWaiting(): void {
    if (!this.reportsProgress) return;
    this.upstream?.requestProgress();
    if (this.progressTimer) return;
    this.progressTimer = setInterval(() => {
      if (!this.barrier.waiting) this.stopProgressRequests();
      else this.upstream?.requestProgress();
    }, PROGRESS_REQUEST_INTERVAL_MS);
    this.progressTimer.unref();
  }

  private stopProgressRequests(): void {
    clearInterval(this.progressTimer);
    this.progressTimer = undefined;
  }

  private storedAt(key: string): EncodedObject {
    const stored = this.objects.get(key);
    if (stored === undefined) throw new Error(`watch cache: key index and objects disagree about ${key}`);
    return stored;
  }
}

/** The backend's objects do not follow the key layout the cache assumes. */
class UncacheablePrefixError extends Error {}

function retryDelay(failures: number): number {
  const delay = Math.min(LAST_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** Math.max(0, failures - 1));
  return delay / 2 + Math.random() * (delay / 2);
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // Aborted: the loop sees it.
  }
}
