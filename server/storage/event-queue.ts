/**
 * Consumed slots are trimmed from the front of the queue in one slice once there are at least
 * this many of them (and they are at least half the array): shifting one at a time is linear
 * per event, and trimming a handful at a time would copy the live part over and over.
 */
const TRIM_CONSUMED_AT = 1024;

/** How many items, and how many bytes of them, a queue may hold. */
export interface QueueBounds {
  /** Items waiting for the consumer. */
  readonly items: number;
  /** Bytes of the items waiting (see `sizeOf`); a single item larger than this is still queued. */
  readonly bytes: number;
}

/**
 * The queue between a storage watch's producer (a backend's or a cache's fan-out of changes)
 * and its one consumer: items are delivered in the order they were pushed, and the consumer
 * (`consume`) is parked while the queue is empty.
 *
 * The queue is bounded, in items and in bytes. A push past either bound closes it: what is
 * queued is dropped at once (so its memory returns even if the consumer never reads again) and
 * the consumer sees the end, as kube-apiserver closes watchers whose buffer is full. The client
 * re-watches from the last version it saw and misses nothing. Without the bound one stuck
 * connection could hold every event from then on. A producer can also end the queue on purpose
 * (`drain`): the consumer gets what is queued and then the end, or a failure if one is given.
 *
 * `onRelease` tells the producer to forget the queue. It runs once, when the queue is closed;
 * a producer that has nothing more to push once the queue drains can release it earlier.
 */
export class BoundedEventQueue<T> {
  /** Queued items are `items[head..]`; the consumed front is trimmed lazily. */
  private items: T[] = [];
  private head = 0;
  /** Bytes of the queued items. */
  private bytes = 0;
  /** 'open' accepts items; 'draining' delivers what is queued, then ends; 'ended' is done. */
  private state: 'open' | 'draining' | 'ended' = 'open';
  /** Thrown to the consumer once a draining queue is empty, if it was drained with one. */
  private failure: unknown;
  /** The parked consumer's wake-up; there is at most one consumer, so one slot. */
  private wakeConsumer: (() => void) | undefined;
  private consumed = false;
  private released = false;

  private wakeScheduled = false;

  /**
   * @param wakeAfterIo wake a parked consumer for a pushed item on the next turn of the event
   *   loop instead of at once: a fan-out to many watches then runs after the pending I/O (the
   *   answer to the write that caused the event) rather than ahead of it. @default false
   */
  constructor(
    private readonly bounds: QueueBounds,
    private readonly sizeOf: (item: T) => number,
    private readonly onRelease: () => void,
    private readonly wakeAfterIo = false,
  ) {}

  /** Whether `push` can still queue items (false once draining or closed). */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * Queues `item` for the consumer. Returns false if it was not queued: the queue is no longer
   * open, or the item would take it past a bound, in which case the queue is closed now.
   */
  push(item: T): boolean {
    if (this.state !== 'open') return false;
    const size = this.sizeOf(item);
    const waiting = this.items.length - this.head;
    if (waiting >= this.bounds.items || (waiting > 0 && this.bytes + size > this.bounds.bytes)) {
      this.close();
      return false;
    }
    this.items.push(item);
    this.bytes += size;
    if (!this.wakeAfterIo) this.wake();
    else if (this.wakeConsumer && !this.wakeScheduled) {
      this.wakeScheduled = true;
      wakeLater(() => {
        this.wakeScheduled = false;
        this.wake();
      });
    }
    return true;
  }

  /**
   * Stops accepting items: the consumer gets what is queued, then the end, or `failure` if given.
   * Returns false if the queue was already draining or closed (and leaves it as it was).
   */
  drain(failure?: unknown): boolean {
    if (this.state !== 'open') return false;
    this.state = 'draining';
    this.failure = failure;
    this.wake();
    return true;
  }

  /** Ends the queue now, dropping what is queued, and releases it. Safe to call repeatedly. */
  close(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    this.failure = undefined;
    this.state = 'ended';
    this.wake();
    this.release();
  }

  /** Runs `onRelease`, the first time only. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease();
  }

  /**
   * The consumer's side: yields each item through `deliver`, waits while the queue is open and
   * empty, and ends (or throws the failure it was drained with) once it is drained. Mapping here
   * rather than in a wrapping generator keeps each delivery one generator step, so a consumer
   * keeps pace with its producer exactly as a hand-written loop would.
   */
  async *consume<U>(deliver: (item: T) => U): AsyncGenerator<U, void, undefined> {
    // A second consumer would take over the single wake-up slot and strand the first.
    if (this.consumed) throw new Error('a storage watch can be iterated only once');
    this.consumed = true;
    try {
      for (;;) {
        if (this.head < this.items.length) {
          yield deliver(this.takeNext());
        } else if (this.state === 'open') {
          await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
        } else {
          if (this.state === 'draining' && this.failure !== undefined) throw this.failure;
          return;
        }
      }
    } finally {
      // Covers a consumer that breaks out of its loop without the producer ending the queue.
      this.close();
    }
  }

  private takeNext(): T {
    const item = this.items[this.head];
    // The slot lets go of the item at once: a consumed event is not kept until the next trim.
    (this.items as (T | undefined)[])[this.head++] = undefined;
    this.bytes -= this.sizeOf(item);
    if (this.head >= TRIM_CONSUMED_AT && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  private wake(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }
}

/** Wake-ups deferred to the next turn of the event loop, run together from one setImmediate. */
let deferredWakes: (() => void)[] = [];

function wakeLater(wake: () => void): void {
  if (deferredWakes.length === 0) {
    setImmediate(() => {
      const wakes = deferredWakes;
      deferredWakes = [];
      for (const run of wakes) run();
    });
  }
  deferredWakes.push(wake);
}
