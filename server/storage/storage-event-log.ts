import type { StorageEvent } from '../../api/storage.js';
import type { KubeObject } from '../../api/types.js';
import { DEFAULT_HISTORY_BYTES, DEFAULT_HISTORY_SIZE, EventHistory } from './event-history.js';
import { encodeObject, type RecordedEvent } from './object-encoding.js';
import { futureResourceVersion, parseWatchStart, tooOldResourceVersion } from './resource-version.js';
import { failedWatch } from './watcher.js';
import { WatchHub } from './watch-hub.js';

/** A change a storage has made durable, as it tells its event log. */
export interface CommittedChange {
  readonly type: StorageEvent['type'];
  readonly key: string;
  /** The revision the change was committed at: one more than the previous change's. */
  readonly revision: number;
  /** The object after the change; for DELETED, its last state. */
  readonly object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  readonly previous?: KubeObject;
}

export interface StorageEventLogOptions {
  /**
   * How many recent changes to keep for watches that resume from a past version; they are also
   * bounded to 64 MiB of objects. @default 10000
   */
  readonly historySize?: number;
  /** How many events one watch may have queued before it is ended. @default 20000 */
  readonly watchQueueLimit?: number;
}

/**
 * The watch half of a Storage, for backends that commit in this process (the built-in memory
 * store, or a storage of your own over a file or a database): record each change after it is
 * durable, in commit order, and serve `Storage.watch` from here. It keeps a bounded history for
 * watches that resume from a past version (older ones fail with Expired, so clients relist),
 * fans changes out to every watch, and ends watches whose consumers fall too far behind.
 */
export class StorageEventLog {
  private readonly history: EventHistory;
  private readonly hub: WatchHub;

  constructor(options: StorageEventLogOptions = {}) {
    this.history = new EventHistory(options.historySize ?? DEFAULT_HISTORY_SIZE, DEFAULT_HISTORY_BYTES);
    this.hub = new WatchHub(options.watchQueueLimit);
  }

  /** How many watches are open. */
  get activeWatchCount(): number {
    return this.hub.size;
  }

  /** Records a committed change and delivers it to the watches under its key. */
  record(change: CommittedChange): void {
    this.recordEncoded({
      type: change.type,
      key: change.key,
      revision: change.revision,
      objectJson: encodeObject(change.object, change.revision),
      ...(change.previous ? { previousJson: JSON.stringify(change.previous) } : {}),
    });
  }

  /** `record` for a backend that already holds the objects as JSON text. */
  recordEncoded(event: RecordedEvent): void {
    this.history.append(event);
    this.hub.publish(event);
  }

  /**
   * `Storage.watch` for a backend whose newest revision is `currentRevision`: the changes under
   * `prefix` after `fromResourceVersion` ("0" or undefined: from now) until `signal` aborts.
   */
  watch(
    prefix: string,
    fromResourceVersion: string | undefined,
    currentRevision: number,
    signal: AbortSignal,
  ): AsyncIterable<StorageEvent> {
    try {
      const requested = parseWatchStart(fromResourceVersion);
      if (requested === undefined) {
        const watcher = this.hub.open(prefix, currentRevision, signal);
        watcher.replayThenGoLive([]);
        return watcher;
      }
      if (requested > currentRevision) throw futureResourceVersion(prefix, requested, currentRevision);
      // Subscribe before reading the history; the watcher stitches the two together.
      const watcher = this.hub.open(prefix, requested, signal);
      if (requested < this.history.compactedRevision) {
        watcher.stop();
        throw tooOldResourceVersion(prefix, requested, this.history.compactedRevision);
      }
      watcher.replayThenGoLive(this.history.eventsAfter(requested, prefix));
      return watcher;
    } catch (error) {
      return failedWatch(error);
    }
  }

  /** Ends every watch (the storage is closing). */
  close(): void {
    this.hub.stopAll();
  }
}
