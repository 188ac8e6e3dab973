/** The longest delay setTimeout takes (about 24.8 days); later work is re-armed when it fires. */
const maxTimerMs = 2 ** 31 - 1;

/**
 * Keys of work to do, as client-go's workqueue: a key waits at most once however often it is
 * added, is never worked on by two workers at once (added while being worked on, it is done
 * again afterwards), and can be scheduled for later. Memory is bounded by the number of
 * distinct keys: there is no queue of events to grow.
 */
export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly again = new Set<string>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; at: number }>();
  private waiters: (() => void)[] = [];

  /** Queues `key` now; a pending schedule for it is dropped. */
  add(key: string): void {
    this.clearTimer(key);
    if (this.processing.has(key)) this.again.add(key);
    else if (!this.queued.has(key)) {
      this.queued.add(key);
      this.waiters.shift()?.();
    }
  }

  /** Queues `key` at `atMs` (epoch milliseconds), replacing any earlier schedule of it. */
  addAt(key: string, atMs: number): void {
    const delay = atMs - Date.now();
    if (delay <= 0) return this.add(key);
    this.clearTimer(key);
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        if (Date.now() >= atMs) this.add(key);
        else this.addAt(key, atMs);
      },
      Math.min(delay, maxTimerMs),
    );
    timer.unref?.();
    this.timers.set(key, { timer, at: atMs });
  }

  /** When `key` is scheduled for, if it is. */
  scheduledAt(key: string): number | undefined {
    return this.timers.get(key)?.at;
  }

  /** Drops `key`: its schedule and its place in the queue (a worker busy with it finishes). */
  forget(key: string): void {
    this.clearTimer(key);
    this.queued.delete(key);
    this.again.delete(key);
  }

  /** Keys waiting for a worker. */
  get length(): number {
    return this.queued.size;
  }

  /**
   * Works on queued keys with `concurrency` workers until `signal` aborts, then waits for the
   * workers busy at that moment and drops every schedule. A worker that throws is reported to
   * `onError`; the key is not retried unless added again.
   */
  async run(
    worker: (key: string) => Promise<void>,
    concurrency: number,
    signal: AbortSignal,
    onError: (key: string, error: unknown) => void = () => undefined,
  ): Promise<void> {
    const stop = (): void => this.waiters.splice(0).forEach((wake) => wake());
    signal.addEventListener('abort', stop, { once: true });
    const loop = async (): Promise<void> => {
      for (;;) {
        const key = await this.next(signal);
        if (key === undefined) return;
        this.processing.add(key);
        try {
          await worker(key);
        } catch (error) {
          onError(key, error);
        } finally {
          this.processing.delete(key);
          if (this.again.delete(key)) this.add(key);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, concurrency) }, loop));
    } finally {
      signal.removeEventListener('abort', stop);
      for (const key of [...this.timers.keys()]) this.clearTimer(key);
      this.queued.clear();
      this.again.clear();
    }
  }

  private async next(signal: AbortSignal): Promise<string | undefined> {
    while (!signal.aborted) {
      const [first] = this.queued;
      if (first !== undefined) {
        this.queued.delete(first);
        return first;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return undefined;
  }

  private clearTimer(key: string): void {
    const pending = this.timers.get(key);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.timers.delete(key);
  }
}
