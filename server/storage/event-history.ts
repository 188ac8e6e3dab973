import { recordedEventBytes, type RecordedEvent } from './object-encoding.js';

/**
 * How many recent changes the embedded backends keep by default for watches that resume from
 * a past version. A client that missed more writes than that relists instead.
 */
export const DEFAULT_HISTORY_SIZE = 10_000;

/**
 * How many bytes of objects the embedded backends' histories keep by default, whatever the
 * count allows: 10,000 changes of a large object would otherwise be gigabytes.
 */
export const DEFAULT_HISTORY_BYTES = 64 * 1024 * 1024;

/** Consumed slots are trimmed from the front once there are this many and they are half the array. */
const TRIM_EVICTED_AT = 1024;

/**
 * The most recent changes, for watches that resume from a past revision: at most `capacity`
 * events, and at most `maxBytes` of them (see recordedEventBytes; the newest event is kept
 * whatever its size), in revision order. Evicting an event compacts the history: a watch from
 * before the newest evicted revision can no longer be served completely.
 */
export class EventHistory {
  /** Kept events are `events[head..]`. */
  private events: RecordedEvent[] = [];
  private head = 0;
  private bytes = 0;
  private compacted = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes: number = Infinity,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`history size must be a positive integer, got ${capacity}`);
    }
    if (!(maxBytes > 0)) throw new RangeError(`history bytes must be positive, got ${maxBytes}`);
  }

  /** The newest revision no longer kept (0 while nothing was evicted). */
  get compactedRevision(): number {
    return this.compacted;
  }

  /** How many events are kept. */
  get size(): number {
    return this.events.length - this.head;
  }

  /** Records a change; revisions must increase. */
  append(event: RecordedEvent): void {
    this.events.push(event);
    this.bytes += recordedEventBytes(event);
    while (this.size > this.capacity || (this.size > 1 && this.bytes > this.maxBytes)) this.evictOldest();
  }

  /**
   * The kept events after `revision` whose keys start with `prefix`, oldest first. Complete
   * only when `revision >= compactedRevision`; the caller checks that.
   */
  eventsAfter(revision: number, prefix: string): RecordedEvent[] {
    // Binary search for the first event newer than `revision`.
    let low = this.head;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.events[middle].revision <= revision) low = middle + 1;
      else high = middle;
    }
    const events: RecordedEvent[] = [];
    for (let i = low; i < this.events.length; i++) {
      const event = this.events[i];
      if (event.key.startsWith(prefix)) events.push(event);
    }
    return events;
  }

  private evictOldest(): void {
    const oldest = this.events[this.head];
    (this.events as (RecordedEvent | undefined)[])[this.head++] = undefined;
    this.bytes -= recordedEventBytes(oldest);
    this.compacted = oldest.revision;
    if (this.head >= TRIM_EVICTED_AT && this.head * 2 >= this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }
}
