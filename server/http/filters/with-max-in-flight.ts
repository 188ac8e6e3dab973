import { errors } from '../../api/errors.js';
import type { Filter } from '../exchange.js';
import type { ServerMetrics } from '../metrics.js';
import { isLongRunning, isMutating } from '../request-info.js';

/**
 * kube-apiserver's --max-requests-inflight / --max-mutating-requests-inflight: past the limit a
 * request is answered 429 with Retry-After at once instead of queueing. Long-running requests
 * (watches) do not take a slot; 0 disables a limit.
 */
export function withMaxInFlight(maxReadOnly: number, maxMutating: number, metrics: ServerMetrics): Filter {
  const inFlight = { readOnly: 0, mutating: 0 };
  return async (exchange, next) => {
    if (isLongRunning(exchange.info) || !exchange.info.isResourceRequest) return next(exchange);
    const kind = isMutating(exchange.info) ? 'mutating' : 'readOnly';
    const limit = kind === 'mutating' ? maxMutating : maxReadOnly;
    if (limit > 0 && inFlight[kind] >= limit) {
      metrics.rejected.inc({ request_kind: kind });
      throw errors.tooManyRequests(1);
    }
    inFlight[kind]++;
    metrics.inflight.set({ request_kind: kind }, inFlight[kind]);
    try {
      return await next(exchange);
    } finally {
      inFlight[kind]--;
      metrics.inflight.set({ request_kind: kind }, inFlight[kind]);
    }
  };
}
