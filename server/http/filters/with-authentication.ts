import { errors } from '../../api/errors.js';
import type { Authenticator } from '../../auth/authenticator.js';
import type { Filter } from '../exchange.js';
import type { Logger } from '../../util/logger.js';

/** Who is asking: any authenticator error is 401, and the request goes no further. */
export function withAuthentication(authenticator: Authenticator, log: Logger): Filter {
  return async (exchange, next) => {
    try {
      exchange.user = await authenticator.authenticate(exchange.req);
    } catch (error) {
      log.info(2, 'authentication failed', {
        path: exchange.url.pathname,
        error: error instanceof Error ? error.message : String(error),
      });
      // Whatever went wrong, the client learns only that it is not authenticated.
      throw errors.unauthorized();
    }
    return next(exchange);
  };
}
