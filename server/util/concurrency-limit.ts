/**
 * At most `limit` tasks at once; the others wait their turn in order. What waits is bounded by
 * whoever calls `run`, so callers must bound themselves (the collector has a fixed number of
 * workers, each with a bounded number of metrics).
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new Error('a concurrency limit must be at least 1');
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next task, so `active` stays within the limit.
      if (next) next();
      else this.active--;
    }
  }
}
