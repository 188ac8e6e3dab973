/**
 * Milliseconds on the process-wide monotonic clock, counted from `base` (a process.hrtime
 * reading). Every thread of a process reads the same clock, so a worker's reading and the
 * main thread's can be subtracted: that is how a watch event's arrival (in a worker) is set
 * against its write's acknowledgement (in the main thread).
 */
export function clockFrom(base: bigint): () => number {
  return () => Number(process.hrtime.bigint() - base) / 1e6;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
