import { setMaxListeners } from 'node:events';
import type { Etcd3, ICompare, IKeyValue, IRangeResponse, ITxnResponse } from 'etcd3';
import type { KubeObject } from '../../../api/types.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { compareKeys } from '../key-order.js';
import { pageSize } from '../list-limit.js';
import {
  formatResourceVersion,
  futureResourceVersion,
  parseResourceVersion,
  parseWatchStart,
} from '../resource-version.js';
import {
  type ListOptions,
  type ListResult,
  type Storage,
  StorageError,
  type StorageEvent,
} from '../../../api/storage.js';
import { failedWatch } from '../watcher.js';
import type { KeyedList, KeyedListSource } from '../cacher/keyed-list.js';
import { isWatchProgress, type ProgressWatch, type WatchProgressSource } from '../cacher/watch-progress.js';
import { EtcdCompactor } from './etcd-compactor.js';
import { connectToEtcd, type EtcdConnectionOptions } from './etcd-connection.js';
import { toStorageError } from './etcd-errors.js';
import { EtcdKeySpace } from './etcd-key-space.js';
import { decodeFromEtcd, encodeForEtcd } from './etcd-object-codec.js';
import { EtcdWatch } from './etcd-watch.js';

/** kube-apiserver's `--etcd-compaction-interval` default. */
export const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60 * 1000;
/** How long one etcd call may take before it fails with Timeout. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
/** The deadline of `checkHealth`: readiness probes must answer well within their own timeout. */
const HEALTH_TIMEOUT_MS = 2_000;

export interface EtcdStorageOptions extends EtcdConnectionOptions {
  /** How often to compact etcd's history (0 disables); see EtcdCompactor. */
  readonly compactionIntervalMs?: number;
  /** The deadline of each etcd call. */
  readonly requestTimeoutMs?: number;
  /**
   * A prefix of this backend's own in front of every key. The generic store already puts its
   * keys under `--etcd-prefix`, so servers leave this unset; it keeps users that share one etcd
   * (test suites) apart.
   */
  readonly keyPrefix?: string;
  readonly logger?: Logger;
}

/** Connects to etcd and resolves once it answers, so a misconfigured server fails at startup. */
export async function openEtcdStorage(options: EtcdStorageOptions): Promise<EtcdStorage> {
  return EtcdStorage.open(options);
}

/**
 * The backend for servers that run more than one replica: objects in etcd, each write a
 * compare-and-swap transaction, and resource versions that are etcd's revisions, so every
 * replica on the same etcd agrees on them and a watch can resume on any replica.
 *
 * - create succeeds only if the key has no version yet; update and delete only if its mod
 *   revision is still the one the caller read. Concurrent writers through any replica can
 *   therefore never both succeed on the same version (no lost update).
 * - A list reads a page at one revision and reports it; continuation pages read at that same
 *   revision, so a paged list is one snapshot even while writes go on. Once etcd has compacted
 *   that revision the continuation fails with Expired (410: the client relists).
 * - A watch is an etcd watch from the revision after the one asked for, with the previous
 *   object for modifications and deletions; see EtcdWatch for resumption and compaction.
 * - Every call has a deadline: while etcd is down or hung, calls fail within it with
 *   Unavailable or Timeout instead of piling up, and recover by themselves when it returns.
 *
 * Two clients are kept, one for requests and one for watch streams, so that a failed request,
 * after which the client library resets its channels, never cuts the streams of every watch.
 */
export class EtcdStorage implements Storage, WatchProgressSource, KeyedListSource {
  private readonly requests: Etcd3;
  private readonly watches: Etcd3;
  private readonly keys: EtcdKeySpace;
  private readonly compactor: EtcdCompactor;
  private readonly closing = new AbortController();
  /** The newest revision any etcd response has shown: where "from now" watches start. */
  private knownRevision = 0;

  private constructor(
    options: EtcdStorageOptions,
    private readonly requestTimeoutMs: number,
    compactionIntervalMs: number,
  ) {
    // Every open watch listens for the storage closing; thousands of them are expected.
    setMaxListeners(0, this.closing.signal);
    this.keys = new EtcdKeySpace(options.keyPrefix ?? '');
    this.requests = connectToEtcd(options);
    this.watches = connectToEtcd(options);
    this.compactor = new EtcdCompactor(
      this.requests,
      compactionIntervalMs,
      requestTimeoutMs,
      options.logger ?? silentLogger,
    );
  }

  static async open(options: EtcdStorageOptions): Promise<EtcdStorage> {
    const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const compactionIntervalMs = options.compactionIntervalMs ?? DEFAULT_COMPACTION_INTERVAL_MS;
    if (!Number.isFinite(requestTimeoutMs) || requestTimeoutMs <= 0) {
      throw new RangeError(`etcd storage: the request timeout must be positive, got ${requestTimeoutMs} ms`);
    }
    if (!Number.isFinite(compactionIntervalMs) || compactionIntervalMs < 0) {
      throw new RangeError(
        `etcd storage: the compaction interval must be 0 or more, got ${compactionIntervalMs} ms`,
      );
    }
    const storage = new EtcdStorage(options, requestTimeoutMs, compactionIntervalMs);
    try {
      await storage.currentResourceVersion();
    } catch (error) {
      await storage.close();
      throw error;
    }
    storage.compactor.start();
    return storage;
  }

