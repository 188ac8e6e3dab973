import { createHmac, randomBytes } from 'node:crypto';
import { AuthenticationV1Api, type KubeConfig, type V1TokenReview } from '@kubernetes/client-node';
import { headerValue, type ServerRequest } from '../../http/exchange.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { AuthenticationError, type Authenticator, type UserInfo } from '../authenticator.js';
import { messageOf, withRequestTimeout } from './kube-client.js';
import { removeRequestHeaders } from './request-header-authenticator.js';
import { TtlCache } from './ttl-cache.js';

export interface TokenReviewAuthenticatorOptions {
  /** Where TokenReviews are created (needs create on tokenreviews: system:auth-delegator). */
  readonly kubeConfig: KubeConfig;
  /** --authentication-token-webhook-cache-ttl: how long an answer, yes or no, is reused; 0 disables the cache. */
  readonly cacheTtlMs: number;
  /** Per-review timeout (default 10s, as Go's TokenRequestTimeout). */
  readonly timeoutMs?: number;
  /** spec.audiences of the reviews; empty: the API server's own audiences. */
  readonly audiences?: readonly string[];
  readonly maxCacheEntries?: number;
  readonly log?: Logger;
  /** The clock, for tests of expiry. */
  readonly now?: () => number;
}

type Review = { readonly user: UserInfo } | { readonly rejected: string };

/**
 * `Authorization: Bearer <token>` checked by the core kube-apiserver with a TokenReview
 * (authentication.k8s.io/v1), as the delegating authenticator of k8s.io/apiserver does.
 * Answers are cached by an HMAC of the token (the token itself is never a key in memory),
 * authenticated or not, for the cache TTL; failures to ask are not cached. A rejected token is
 * a 401, never "anonymous"; no bearer token at all is `undefined`. On success the
 * Authorization header is removed from the request.
 */
export function tokenReviewAuthenticator(options: TokenReviewAuthenticatorOptions): Authenticator {
  const api = options.kubeConfig.makeApiClient(AuthenticationV1Api);
  const log = options.log ?? silentLogger;
  const audiences = [...(options.audiences ?? [])];
  const cache = new TtlCache<Review>(options.maxCacheEntries ?? 10_000, options.now);
  const hmacKey = randomBytes(32);
  const keyOf = (token: string): string => {
    const hmac = createHmac('sha256', hmacKey).update(token);
    for (const audience of audiences) hmac.update(`\0${audience}`);
    return hmac.digest('base64');
  };

  const review = async (token: string): Promise<Review> => {
    const body: V1TokenReview = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token, ...(audiences.length > 0 ? { audiences } : {}) },
    };
    let answer: V1TokenReview;
    try {
      answer = await api.createTokenReview({ body }, withRequestTimeout(options.timeoutMs ?? 10_000));
    } catch (error) {
      log.error('TokenReview failed', { error: messageOf(error) });
      throw new AuthenticationError(`token review failed: ${messageOf(error)}`);
    }
    const status = answer.status;
    if (!status?.authenticated) return { rejected: status?.error || 'the token was not authenticated' };
    const user = status.user ?? {};
    if (!user.username) return { rejected: 'the token review returned no user name' };
    return {
      user: {
        name: user.username,
        ...(user.uid ? { uid: user.uid } : {}),
        groups: user.groups ?? [],
        ...(user.extra && Object.keys(user.extra).length > 0 ? { extra: user.extra } : {}),
      },
    };
  };

  return {
    async authenticate(req): Promise<UserInfo | undefined> {
      const token = bearerToken(req);
      if (token === undefined) return undefined;
      const result = await cache.getOrLoad(
        keyOf(token),
        () => review(token),
        () => options.cacheTtlMs,
      );
      if ('rejected' in result) throw new AuthenticationError(`invalid bearer token: ${result.rejected}`);
      removeRequestHeaders(req, (name) => name === 'authorization');
      return result.user;
    },
  };
}

/** The token of `Authorization: Bearer <token>`, as Go's bearertoken authenticator reads it. */
export function bearerToken(req: ServerRequest): string | undefined {
  const header = headerValue(req, 'authorization');
  if (!header) return undefined;
  const parts = header.trim().split(' ');
  if (parts.length < 2 || parts[0].toLowerCase() !== 'bearer') return undefined;
  const token = parts[1];
  return token === '' ? undefined : token;
}
