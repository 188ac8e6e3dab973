import { errors } from '../../api/errors.js';
import { forbiddenMessage, type Authorizer } from '../../auth/authorizer.js';
import type { Filter } from '../exchange.js';
import type { Logger } from '../../util/logger.js';

/** May they: a denial, or an authorizer that cannot answer, is 403. */
export function withAuthorization(authorizer: Authorizer, log: Logger): Filter {
  return async (exchange, next) => {
    const user = exchange.user;
    if (!user) throw errors.unauthorized();
    const attributes = { user, request: exchange.info };
    let decision;
    try {
      decision = await authorizer.authorize(attributes);
    } catch (error) {
      log.error('authorization failed', {
        path: exchange.url.pathname,
        error: error instanceof Error ? error.message : String(error),
      });
      decision = { allowed: false, reason: 'the authorizer could not be reached' };
    }
    exchange.audit?.annotate('authorization.k8s.io/decision', decision.allowed ? 'allow' : 'forbid');
    if (decision.reason) exchange.audit?.annotate('authorization.k8s.io/reason', decision.reason);
    if (!decision.allowed) {
      const { request } = attributes;
      throw errors.forbidden(
        forbiddenMessage(attributes, decision.reason),
        request.isResourceRequest ? { group: request.apiGroup, resource: request.resource } : undefined,
        request.name || undefined,
      );
    }
    return next(exchange);
  };
}
