/** Sleeps for `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Thrown by a `waitFor` condition to give up at once, e.g. because the awaited process died. */
export class FatalWaitError extends Error {
  override readonly name: string = 'FatalWaitError';
}

export interface WaitOptions {
  /** How long to wait between two evaluations of the condition (default 250 ms). */
  readonly intervalMs?: number;
}

/**
 * Polls `condition` until it returns a value other than `undefined`, `null` or `false`, and
 * resolves with that value. A condition that throws counts as "not yet" (its last error is
 * part of the timeout message, which names `what` was being waited for), except for a
 * `FatalWaitError`, which is rethrown at once.
 */
export async function waitFor<T>(
  condition: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 30_000,
  options: WaitOptions = {},
): Promise<T> {
  const intervalMs = options.intervalMs ?? 250;
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      if (error instanceof FatalWaitError) throw error;
      lastError = error;
    }
    if (Date.now() - started >= timeoutMs) {
      const reason =
        lastError === undefined
          ? ''
          : `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
    }
    await delay(intervalMs);
  }
}
