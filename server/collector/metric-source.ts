import type { FlagSpec } from '../options/flag-parser.js';
import type { Logger } from '../util/logger.js';

/**
 * Why a metric could not be read: the `reason` of the snapshot's Ready condition. Sources may
 * use their own CamelCase reasons besides these.
 */
export const ReadFailure = {
  /** The source did not answer, or answered with something other than its API. */
  SourceUnreachable: 'SourceUnreachable',
  /** The source refused the server's credentials. */
  SourceUnauthorized: 'SourceUnauthorized',
  /** The server was started without what the source needs (e.g. --prometheus-url). */
  SourceNotConfigured: 'SourceNotConfigured',
  /** A metric name with no series. */
  UnknownMetric: 'UnknownMetric',
  /** An expression that yields no series. */
  NoData: 'NoData',
  /** The source refused or failed the query (bad syntax, timeout, a range vector...). */
  QueryError: 'QueryError',
  /** The query yields several series where one number was expected. */
  SeveralSeries: 'SeveralSeries',
} as const;

/** A metric that could not be read; `reason` is CamelCase and `message` says why, for people. */
export class MetricReadError extends Error {
  override readonly name = 'MetricReadError';

  constructor(
    readonly reason: string,
    message: string,
    /**
     * The whole source failed, not this query: the snapshot's other metrics are not tried,
     * and get the same reason.
     */
    readonly sourceFailed = false,
  ) {
    super(message);
  }
}

/** How one read is bounded. */
export interface ReadOptions {
  /** The instant to read the value at: the snapshot's `lastCollectionTime`, whole seconds. */
  readonly time: Date;
  /** How long the read may take. */
  readonly timeoutMs: number;
  /** Aborts the read (shutdown, leadership lost). */
  readonly signal: AbortSignal;
}

/** Where values come from: one `spec.source`, opened with the server's flags. */
export interface MetricSource {
  /**
   * The value of `metric` (a name or an expression of the source's language) at `time`. NaN and
   * infinities are valid answers; the collector decides how to report them. Anything that is not
   * one number is a MetricReadError.
   */
  read(metric: string, options: ReadOptions): Promise<number>;
  /** Releases connections. */
  close?(): Promise<void>;
}

/** What a source plugin is given to open its source. */
export interface SourceContext {
  /** The value of one of the plugin's flags. */
  flag<T>(spec: FlagSpec<T>): T;
  readonly log: Logger;
}

/**
 * A kind of source, as `spec.source` names it: its flags and how to open it. The collector
 * accepts exactly the sources it was given, and refuses any other `spec.source` with their list.
 */
export interface MetricSourcePlugin {
  /** The value of `spec.source`, e.g. `prometheus`. */
  readonly name: string;
  /** Flags of its own, e.g. `--prometheus-url`. @default [] */
  readonly flags?: readonly FlagSpec<unknown>[];
  /** Opens the source at startup; throw a FlagError for a bad flag. */
  open(context: SourceContext): MetricSource | Promise<MetricSource>;
}
