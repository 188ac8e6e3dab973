import { createLogger, type Logger } from '../../../../server/util/logger.js';

/** One log record, as the server's logger writes it. */
export interface LogRecord {
  readonly level: 'info' | 'error';
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** The server's logger at full verbosity, keeping its records instead of writing them. */
export function recordingLogger(): Logger & { readonly records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = createLogger(10, (line) => records.push(JSON.parse(line) as LogRecord));
  return Object.assign(logger, { records });
}
