import { errors } from '../../api/errors.js';
import type { Filter } from '../exchange.js';
import { isLongRunning } from '../request-info.js';

/**
 * Ends a request that runs past --request-timeout with 504, as kube-apiserver does, and aborts
 * its work. Watches are long-running and have their own timeout.
 */
export function withTimeout(timeoutMs: number): Filter {
  return async (exchange, next) => {
    if (isLongRunning(exchange.info) || timeoutMs <= 0) return next(exchange);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        exchange.cancel('request timeout');
        reject(errors.timeout(`request did not complete within ${timeoutMs / 1000}s`));
      }, timeoutMs);
    });
    const work = next(exchange);
    work.catch(() => undefined);
    try {
      await Promise.race([work, expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
