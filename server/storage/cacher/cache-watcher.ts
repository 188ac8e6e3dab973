import { type RecordedEvent, toStorageEvent } from '../object-encoding.js';
import type { StorageEvent } from '../storage.js';

/**
 * One client watch served by a resource cache: the cache's events under `prefix` after a
 * starting revision, queued until the consumer pulls them.
 *
 * Events are queued by reference, shared with the cache's window and every other watcher; each
 * consumer decodes its own copy as it pulls, so a watcher costs a slot per queued event, not a
 * copy of it.
 *
 * The queue is bounded: a consumer that falls `queueLimit` events behind stops receiving new ones,
 * gets what was queued, and then sees the watch end, as kube-apiserver's cacher ends watchers it
 * cannot keep up with. The client re-watches from the last version it saw, so it misses nothing;
 * without the bound one stuck connection would hold every event from then on.
 *
 * A watcher can also be ended with an error (Expired, after the cache lost events it had not
 * delivered yet): the consumer gets what was queued before the gap, then the error.
 */
export class CacheWatcher implements AsyncIterable<StorageEvent> {
  /** Queued events are `pending[head..]`; the consumed front is trimmed lazily. */
  private pending: RecordedEvent[] = [];
  private head = 0;
  private lastQueuedRevision: number;
  /** 'open' accepts events; 'draining' delivers what is queued, then ends; 'ended' is done. */
  private state: 'open' | 'draining' | 'ended' = 'open';
  /** Thrown to the consumer once the queue is drained, if the watch ended in error. */
  private failure: unknown;
  private wakeConsumer: (() => void) | undefined;
  private iterated = false;
  private released = false;

  constructor(
    readonly prefix: string,
    fromRevision: number,
    private readonly queueLimit: number,
    private readonly onRelease: (watcher: CacheWatcher) => void,
  ) {
    this.lastQueuedRevision = fromRevision;
  }

  /** The revision of the last event queued (or the start): the watcher has everything up to it. */
  get revision(): number {
    return this.lastQueuedRevision;
  }

  /** A change from the cache, in revision order; ignored if it is not after `revision` or not under the prefix. */
  notify(event: RecordedEvent): void {
    if (this.state !== 'open' || event.revision <= this.lastQueuedRevision) return;
    if (!event.key.startsWith(this.prefix)) return;
    if (this.pending.length - this.head >= this.queueLimit) {
      this.endAfterQueued();
      return;
    }
    this.pending.push(event);
    this.lastQueuedRevision = event.revision;
    this.wake();
  }

  /** Delivers what is queued, then ends the watch, with `error` if given. */
  endAfterQueued(error?: unknown): void {
    if (this.state !== 'open') return;
    this.state = 'draining';
    this.failure = error;
    this.wake();
    // Nothing more can arrive: the cache forgets the watcher now, the consumer drains at leisure.
    this.release();
  }

  /** Ends the watch now, dropping queued events (abort, consumer gone, cache closed). */
  stop(): void {
    this.pending = [];
    this.head = 0;
    this.failure = undefined;
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
          if (this.state === 'draining' && this.failure !== undefined) throw this.failure;
          return;
        }
      }
    } finally {
      // Covers a consumer that breaks out of its loop without aborting the signal.
      this.stop();
    }
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
