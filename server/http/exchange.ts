import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { RequestInfo } from './request-info.js';
import type { AuditRecorder } from '../audit/request-audit.js';
import type { UserInfo } from '../../api/resource-spec.js';

export type ServerRequest = IncomingMessage | Http2ServerRequest;
export type ServerResponseLike = ServerResponse | Http2ServerResponse;

/** One request on its way through the filter chain to a handler. */
export interface Exchange {
  readonly req: ServerRequest;
  readonly res: ServerResponseLike;
  readonly url: URL;
  readonly info: RequestInfo;
  /** Set by the authentication filter. */
  user?: UserInfo;
  /** Aborted when the client goes away, the request times out or the server shuts down. */
  readonly signal: AbortSignal;
  /** Aborts `signal`: the request timed out or the server is going away. */
  cancel(reason: string): void;
  /** Collected into `Warning: 299 - "..."` headers. */
  readonly warnings: string[];
  /** Set by the audit filter when the policy audits this request. */
  audit?: AuditRecorder;
}

export type Handler = (exchange: Exchange) => Promise<void>;
export type Filter = (exchange: Exchange, next: Handler) => Promise<void>;

/** Wraps a handler in filters; the first filter listed runs first. */
export function chain(filters: readonly Filter[], handler: Handler): Handler {
  return filters.reduceRight<Handler>((next, filter) => (exchange) => filter(exchange, next), handler);
}

/** Every value of a header, for headers a client may repeat (Node joins some of them). */
export function headerValues(req: ServerRequest, name: string): string[] {
  const lower = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() === lower) values.push(req.rawHeaders[i + 1]);
  }
  return values;
}

export function headerValue(req: ServerRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Writes a chunk to either kind of response; false means "wait for drain". */
export function writeChunk(res: ServerResponseLike, chunk: string | Buffer): boolean {
  return (res as ServerResponse).write(chunk);
}

/** Ends either kind of response. */
export function endResponse(res: ServerResponseLike, body?: string | Buffer): void {
  if (body === undefined) (res as ServerResponse).end();
  else (res as ServerResponse).end(body);
}

/** Tears either kind of response down without an answer: the last resort when nothing can be written. */
export function destroyResponse(res: ServerResponseLike): void {
  if ('stream' in res) res.stream.destroy();
  else res.destroy();
}
