import { compareKeys, prefixRangeEnd } from './key-order.js';

/** Keys per chunk past which a chunk is split in two. */
const DEFAULT_CHUNK_LIMIT = 2048;

/**
 * The keys of an in-memory backend or cache in storage order (see key-order.ts), so that a
 * prefix list is a binary search plus a slice rather than a scan and sort of every key.
 *
 * The keys are kept in sorted chunks of at most `chunkLimit`, not in one array: inserting or
 * removing a key moves the keys of its chunk only, not every key after it, so a write costs
 * the same with a hundred thousand objects stored as with a thousand.
 */
export class SortedKeys {
  /** The keys in order, split into chunks that are never empty. */
  private chunks: string[][] = [];
  private count = 0;

  constructor(private readonly chunkLimit = DEFAULT_CHUNK_LIMIT) {}

  get size(): number {
    return this.count;
  }

  /** Adds `key`, which must not be present. */
  insert(key: string): void {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.count = 1;
      return;
    }
    const c = this.chunkOf(key, false);
    const chunk = this.chunks[c];
    chunk.splice(
      firstIndex(chunk, (candidate) => compareKeys(candidate, key) < 0),
      0,
      key,
    );
    this.count += 1;
    if (chunk.length > this.chunkLimit) {
      const half = chunk.length >>> 1;
      this.chunks.splice(c, 1, chunk.slice(0, half), chunk.slice(half));
    }
  }

  /** Removes `key` if present. */
  remove(key: string): void {
    if (this.chunks.length === 0) return;
    const c = this.chunkOf(key, false);
    const chunk = this.chunks[c];
    const index = firstIndex(chunk, (candidate) => compareKeys(candidate, key) < 0);
    if (chunk[index] !== key) return;
    chunk.splice(index, 1);
    this.count -= 1;
    if (chunk.length === 0) this.chunks.splice(c, 1);
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
    const rangeEnd = prefixRangeEnd(prefix);
    const end = rangeEnd === undefined ? this.count : this.position(rangeEnd, false);
    const start =
      startAfter !== undefined && compareKeys(startAfter, prefix) >= 0
        ? this.position(startAfter, true)
        : this.position(prefix, false);
    if (start >= end) return { keys: [], remaining: 0 };
    const stop = limit === undefined ? end : Math.min(end, start + limit);
    return { keys: this.slice(start, stop), remaining: end - stop };
  }

  /** The index of the first key after `key` (`after`) or at or after it, in the whole order. */
  private position(key: string, after: boolean): number {
    if (this.chunks.length === 0) return 0;
    const isBefore = (candidate: string): boolean =>
      after ? compareKeys(candidate, key) <= 0 : compareKeys(candidate, key) < 0;
    const c = this.chunkOf(key, after);
    let offset = 0;
    for (let i = 0; i < c; i++) offset += this.chunks[i].length;
    return offset + firstIndex(this.chunks[c], isBefore);
  }

  /**
   * The chunk where `key` belongs: the first whose last key is not before it (with `after`, is
   * after it), or the last chunk.
   */
  private chunkOf(key: string, after: boolean): number {
    const c = firstIndex(this.chunks, (chunk) => {
      const order = compareKeys(chunk[chunk.length - 1], key);
      return after ? order <= 0 : order < 0;
    });
    return Math.min(c, this.chunks.length - 1);
  }

  /** The keys from index `start` up to `stop`, in the whole order. */
  private slice(start: number, stop: number): string[] {
    const keys: string[] = [];
    let offset = 0;
    for (const chunk of this.chunks) {
      const from = Math.max(start - offset, 0);
      const to = Math.min(stop - offset, chunk.length);
      if (from < to) keys.push(...(from === 0 && to === chunk.length ? chunk : chunk.slice(from, to)));
      offset += chunk.length;
      if (offset >= stop) break;
    }
    return keys;
  }
}

/** The index of the first item for which `isBefore` is false; `isBefore` must be monotonic. */
function firstIndex<T>(items: readonly T[], isBefore: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (isBefore(items[middle])) low = middle + 1;
    else high = middle;
  }
  return low;
}
