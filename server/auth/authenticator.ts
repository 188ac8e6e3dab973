import type { ServerRequest } from '../http/exchange.js';
import type { UserInfo } from '../../api/resource-spec.js';

export type { UserInfo } from '../../api/resource-spec.js';

/**
 * One way of telling who sent a request. `undefined` means "no credentials of my kind here,
 * ask the next one"; a thrown error means the credentials were present but bad (401).
 */
export interface Authenticator {
  authenticate(req: ServerRequest): Promise<UserInfo | undefined>;
}

export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
}

export const anonymousUser: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Tries authenticators in order; the first that recognises credentials decides. Everyone authenticated is in system:authenticated. */
export function unionAuthenticator(
  authenticators: readonly Authenticator[],
  allowAnonymous: boolean,
): Authenticator {
  return {
    async authenticate(req) {
      for (const authenticator of authenticators) {
        const user = await authenticator.authenticate(req);
        if (user) {
          const groups = user.groups.includes('system:authenticated')
            ? user.groups
            : [...user.groups, 'system:authenticated'];
          return { ...user, groups };
        }
      }
      if (!allowAnonymous) throw new AuthenticationError('no credentials were presented');
      return anonymousUser;
    },
  };
}
