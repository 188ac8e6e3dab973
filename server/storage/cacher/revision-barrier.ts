interface Waiter {
  readonly target: number;
  readonly settle: (reached: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Callers waiting for a revision that only moves forward: each is released once the revision
 * reaches its target, or told it did not when its time runs out (or the owner gives up).
 */
export class RevisionBarrier {
  private readonly waiters = new Set<Waiter>();

  /** Whether anyone is waiting (the cache asks its backend for progress while so). */
  get waiting(): boolean {
    return this.waiters.size > 0;
  }

  /** Resolves true once `advance` reaches `target`, false after `timeoutMs` or `releaseAll`. */
  wait(target: number, timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        target,
        settle: (reached) => {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          resolve(reached);
        },
        timer: setTimeout(() => waiter.settle(false), timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** The revision is now `revision`: releases every waiter whose target it reached. */
  advance(revision: number): void {
    for (const waiter of this.waiters) if (waiter.target <= revision) waiter.settle(true);
  }

  /** Gives up on every waiter (the owner is closing). */
  releaseAll(): void {
    for (const waiter of [...this.waiters]) waiter.settle(false);
  }
}