  async get(key: string): Promise<KubeObject | undefined> {
    const response = await this.call(key, (deadline) =>
      this.requests.kv.range({ key: this.keys.toEtcd(key) }, deadline),
    );
    const stored = response.kvs[0];
    return stored && decodeFromEtcd(stored.value, Number(stored.mod_revision));
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const limit = pageSize(options.limit);
    const readAt = readRevision(prefix, options.resourceVersion);
    const range = this.keys.prefixRange(prefix);
    const startAfter = options.startAfter;
    const start =
      startAfter !== undefined && compareKeys(startAfter, prefix) >= 0
        ? this.keys.after(startAfter)
        : range.key;
    const response: IRangeResponse = await this.call(prefix, (deadline) =>
      this.requests.kv.range(
        { key: start, range_end: range.range_end, limit: limit ?? 0, revision: readAt ?? 0 },
        deadline,
      ),
    );
    const items = response.kvs.map((kv) => decodeFromEtcd(kv.value, Number(kv.mod_revision)));
    // `count` is every key in the range, not just the page.
    const remaining = Number(response.count) - response.kvs.length;
    const last = response.kvs.at(-1);
    return {
      items,
      // A read at a past revision reports that revision; a read of the present, the present.
      resourceVersion: formatResourceVersion(readAt ?? Number(response.header.revision)),
      ...(last && remaining > 0
        ? { continueKey: this.keys.fromEtcd(last.key), remainingItemCount: remaining }
        : {}),
    };
  }

  async listWithKeys(prefix: string): Promise<KeyedList> {
    const response = await this.call(prefix, (deadline) =>
      this.requests.kv.range(this.keys.prefixRange(prefix), deadline),
    );
    return {
      entries: response.kvs.map((kv) => ({
        key: this.keys.fromEtcd(kv.key),
        object: decodeFromEtcd(kv.value, Number(kv.mod_revision)),
      })),
      resourceVersion: response.header.revision,
    };
  }

  async create(key: string, object: KubeObject): Promise<KubeObject> {
    const etcdKey = this.keys.toEtcd(key);
    const value = encodeForEtcd(object);
    const response = await this.call(key, (deadline) =>
      this.requests.kv.txn(
        {
          compare: [{ key: etcdKey, target: 'Version', result: 'Equal', version: 0 }],
          success: [{ request_put: { key: etcdKey, value } }],
          failure: [],
        },
        deadline,
      ),
    );
    if (!response.succeeded) throw new StorageError('KeyExists', key);
    return decodeFromEtcd(value, Number(response.header.revision));
  }

  async update(key: string, object: KubeObject, expectedResourceVersion: string): Promise<KubeObject> {
    const etcdKey = this.keys.toEtcd(key);
    const value = encodeForEtcd(object);
    const response = await this.call(key, (deadline) =>
      this.requests.kv.txn(
        {
          compare: this.unchangedSince(key, expectedResourceVersion),
          success: [{ request_put: { key: etcdKey, value } }],
          failure: [{ request_range: { key: etcdKey, keys_only: true } }],
        },
        deadline,
      ),
    );
    this.throwIfRejected(key, response);
    return decodeFromEtcd(value, Number(response.header.revision));
  }

  async delete(key: string, expectedResourceVersion?: string): Promise<KubeObject> {
    const etcdKey = this.keys.toEtcd(key);
    const response = await this.call(key, (deadline) =>
      this.requests.kv.txn(
        {
          compare: this.unchangedSince(key, expectedResourceVersion),
          success: [{ request_delete_range: { key: etcdKey, prev_kv: true } }],
          failure: [{ request_range: { key: etcdKey, keys_only: true } }],
        },
        deadline,
      ),
    );
    this.throwIfRejected(key, response);
    const previous: IKeyValue | undefined = response.responses[0]?.response_delete_range?.prev_kvs[0];
    if (!previous) throw new StorageError('NotFound', key);
    // The last state, stamped with the deletion's revision.
    return decodeFromEtcd(previous.value, Number(response.header.revision));
  }

  watch(
    prefix: string,
    fromResourceVersion: string | undefined,
    signal: AbortSignal,
  ): AsyncIterable<StorageEvent> {
    try {
      const watch = this.openWatch(prefix, parseWatchStart(fromResourceVersion), signal);
      return withoutProgress(watch);
    } catch (error) {
      return failedWatch(error);
    }
  }

  watchWithProgress(prefix: string, fromResourceVersion: string, signal: AbortSignal): ProgressWatch {
    return this.openWatch(prefix, parseWatchStart(fromResourceVersion), signal);
  }

