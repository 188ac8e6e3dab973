import { compareKeys, prefixRangeEnd } from './key-order.js';

/**
 * The keys of an in-memory backend in storage order (see key-order.ts), so that a prefix list
 * is a binary search plus a slice rather than a scan and sort of every key.
 */
export class SortedKeys {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** Adds `key`, which must not be present. */
  insert(key: string): void {
    this.keys.splice(this.lowerBound(key), 0, key);
  }

  /** Removes `key` if present. */
  remove(key: string): void {
    const index = this.lowerBound(key);
    if (this.keys[index] === key) this.keys.splice(index, 1);
  }

  /**
   * The keys under `prefix`, after `startAfter` if given, in order: at most `limit` of them
   * (all when undefined), and how many more follow.
   */
  range(
    prefix: string,
    startAfter: string | undefined,
    limit: number | undefined,
  ): { keys: string[]; remaining: number } {
    const end = this.endOf(prefix);
    const start =
      startAfter !== undefined && compareKeys(startAfter, prefix) >= 0
        ? this.upperBound(startAfter)
        : this.lowerBound(prefix);
    if (start >= end) return { keys: [], remaining: 0 };
    const stop = limit === undefined ? end : Math.min(end, start + limit);
    return { keys: this.keys.slice(start, stop), remaining: end - stop };
  }

  /** Index one past the last key under `prefix`. */
  private endOf(prefix: string): number {
    const rangeEnd = prefixRangeEnd(prefix);
    return rangeEnd === undefined ? this.keys.length : this.lowerBound(rangeEnd);
  }

  /** Index of the first key >= `key`. */
  private lowerBound(key: string): number {
    return this.search((candidate) => compareKeys(candidate, key) < 0);
  }

  /** Index of the first key > `key`. */
  private upperBound(key: string): number {
    return this.search((candidate) => compareKeys(candidate, key) <= 0);
  }

  /** Index of the first key for which `isBefore` is false; `isBefore` must be monotonic. */
  private search(isBefore: (candidate: string) => boolean): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (isBefore(this.keys[middle])) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
