/** How a retry delay grows, as client-go's wait.Backoff: doubling from a base up to a cap, with jitter. */
export interface BackoffOptions {
  /** The delay after the first failure, in milliseconds. */
  readonly baseMs: number;
  /** The longest delay, in milliseconds. */
  readonly maxMs: number;
  /**
   * The delay is multiplied by a random factor in [1, 1 + jitter), so that clients that failed
   * together do not retry together. @default 0.2
   */
  readonly jitter?: number;
  /** The source of randomness, in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** The delay before retry number `failures` (1 for the first failure): base·2^(failures-1), capped, jittered. */
export function backoffDelay(failures: number, options: BackoffOptions): number {
  const exponent = Math.max(0, Math.min(failures - 1, 52));
  const plain = Math.min(options.baseMs * 2 ** exponent, options.maxMs);
  const jitter = options.jitter ?? 0.2;
  return Math.round(plain * (1 + jitter * (options.random ?? Math.random)()));
}

/** Waits `ms`, or less when `signal` aborts first; never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
