import { setTimeout as sleep } from 'node:timers/promises';
import type { Etcd3, IDuplexStream, IEvent, IKeyValue, IWatchRequest, IWatchResponse } from 'etcd3';
import type { KubeObject } from '../../../api/types.js';
import { formatResourceVersion, tooOldResourceVersion } from '../resource-version.js';
import { isStorageError, StorageError, type StorageEvent } from '../../../api/storage.js';
import type { ProgressWatch, WatchProgress } from '../cacher/watch-progress.js';
import { decodeFromEtcd } from './etcd-object-codec.js';
import type { EtcdKeySpace } from './etcd-key-space.js';

/** Reconnection backoff after the watch stream broke: doubles from the first to the last. */
const FIRST_RETRY_DELAY_MS = 100;
const LAST_RETRY_DELAY_MS = 2_000;

export interface EtcdWatchOptions {
  /** The client whose channels carry watch streams (kept apart from request channels). */
  readonly client: Etcd3;
  readonly keys: EtcdKeySpace;
  readonly prefix: string;
  /** The first revision to deliver. */
  readonly startRevision: number;
  /**
   * Whether the watch was asked for "from now" (`startRevision` is one past the newest revision
   * this process had seen). Such a watch may start later than asked when that revision has
   * been compacted, since compaction only removes revisions older than the compaction interval.
   */
  readonly fromNow: boolean;
  /** Each ends the watch: the caller's signal, the storage closing. */
  readonly endSignals: readonly AbortSignal[];
  /** Called with every revision etcd reports, so the storage knows how far etcd has got. */
  readonly onRevision: (revision: number) => void;
  /** Runs before the stream is opened; may throw (an impossible start version, say). */
  readonly beforeStart?: () => Promise<void>;
}

/** The duplex stream of one Watch RPC: grpc-js gives a Node duplex stream. */
interface WatchStream extends IDuplexStream<IWatchRequest, IWatchResponse> {
  readonly writable: boolean;
  iterator(options: { destroyOnReturn: boolean }): AsyncIterableIterator<IWatchResponse>;
}

/**
 * One storage watch on one etcd Watch stream (HTTP/2 multiplexes the streams over the
 * connection, and one stream per watch keeps a failure of one from touching the others).
 *
 * Changes are delivered in revision order from `startRevision`, with the previous object of
 * modifications and deletions (etcd's prev_kv). Pulling is backpressure: the stream is read only
 * as fast as the consumer takes events, so a slow consumer makes etcd hold its events (etcd
 * moves slow watchers aside and catches them up from its history) rather than this process
 * buffering them without bound.
 *
 * When the stream breaks (etcd restarted, connection lost, etcd shutting the stream), the watch
 * reopens it from the revision after the last one it delivered, with backoff, for as long as it
 * runs: consumers see a pause, never a gap or a duplicate. If etcd has compacted that revision in
 * the meantime the events in between are gone, and the watch ends with StorageError('Expired')
 * so the consumer relists. Nothing is thrown anywhere but into the consumer's iteration.
 */
export class EtcdWatch implements ProgressWatch {
  private stream: WatchStream | undefined;
  /** Whether etcd has confirmed the current stream's watch, so progress may be asked on it. */
  private created = false;
  private iterated = false;

  constructor(private readonly options: EtcdWatchOptions) {}

