import { BoundedEventQueue, type QueueBounds } from '../event-queue.js';
import { type RecordedEvent, recordedEventBytes, toStorageEvent } from '../object-encoding.js';
import type { StorageEvent } from '../../../api/storage.js';

/**
 * One client watch served by a resource cache: the cache's events under `prefix` after a
 * starting revision, queued until the consumer pulls them.
 *
 * Events are queued by reference, shared with the cache's window and every other watcher; each
 * consumer decodes its own copy as it pulls, so a watcher costs a slot per queued event, not a
 * copy of it.
 *
 * The queue is bounded in events and bytes (see BoundedEventQueue): a consumer that falls that far
 * behind sees the watch end at once, its queued events dropped, as kube-apiserver's cacher closes
 * watchers whose buffer is full. The client re-watches from the last version it saw, so it misses
 * nothing; without the bound one stuck connection would hold every event from then on.
 *
 * A watcher can also be ended with an error (Expired, after the cache lost events it had not
 * delivered yet): the consumer gets what was queued before the gap, then the error.
 */
export class CacheWatcher implements AsyncIterable<StorageEvent> {
  private readonly queue: BoundedEventQueue<RecordedEvent>;
  private lastQueuedRevision: number;

  constructor(
    readonly prefix: string,
    fromRevision: number,
    bounds: QueueBounds,
    onRelease: (watcher: CacheWatcher) => void,
  ) {
    this.lastQueuedRevision = fromRevision;
    // Watchers of the cache may be thousands: their consumers run after the write's answer is out.
    this.queue = new BoundedEventQueue(bounds, recordedEventBytes, () => onRelease(this), true);
  }

  /** The revision of the last event queued (or the start): the watcher has everything up to it. */
  get revision(): number {
    return this.lastQueuedRevision;
  }

  /** A change from the cache, in revision order; ignored if it is not after `revision` or not under the prefix. */
  notify(event: RecordedEvent): void {
    if (!this.queue.isOpen || event.revision <= this.lastQueuedRevision) return;
    if (!event.key.startsWith(this.prefix)) return;
    // Refused by an open queue: the consumer fell too far behind and the queue closed itself,
    // which also made the cache forget the watcher.
    if (this.queue.push(event)) this.lastQueuedRevision = event.revision;
  }

  /** Delivers what is queued, then ends the watch, with `error` if given. */
  endAfterQueued(error?: unknown): void {
    // Nothing more can arrive: the cache forgets the watcher now, the consumer drains at leisure.
    if (this.queue.drain(error)) this.queue.release();
  }

  /** Ends the watch now, dropping queued events (abort, consumer gone, cache closed). */
  stop(): void {
    this.queue.close();
  }

  /** Decodes each event as it is pulled; the queue itself holds the shared recorded events. */
  [Symbol.asyncIterator](): AsyncGenerator<StorageEvent, void, undefined> {
    return this.queue.consume(toStorageEvent);
  }
}
