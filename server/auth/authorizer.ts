import type { RequestInfo } from '../http/request-info.js';
import type { UserInfo } from './authenticator.js';

export interface AuthorizationAttributes {
  readonly user: UserInfo;
  readonly request: RequestInfo;
}

export interface Decision {
  readonly allowed: boolean;
  readonly reason?: string;
}

/** Decides whether a user may do what a request asks. Errors are denials (403). */
export interface Authorizer {
  authorize(attributes: AuthorizationAttributes): Promise<Decision>;
}

/**
 * The first authorizers of every generic apiserver: members of system:masters may do
 * anything, and the always-allowed paths (health checks by default) are open to all.
 */
export function privilegedAuthorizer(alwaysAllowPaths: readonly string[], next: Authorizer): Authorizer {
  const exact = new Set(alwaysAllowPaths.filter((p) => !p.endsWith('*')));
  const prefixes = alwaysAllowPaths.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  return {
    async authorize(attributes) {
      if (attributes.user.groups.includes('system:masters')) return { allowed: true };
      const { request } = attributes;
      if (
        !request.isResourceRequest &&
        (exact.has(request.path) || prefixes.some((p) => request.path.startsWith(p)))
      ) {
        return { allowed: true };
      }
      return next.authorize(attributes);
    },
  };
}

export const denyAll: Authorizer = {
  authorize: async () => ({ allowed: false, reason: 'no authorizer allows this request' }),
};

/** kube-apiserver's wording for a denied request, which kubectl prints as is. */
export function forbiddenMessage(attributes: AuthorizationAttributes, reason?: string): string {
  const { user, request } = attributes;
  const why = reason ? `: ${reason}` : '';
  if (!request.isResourceRequest)
    return `forbidden: User "${user.name}" cannot ${request.verb} path "${request.path}"${why}`;
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  const scope = request.namespace ? ` in the namespace "${request.namespace}"` : ' at the cluster scope';
  return `${resource}.${request.apiGroup} ${request.name ? `"${request.name}" ` : ''}is forbidden: User "${user.name}" cannot ${request.verb} resource "${resource}" in API group "${request.apiGroup}"${scope}${why}`;
}
