import type { StorageEvent } from './storage.js';
import { type RecordedEvent, toStorageEvent } from './object-encoding.js';

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
 * The queue is bounded. A consumer that falls `queueLimit` events behind stops receiving new
 * ones, gets what is queued, and then sees the watch end, as kube-apiserver ends watches it
 * cannot keep up with: the client re-watches from the last version it saw (or relists if that
 * has left the history). Without the bound one stuck connection could exhaust the heap.
 */
export class Watcher implements AsyncIterable<StorageEvent> {
  /** Queued events are `pending[head..]`; the consumed front is trimmed lazily. */
  private pending: RecordedEvent[] = [];
  private head = 0;
  /** Live events that arrived before the history was queued; undefined once live. */
  private heldBack: RecordedEvent[] | undefined = [];
  /** The revision of the last queued event: nothing at or below it is queued again. */
  private lastQueuedRevision: number;
  /** 'open' accepts events; 'draining' delivers what is queued, then ends; 'ended' is done. */
  private state: 'open' | 'draining' | 'ended' = 'open';
  private wakeConsumer: (() => void) | undefined;
  private iterated = false;
  private released = false;

  constructor(
    readonly prefix: string,
    fromRevision: number,
    private readonly queueLimit: number,
    private readonly onRelease: (watcher: Watcher) => void,
  ) {
    this.lastQueuedRevision = fromRevision;
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
    this.pending = [];
    this.head = 0;
    this.heldBack = undefined;
    this.state = 'ended';
    this.wake();
    this.release();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<StorageEvent, void, undefined> {
    if (this.iterated) throw new Error('a storage watch can be iterated only once');
    this.iterated = true;
    try {
      for (;;) {
        const event = this.dequeue();
        if (event) {
          yield toStorageEvent(event);
        } else if (this.state === 'open') {
          await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
        } else {
          return;
        }
      }
    } finally {
      // Covers a consumer that breaks out of its loop without aborting the signal.
      this.stop();
    }
  }

  private enqueue(event: RecordedEvent): void {
    if (this.state !== 'open') return;
    if (event.revision <= this.lastQueuedRevision) return;
    if (!event.key.startsWith(this.prefix)) return;
    if (this.pending.length - this.head >= this.queueLimit) {
      this.state = 'draining';
      this.wake();
      return;
    }
    this.pending.push(event);
    this.lastQueuedRevision = event.revision;
    this.wake();
  }

  private dequeue(): RecordedEvent | undefined {
    if (this.head >= this.pending.length) return undefined;
    const event = this.pending[this.head++];
    // Shifting an array is linear, so consumed slots are dropped in bulk once they dominate.
    if (this.head >= 1024 && this.head * 2 >= this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    return event;
  }

  private wake(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease(this);
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
