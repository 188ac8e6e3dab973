import { errors } from '../api/errors.js';
import type { Exchange } from './exchange.js';

/**
 * The endpoints that are only ever read (/version, /metrics, /openapi/*, /livez, /readyz,
 * /healthz): any method but GET and HEAD is 405 MethodNotAllowed, as kube-apiserver answers,
 * rather than the document.
 */
export function isReadOnlyEndpoint(path: string): boolean {
  return (
    path === '/version' ||
    path === '/version/' ||
    path === '/metrics' ||
    path.startsWith('/openapi/') ||
    /^\/(livez|readyz|healthz)(\/|$)/.test(path)
  );
}

/** Throws 405 for a write to a read-only endpoint; does nothing for any other request. */
export function refuseWritesToReadOnlyEndpoints(exchange: Exchange): void {
  const method = exchange.req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return;
  const path = exchange.url.pathname;
  if (isReadOnlyEndpoint(path)) throw errors.methodNotAllowed(method, path);
}