  async currentResourceVersion(): Promise<string> {
    return formatResourceVersion(await this.readRevision(this.requestTimeoutMs));
  }

  async checkHealth(): Promise<void> {
    await this.readRevision(Math.min(this.requestTimeoutMs, HEALTH_TIMEOUT_MS));
  }

  /** Compacts etcd's history through `resourceVersion` now (tests; servers rely on the compactor). */
  async compact(resourceVersion: string): Promise<void> {
    const revision = parseResourceVersion(resourceVersion);
    if (revision === undefined) throw new RangeError(`not a resource version: ${resourceVersion}`);
    await this.call('', (deadline) => this.requests.kv.compact({ revision }, deadline));
  }

  /** Runs one compaction round now (tests; see EtcdCompactor). */
  compactionRound(): Promise<number | undefined> {
    return this.compactor.compactOnce();
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    this.compactor.stop();
    this.requests.close();
    this.watches.close();
  }

  private openWatch(prefix: string, requested: number | undefined, signal: AbortSignal): EtcdWatch {
    if (this.closing.signal.aborted) throw new StorageError('Unavailable', prefix, 'the storage is closed');
    // Everything this process has had acknowledged is at or below knownRevision, so starting
    // just after it misses nothing written after the call.
    const startRevision = (requested ?? this.knownRevision) + 1;
    return new EtcdWatch({
      client: this.watches,
      keys: this.keys,
      prefix,
      startRevision,
      fromNow: requested === undefined,
      endSignals: [signal, this.closing.signal],
      onRevision: (revision) => this.observe(revision),
      // etcd would wait for a revision it has not reached; other backends answer Expired.
      beforeStart:
        requested !== undefined && requested > this.knownRevision
          ? async () => {
              const current = await this.readRevision(this.requestTimeoutMs);
              if (requested > current) throw futureResourceVersion(prefix, requested, current);
            }
          : undefined,
    });
  }

  /** The newest revision, from a count-only read of one key: linearizable, and tiny. */
  private async readRevision(timeoutMs: number): Promise<number> {
    const response = await this.call(
      '',
      // Any key will do (the response's header carries the revision); the root may be empty,
      // which etcd does not accept as a key.
      (deadline) => this.requests.kv.range({ key: this.keys.toEtcd('/'), count_only: true }, deadline),
      timeoutMs,
    );
    return Number(response.header.revision);
  }

  /**
   * The compare of a conditional update or delete: the key exists and, if the caller names a
   * version, still has it. "Exists" is checked on its own because a missing key's mod revision
   * is 0, which a caller could name. A malformed version never matches (Conflict, as elsewhere).
   */
  private unchangedSince(key: string, expectedResourceVersion: string | undefined): ICompare[] {
    const etcdKey = this.keys.toEtcd(key);
    const compare: ICompare[] = [{ key: etcdKey, target: 'Version', result: 'Greater', version: 0 }];
    if (expectedResourceVersion !== undefined) {
      const expected = parseResourceVersion(expectedResourceVersion) ?? -1;
      compare.push({ key: etcdKey, target: 'Mod', result: 'Equal', mod_revision: expected });
    }
    return compare;
  }

  /** After a failed compare: NotFound if the key is gone, Conflict if it changed. */
  private throwIfRejected(key: string, response: ITxnResponse): void {
    if (response.succeeded) return;
    const exists = (response.responses[0]?.response_range?.kvs.length ?? 0) > 0;
    if (!exists) throw new StorageError('NotFound', key);
    throw new StorageError(
      'Conflict',
      key,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  }

  /** One etcd call with a deadline, its failures as storage errors, its revision observed. */
  private async call<T extends { header: { revision: string } }>(
    key: string,
    request: (options: { deadline: number }) => Promise<T>,
    timeoutMs = this.requestTimeoutMs,
  ): Promise<T> {
    if (this.closing.signal.aborted) throw new StorageError('Unavailable', key, 'the storage is closed');
    try {
      const response = await request({ deadline: Date.now() + timeoutMs });
      this.observe(Number(response.header.revision));
      return response;
    } catch (error) {
      throw toStorageError(error, key);
    }
  }

  private observe(revision: number): void {
    if (revision > this.knownRevision) this.knownRevision = revision;
  }
}

/** The revision a list reads at: a given version, or undefined for the present. */
function readRevision(prefix: string, resourceVersion: string | undefined): number | undefined {
  if (resourceVersion === undefined || resourceVersion === '' || resourceVersion === '0') return undefined;
  const revision = parseResourceVersion(resourceVersion);
  // Continue tokens carry versions this backend issued; anything else cannot be read at.
  if (revision === undefined)
    throw new StorageError('Expired', prefix, `invalid resource version "${resourceVersion}"`);
  return revision;
}

async function* withoutProgress(watch: ProgressWatch): AsyncGenerator<StorageEvent, void, undefined> {
  for await (const item of watch) if (!isWatchProgress(item)) yield item;
}
