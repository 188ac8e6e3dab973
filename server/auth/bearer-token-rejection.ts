import { AuthenticationError, type Authenticator } from './authenticator.js';
import { bearerToken } from './delegated/token-review-authenticator.js';

/**
 * For a server that cannot check bearer tokens (standalone mode has no TokenReview): a request
 * that presents one is refused with 401, as kube-apiserver refuses a token it cannot verify,
 * rather than served as system:anonymous (whose requests are then 403). Placed after the
 * authenticators that can recognise the request otherwise (a client certificate).
 */
export function bearerTokenRejection(): Authenticator {
  return {
    async authenticate(req) {
      if (bearerToken(req) !== undefined)
        throw new AuthenticationError('this server cannot verify bearer tokens');
      return undefined;
    },
  };
}
