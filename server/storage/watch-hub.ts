import { DEFAULT_HISTORY_BYTES } from './event-history.js';
import type { RecordedEvent } from './object-encoding.js';
import { Watcher } from './watcher.js';

/**
 * Default bound on the events queued for one watch consumer (see Watcher): room for a replay
 * of the whole default history plus as many live events again. Live events are queued by
 * reference, shared with the history and the other watchers (each consumer decodes its own
 * copy when it pulls), so a full queue costs little beyond the replayed part.
 */
export const DEFAULT_WATCH_QUEUE_LIMIT = 20_000;

/**
 * Default bound on the bytes queued for one watch consumer: a replay of the whole default
 * history (in bytes) plus 16 MiB of live events.
 */
export const DEFAULT_WATCH_QUEUE_BYTES = DEFAULT_HISTORY_BYTES + 16 * 1024 * 1024;

/**
 * The live side of watching: the set of open watchers, and fan-out of each committed change
 * to them. Backends publish after a change is durable and in commit order, so watchers never
 * see a change that could still roll back, nor changes out of order.
 */
export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  constructor(
    private readonly queueLimit: number = DEFAULT_WATCH_QUEUE_LIMIT,
    private readonly queueBytes: number = DEFAULT_WATCH_QUEUE_BYTES,
  ) {
    if (!Number.isSafeInteger(queueLimit) || queueLimit < 1) {
      throw new RangeError(`watch queue limit must be a positive integer, got ${queueLimit}`);
    }
    if (!Number.isSafeInteger(queueBytes) || queueBytes < 1) {
      throw new RangeError(`watch queue bytes must be a positive integer, got ${queueBytes}`);
    }
  }

  /** How many watches are open (for tests and metrics). */
  get size(): number {
    return this.watchers.size;
  }

  /**
   * Registers a watcher for changes under `prefix` after `fromRevision`. It receives live
   * events from this moment, holding them back until the caller has queued the history with
   * `replayThenGoLive`. Aborting `signal` ends it and releases it.
   */
  open(prefix: string, fromRevision: number, signal: AbortSignal): Watcher {
    const onAbort = (): void => watcher.stop();
    const bounds = { items: this.queueLimit, bytes: this.queueBytes };
    const watcher = new Watcher(prefix, fromRevision, bounds, (released) => {
      this.watchers.delete(released);
      signal.removeEventListener('abort', onAbort);
    });
    this.watchers.add(watcher);
    if (signal.aborted) watcher.stop();
    else signal.addEventListener('abort', onAbort, { once: true });
    return watcher;
  }

  publish(event: RecordedEvent): void {
    for (const watcher of this.watchers) watcher.notify(event);
  }

  /** Ends every watch (the backend is closing). */
  stopAll(): void {
    for (const watcher of [...this.watchers]) watcher.stop();
  }
}
