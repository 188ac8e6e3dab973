/**
 * Structured JSON logs on stderr, one object a line, with klog-style verbosity: a message at
 * level `v` is written only when the server runs with `--v` >= v. Errors always are.
 */
export interface Logger {
  info(v: number, message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  enabled(v: number): boolean;
}

export function createLogger(
  verbosity: number,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const emit = (
    level: 'info' | 'error',
    v: number,
    message: string,
    fields?: Record<string, unknown>,
  ): void => {
    write(`${JSON.stringify({ ts: new Date().toISOString(), level, v, msg: message, ...fields })}\n`);
  };
  return {
    info: (v, message, fields) => {
      if (v <= verbosity) emit('info', v, message, fields);
    },
    error: (message, fields) => emit('error', 0, message, fields),
    enabled: (v) => v <= verbosity,
  };
}

export const silentLogger: Logger = { info: () => undefined, error: () => undefined, enabled: () => false };
