/**
 * Raised when the options describe something that cannot work on a real cluster. The message
 * lists every problem found, one per line, each naming the offending option.
 */
export class AggregatedApiServerConfigError extends Error {
  /** The individual problems. */
  public readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid aggregated API server options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AggregatedApiServerConfigError';
    this.problems = problems;
  }
}
