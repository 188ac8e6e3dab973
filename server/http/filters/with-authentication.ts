import { errors } from '../../api/errors.js';
import type { Auditor } from '../../audit/auditor.js';
import type { Authenticator } from '../../auth/authenticator.js';
import { peerCertificate } from '../../auth/x509-authenticator.js';
import { headerValue, type Exchange, type Filter } from '../exchange.js';
import type { Logger } from '../../util/logger.js';

/**
 * Who is asking: any authenticator error is 401, and the request goes no further. With an
 * auditor, the refusal is audited as kube-apiserver audits it (its policy decides, for no user).
 */
export function withAuthentication(authenticator: Authenticator, log: Logger, auditor?: Auditor): Filter {
  return async (exchange, next) => {
    try {
      exchange.user = await authenticator.authenticate(exchange.req);
    } catch (error) {
      log.info(2, 'authentication failed', {
        path: exchange.url.pathname,
        error: error instanceof Error ? error.message : String(error),
      });
      if (auditor) {
        const { auditId, audit } = auditor.begin(exchange);
        exchange.res.setHeader('Audit-Id', auditId);
        audit?.authenticationFailed(attemptedCredentials(exchange));
      }
      // Whatever went wrong, the client learns only that it is not authenticated.
      throw errors.unauthorized();
    }
    return next(exchange);
  };
}

/** Which kinds of credentials the request carried, in the words of kube's audit events. */
function attemptedCredentials(exchange: Exchange): string {
  const tried: string[] = [];
  const authorization = headerValue(exchange.req, 'authorization')?.trim() ?? '';
  const scheme = authorization.split(/\s+/, 1)[0]?.toLowerCase();
  if (scheme === 'basic') tried.push('basic');
  if (scheme === 'bearer' && authorization.length > 'bearer'.length) tried.push('bearer');
  if (peerCertificate(exchange.req)) tried.push('x509');
  return tried.length > 0
    ? `Authentication failed, attempted: ${tried.join(', ')}`
    : 'Authentication failed, no credentials provided';
}
