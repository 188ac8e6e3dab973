import type { RecordedEvent } from './object-encoding.js';

/**
 * How many recent changes the embedded backends keep by default for watches that resume from
 * a past version. A client that missed more writes than that relists instead.
 */
export const DEFAULT_HISTORY_SIZE = 10_000;

/**
 * How many bytes of objects the embedded backend's event log keeps by default, whatever the
 * count allows: 10,000 changes of a large object would otherwise be gigabytes on disk.
 */
export const DEFAULT_HISTORY_BYTES = 64 * 1024 * 1024;

/**
 * The most recent changes, for watches that resume from a past revision: a ring buffer of
 * at most `capacity` events in revision order. Evicting an event compacts the history: a
 * watch from before the newest evicted revision can no longer be served completely.
 */
export class EventHistory {
  private readonly ring: RecordedEvent[] = [];
  /** Index in `ring` of the oldest event, once the ring is full. */
  private oldest = 0;
  private compacted = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`history size must be a positive integer, got ${capacity}`);
    }
  }

  /** The newest revision no longer kept (0 while nothing was evicted). */
  get compactedRevision(): number {
    return this.compacted;
  }

  /** Records a change; revisions must increase. */
  append(event: RecordedEvent): void {
    if (this.ring.length < this.capacity) {
      this.ring.push(event);
      return;
    }
    this.compacted = this.ring[this.oldest].revision;
    this.ring[this.oldest] = event;
    this.oldest = (this.oldest + 1) % this.capacity;
  }

  /**
   * The kept events after `revision` whose keys start with `prefix`, oldest first. Complete
   * only when `revision >= compactedRevision`; the caller checks that.
   */
  eventsAfter(revision: number, prefix: string): RecordedEvent[] {
    const size = this.ring.length;
    const at = (logical: number): RecordedEvent => this.ring[(this.oldest + logical) % size];
    // Binary search for the first event newer than `revision`.
    let low = 0;
    let high = size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (at(middle).revision <= revision) low = middle + 1;
      else high = middle;
    }
    const events: RecordedEvent[] = [];
    for (let i = low; i < size; i++) {
      const event = at(i);
      if (event.key.startsWith(prefix)) events.push(event);
    }
    return events;
  }
}
