import { stringify as toYaml } from 'yaml';
import { ApiError, errors, isApiError } from '../api/errors.js';
import { endResponse, type Exchange, type ServerResponseLike } from './exchange.js';
import type { Logger } from '../util/logger.js';

function setWarnings(res: ServerResponseLike, warnings: readonly string[]): void {
  if (warnings.length === 0 || res.headersSent) return;
  res.setHeader(
    'Warning',
    [...new Set(warnings)].map((w) => `299 - "${w.replace(/["\\]/g, '\\$&').replace(/[\r\n]/g, ' ')}"`),
  );
}

/** Writes a JSON (or YAML) body with the headers every API response carries. */
export function writeObject(
  exchange: Exchange,
  code: number,
  body: unknown,
  encoding: 'json' | 'yaml' = 'json',
  headers: Record<string, string> = {},
): void {
  const { res } = exchange;
  if (res.headersSent || res.writableEnded) return;
  const text = encoding === 'yaml' ? toYaml(body) : JSON.stringify(body);
  setWarnings(res, exchange.warnings);
  res.setHeader('Content-Type', encoding === 'yaml' ? 'application/yaml' : 'application/json');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.writeHead(code);
  endResponse(res, exchange.req.method === 'HEAD' ? undefined : text);
}

/** Turns any error into a Status response; unexpected errors are logged and answered as 500 without details. */
export function writeError(exchange: Exchange, error: unknown, log: Logger): void {
  let apiError: ApiError;
  if (isApiError(error)) apiError = error;
  else {
    log.error('unhandled error', {
      path: exchange.url.pathname,
      verb: exchange.info.verb,
      error: error instanceof Error ? error.stack : String(error),
    });
    apiError = errors.internal();
  }
  if (exchange.res.headersSent) {
    // Mid-stream (a watch): the body has started, so end it rather than corrupt it.
    if (!exchange.res.writableEnded) exchange.res.end();
    return;
  }
  writeObject(exchange, apiError.code, apiError.status, 'json', { ...apiError.headers });
}

export function writeText(
  exchange: Exchange,
  code: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  const { res } = exchange;
  if (res.headersSent) return;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-cache, private');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.writeHead(code);
  res.end(text);
}
