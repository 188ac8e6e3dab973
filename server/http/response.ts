import { stringify as toYaml } from 'yaml';
import { ApiError, errors, isApiError } from '../api/errors.js';
import { destroyResponse, endResponse, type Exchange, type ServerResponseLike } from './exchange.js';
import type { Logger } from '../util/logger.js';
import { warningHeaders } from './warning-headers.js';

function setWarnings(res: ServerResponseLike, warnings: readonly string[]): void {
  if (warnings.length === 0 || res.headersSent) return;
  res.setHeader('Warning', warningHeaders(warnings));
}

/** Writes a JSON (or YAML) body with the headers every API response carries. */
export function writeObject(
  exchange: Exchange,
  code: number,
  body: unknown,
  encoding: 'json' | 'yaml' = 'json',
  headers: Record<string, string> = {},
): void {
  if (exchange.res.headersSent || exchange.res.writableEnded) return;
  writeEncoded(exchange, code, encoding === 'yaml' ? toYaml(body) : JSON.stringify(body), encoding, headers);
}

/** Writes a body already encoded as JSON (or YAML), with the headers every API response carries. */
export function writeEncoded(
  exchange: Exchange,
  code: number,
  text: string | Buffer,
  encoding: 'json' | 'yaml' = 'json',
  headers: Record<string, string> = {},
): void {
  const { res } = exchange;
  if (res.headersSent || res.writableEnded) return;
  setWarnings(res, exchange.warnings);
  res.setHeader('Content-Type', encoding === 'yaml' ? 'application/yaml' : 'application/json');
  res.setHeader('Cache-Control', 'no-cache, private');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.writeHead(code);
  endResponse(res, exchange.req.method === 'HEAD' ? undefined : text);
}

/**
 * Turns any error into a Status response; unexpected errors are logged and answered as 500
 * without details. It never throws: a failure while answering (a header Node refuses, a body
 * that cannot be serialized) is answered with a bare 500 Status, and if even that cannot be
 * written the response is destroyed, so one bad request can never take the process down.
 */
export function writeError(exchange: Exchange, error: unknown, log: Logger): void {
  try {
    const apiError = asApiError(exchange, error, log);
    if (exchange.res.headersSent) {
      // Mid-stream (a watch): the body has started, so end it rather than corrupt it.
      if (!exchange.res.writableEnded) exchange.res.end();
      return;
    }
    writeObject(exchange, apiError.code, apiError.status, 'json', { ...apiError.headers });
  } catch (failure) {
    writeLastResort(exchange, failure, log);
  }
}

function asApiError(exchange: Exchange, error: unknown, log: Logger): ApiError {
  if (isApiError(error)) return error;
  log.error('unhandled error', {
    path: exchange.url.pathname,
    verb: exchange.info.verb,
    error: error instanceof Error ? error.stack : String(error),
  });
  return errors.internal();
}

/** The answer when writing an error failed: a fixed 500 Status and nothing taken from the request. */
function writeLastResort(exchange: Exchange, failure: unknown, log: Logger): void {
  log.error('writing an error response failed', {
    path: exchange.url.pathname,
    error: failure instanceof Error ? failure.message : String(failure),
  });
  const { res } = exchange;
  try {
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.setHeader('Content-Type', 'application/json');
    res.writeHead(500);
    endResponse(res, JSON.stringify(errors.internal().status));
  } catch {
    destroyResponse(res);
  }
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
