import type { Auditor } from '../../audit/auditor.js';
import { isApiError } from '../../api/errors.js';
import type { ServerResponseLike } from '../exchange.js';
import type { Filter } from '../exchange.js';
import { isLongRunning } from '../request-info.js';

type End = ServerResponseLike['end'];
type WriteHead = ServerResponseLike['writeHead'];

/**
 * kube-apiserver's audit filter: after authentication (so the event names the real user, the
 * one the front proxy asserted), the policy decides the level; the request gets an Audit-Id
 * header and its events (RequestReceived, ResponseStarted for watches, ResponseComplete, or
 * Panic for an unexpected failure) are written with the response's status, and with the request
 * and response bodies when the level says so.
 */
export function withAudit(auditor: Auditor): Filter {
  return async (exchange, next) => {
    const { auditId, audit } = auditor.begin(exchange);
    exchange.res.setHeader('Audit-Id', auditId);
    if (!audit) return next(exchange);
    exchange.audit = audit;
    audit.requestReceived();
    const res = exchange.res;
    const writeHead = res.writeHead as (...args: unknown[]) => ServerResponseLike;
    const end = res.end as (...args: unknown[]) => ServerResponseLike;
    const longRunning = isLongRunning(exchange.info);
    (res as { writeHead: WriteHead }).writeHead = function (this: ServerResponseLike, ...args: unknown[]) {
      const result = writeHead.apply(this, args);
      if (longRunning) audit.responseHeadersSent(res.statusCode);
      return result;
    } as WriteHead;
    (res as { end: End }).end = function (this: ServerResponseLike, ...args: unknown[]) {
      const [chunk] = args;
      if (!longRunning && (typeof chunk === 'string' || Buffer.isBuffer(chunk)))
        audit.recordResponseBody(chunk.toString(), res.statusCode);
      return end.apply(this, args);
    } as End;
    try {
      await next(exchange);
    } catch (error) {
      if (isApiError(error)) audit.complete(error.code, error.status);
      else audit.complete(500, undefined, true);
      throw error;
    }
    audit.complete(res.statusCode);
  };
}
