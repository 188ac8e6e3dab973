/**
 * A seeded pseudo-random source (mulberry32), so that a fuzz run is reproduced exactly by its
 * seed: the same seed gives the same requests in the same order (per worker).
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** A key of `weights`, drawn in proportion to its weight. */
  weighted(weights: ReadonlyMap<string, number>): string {
    const total = [...weights.values()].reduce((sum, weight) => sum + weight, 0);
    let point = this.next() * total;
    for (const [key, weight] of weights) {
      point -= weight;
      if (point < 0) return key;
    }
    return [...weights.keys()].pop() ?? '';
  }

  /** A seed for another source, drawn from this one. */
  fork(): Random {
    return new Random(this.int(0, 2 ** 32 - 1));
  }

  /** A string of `length` characters from `alphabet`. */
  chars(alphabet: string, length: number): string {
    const symbols = [...alphabet];
    let out = '';
    for (let i = 0; i < length; i++) out += this.pick(symbols);
    return out;
  }

  /** A key a hostile client would send: prototype names, non-ASCII, control characters, or plain. */
  hostileKey(): string {
    return this.pick([
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'prototype',
      '名',
      '名前',
      'ключ',
      '\u{1f600}',
      'a\u0007b',
      'line\nbreak',
      'quote"and\\back',
      '',
      ' ',
      this.chars('abcdefghijklmnopqrstuvwxyz0123456789-._/', this.int(1, 40)),
      this.chars('\u00e9\u4e2d\u0416\u{1f4a9}\u200b\u202e', this.int(1, 8)),
    ]);
  }

  /** Bytes that are not valid UTF-8 or JSON. */
  garbage(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = this.int(0, 255);
    return bytes;
  }
}