  requestProgress(): void {
    if (!this.created || !this.stream?.writable) return;
    this.stream.write({ progress_request: {} });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<StorageEvent | WatchProgress, void, undefined> {
    if (this.iterated) throw new Error('a storage watch can be iterated only once');
    this.iterated = true;
    // Listeners live only while iterating, so a watch that is dropped unread leaks nothing.
    const ended = new AbortController();
    const end = (): void => {
      ended.abort();
      this.closeStream();
    };
    const { endSignals } = this.options;
    for (const signal of endSignals) signal.addEventListener('abort', end);
    try {
      if (endSignals.some((signal) => signal.aborted)) return;
      await this.options.beforeStart?.();
      yield* this.deliver(ended.signal);
    } finally {
      for (const signal of endSignals) signal.removeEventListener('abort', end);
      this.closeStream();
    }
  }

  /** Opens streams until the watch ends, resuming after the last delivered revision. */
  private async *deliver(signal: AbortSignal): AsyncGenerator<StorageEvent | WatchProgress, void, undefined> {
    const { prefix } = this.options;
    let nextRevision = this.options.startRevision;
    let everCreated = false;
    let failures = 0;
    while (!signal.aborted) {
      let resumeAt: number | undefined;
      try {
        const stream = (await this.options.client.watchClient.watch()) as WatchStream;
        if (signal.aborted) {
          closeWatchStream(stream);
          return;
        }
        this.stream = stream;
        this.created = false;
        stream.write({
          create_request: {
            ...this.options.keys.prefixRange(prefix),
            start_revision: nextRevision,
            prev_kv: true,
          },
        });
        for await (const response of stream.iterator({ destroyOnReturn: false })) {
          this.options.onRevision(Number(response.header.revision));
          if (response.canceled) {
            const compacted = Number(response.compact_revision);
            if (compacted > 0 && this.options.fromNow && !everCreated) {
              // "From now" started before the compacted revision; nothing since the call is lost.
              resumeAt = compacted;
              break;
            }
            if (compacted > 0) throw tooOldResourceVersion(prefix, nextRevision - 1, compacted);
            throw new Error(`etcd canceled the watch: ${response.cancel_reason || 'no reason given'}`);
          }
          if (response.created) {
            this.created = true;
            everCreated = true;
            failures = 0;
            continue;
          }
          if (response.events.length === 0) {
            // A progress notification: every event through this revision has been sent.
            const revision = Number(response.header.revision);
            if (revision >= nextRevision) {
              nextRevision = revision + 1;
              yield { type: 'PROGRESS', resourceVersion: formatResourceVersion(revision) };
            }
            continue;
          }
          // One revision's events (a multi-key transaction) arrive together in one response.
          const resumedAt = nextRevision;
          for (const event of response.events) {
            const revision = Number(event.kv.mod_revision);
            if (revision < resumedAt) continue;
            yield this.toStorageEvent(event, revision);
            nextRevision = revision + 1;
          }
        }
        // etcd ended the stream (it does when shutting down): resume like after a break.
        if (resumeAt === undefined) failures += 1;
      } catch (error) {
        if (signal.aborted) return;
        if (isStorageError(error, 'Expired')) throw error;
        // The stream broke; the events from nextRevision on are still in etcd's history.
        failures += 1;
      } finally {
        this.closeStream();
      }
      if (resumeAt !== undefined) nextRevision = resumeAt;
      else await pause(retryDelay(failures), signal);
    }
  }

  private toStorageEvent(event: IEvent, revision: number): StorageEvent {
    const key = this.options.keys.fromEtcd(event.kv.key);
    if (event.type === 'Delete') {
      // etcd leaves prev_kv out when the previous version was compacted before it could be read.
      if (!event.prev_kv) {
        throw new StorageError(
          'Expired',
          this.options.prefix,
          `etcd no longer has the object deleted at ${key}; relist`,
        );
      }
      return new EtcdWatchEvent('DELETED', key, revision, event.prev_kv.value, event.prev_kv);
    }
    const type = event.kv.create_revision === event.kv.mod_revision ? 'ADDED' : 'MODIFIED';
    return new EtcdWatchEvent(
      type,
      key,
      revision,
      event.kv.value,
      type === 'MODIFIED' ? event.prev_kv : undefined,
    );
  }

  private closeStream(): void {
    const stream = this.stream;
    this.stream = undefined;
    this.created = false;
    if (stream) closeWatchStream(stream);
  }
}

/**
 * Ends a watch stream from this side. Ending the request side first matters: the client
 * library treats an error on a still-writable watch stream as a failed connection and tears
 * down the channel every other watch shares.
 */
function closeWatchStream(stream: WatchStream): void {
  try {
    stream.end();
    stream.cancel();
  } catch {
    // Already closed.
  }
}

function retryDelay(failures: number): number {
  const delay = Math.min(LAST_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** (failures - 1));
  // Jitter spreads the reconnects of many watches after one outage.
  return delay / 2 + Math.random() * (delay / 2);
}

/** Waits, or returns early when the watch ends. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // Aborted: the loop sees it.
  }
}

/**
 * A change etcd reported, its objects decoded from the values when first read: the watch cache
 * reads the new object once and never the previous one (it keeps its own copy), so decoding
 * both for every change would be wasted.
 */
class EtcdWatchEvent implements StorageEvent {
  readonly resourceVersion: string;
  private decoded: KubeObject | undefined;
  private decodedPrevious: KubeObject | undefined;

  constructor(
    readonly type: StorageEvent['type'],
    readonly key: string,
    private readonly revision: number,
    private readonly value: Buffer,
    private readonly previousKv: IKeyValue | undefined,
  ) {
    this.resourceVersion = formatResourceVersion(revision);
  }

  /** For DELETED, the last state stamped with the deletion's revision, as kube reports it. */
  get object(): KubeObject {
    return (this.decoded ??= decodeFromEtcd(this.value, this.revision));
  }

  get previous(): KubeObject | undefined {
    const previous = this.previousKv;
    return (
      previous && (this.decodedPrevious ??= decodeFromEtcd(previous.value, Number(previous.mod_revision)))
    );
  }
}
