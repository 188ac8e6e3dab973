import type { StorageEvent } from '../../api/storage.js';
import { BoundedEventQueue, type QueueBounds } from './event-queue.js';
import { type RecordedEvent, recordedEventBytes, toStorageEvent } from './object-encoding.js';

/**
 * One watch: the events under a key prefix after a starting revision, queued until the
 * consumer pulls them.
 *
 * A watch that resumes from a past revision has two sources, the backend's history and live
 * notifications, and must stitch them together without a gap or a duplicate. The backend
 * therefore subscribes the watcher *before* it reads the history: live events that arrive
 * while the history is read are held back, and once the history is queued they are released
 * with everything at or below the last queued revision dropped. Whatever the interleaving,
 * each revision is queued once and in order. (In the embedded backends both steps run in one
 * synchronous turn of the event loop, so nothing can arrive in between today; the hand-over
 * keeps that from being a hidden assumption.)
 *
 * The queue is bounded in events and bytes (see BoundedEventQueue). A consumer that falls that
 * far behind sees the watch end at once, its queued events dropped, as kube-apiserver ends
 * watches it cannot keep up with: the client re-watches from the last version it saw (or
 * relists if that has left the history). Without the bound one stuck connection could exhaust
 * the heap.
 */
export class Watcher implements AsyncIterable<StorageEvent> {
  private readonly queue: BoundedEventQueue<RecordedEvent>;
  /** Live events that arrived before the history was queued; undefined once live. */
  private heldBack: RecordedEvent[] | undefined = [];
  /** The revision of the last queued event: nothing at or below it is queued again. */
  private lastQueuedRevision: number;

  constructor(
    readonly prefix: string,
    fromRevision: number,
    bounds: QueueBounds,
    onRelease: (watcher: Watcher) => void,
  ) {
    this.lastQueuedRevision = fromRevision;
    // The hub forgets the watcher when its queue closes (stopped, overflowed or consumed).
    this.queue = new BoundedEventQueue(bounds, recordedEventBytes, () => onRelease(this));
  }

  /** A committed change, in commit order. Called by the hub for every watcher. */
  notify(event: RecordedEvent): void {
    // Held back events are bounded by what can commit during the (synchronous) history read.
    if (this.heldBack) this.heldBack.push(event);
    else this.enqueue(event);
  }

  /**
   * Queues the history (the events after the starting revision, in revision order) and then
   * switches to live events, releasing the held-back ones that the history did not cover.
   */
  replayThenGoLive(history: Iterable<RecordedEvent>): void {
    for (const event of history) this.enqueue(event);
    const heldBack = this.heldBack ?? [];
    this.heldBack = undefined;
    for (const event of heldBack) this.enqueue(event);
  }

  /** Ends the watch now, dropping queued events (abort, storage closed, setup failed). */
  stop(): void {
    this.heldBack = undefined;
    this.queue.close();
  }

  /** Decodes each event as it is pulled; the queue itself holds the shared recorded events. */
  [Symbol.asyncIterator](): AsyncGenerator<StorageEvent, void, undefined> {
    return this.queue.consume(toStorageEvent);
  }

  private enqueue(event: RecordedEvent): void {
    if (event.revision <= this.lastQueuedRevision || !event.key.startsWith(this.prefix)) return;
    // Not queued when the watch has ended or overflowed; an overflowing queue closes itself.
    if (this.queue.push(event)) this.lastQueuedRevision = event.revision;
  }
}

/**
 * A watch that fails when iterated. Watch errors (Expired, a malformed version) are thrown by
 * the iterator rather than by `watch()` itself, the only way a backend that learns of them
 * asynchronously (etcd) can report them, so callers handle both the same way.
 */
export function failedWatch(error: unknown): AsyncIterable<StorageEvent> {
  return {
    [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
  };
}
