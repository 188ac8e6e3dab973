import type { ConcurrencyLimit } from '../util/concurrency-limit.js';
import { MetricReadError, type MetricSource } from './metric-source.js';

/** Why a metric's value is not in `status.data` although the source answered one. */
export const NonFiniteValue = 'NonFiniteValue';

/** A metric that was not collected, and why. */
export interface MetricFailure {
  readonly metric: string;
  readonly reason: string;
  readonly message: string;
}

/** What one collection of a snapshot read. */
export interface Collection {
  /** The instant every metric was read at (whole seconds): the new `lastCollectionTime`. */
  readonly time: Date;
  /** The finite values read, by metric. */
  readonly values: ReadonlyMap<string, number>;
  /** The metrics not collected, in the order of `spec.metrics`. */
  readonly failures: readonly MetricFailure[];
}

export interface CollectOptions {
  readonly time: Date;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Shared by every collection: how many queries may be in flight at once. */
  readonly limit: ConcurrencyLimit;
  /** Told how long each query took, in seconds. */
  readonly observe?: (seconds: number) => void;
}

/**
 * Reads every metric of a snapshot at one instant, within the shared concurrency limit. When the
 * source as a whole fails (unreachable, not configured), the metrics not read yet are not tried:
 * they fail for the same reason. NaN and infinities, which JSON numbers cannot carry, are
 * failures with reason NonFiniteValue.
 */
export async function collectSnapshot(
  metrics: readonly string[],
  source: MetricSource,
  options: CollectOptions,
): Promise<Collection> {
  const { time, timeoutMs, limit, observe } = options;
  const local = new AbortController();
  const stop = (): void => local.abort();
  options.signal.addEventListener('abort', stop, { once: true });
  let sourceFailure: MetricReadError | undefined;
  const readOne = async (metric: string): Promise<number | MetricFailure> => {
    if (sourceFailure) return failure(metric, sourceFailure);
    const started = performance.now();
    try {
      return await source.read(metric, { time, timeoutMs, signal: local.signal });
    } catch (error) {
      if (error instanceof MetricReadError && error.sourceFailed && !sourceFailure) {
        sourceFailure = error;
        local.abort();
      }
      return failure(metric, sourceFailure ?? error);
    } finally {
      observe?.((performance.now() - started) / 1000);
    }
  };
  try {
    const results = await Promise.all(metrics.map((metric) => limit.run(() => readOne(metric))));
    const values = new Map<string, number>();
    const failures: MetricFailure[] = [];
    results.forEach((result, i) => {
      const metric = metrics[i];
      if (typeof result !== 'number') failures.push(result);
      else if (Number.isFinite(result)) values.set(metric, result);
      else failures.push({ metric, reason: NonFiniteValue, message: nonFiniteMessage(result) });
    });
    return { time, values, failures };
  } finally {
    options.signal.removeEventListener('abort', stop);
  }
}

function failure(metric: string, error: unknown): MetricFailure {
  if (error instanceof MetricReadError) return { metric, reason: error.reason, message: error.message };
  return { metric, reason: 'SourceError', message: error instanceof Error ? error.message : String(error) };
}

function nonFiniteMessage(value: number): string {
  const written = Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  return `the value is ${written}, which a JSON number cannot hold: it is left out of status.data`;
}
