import {
  AuthorizationV1Api,
  type KubeConfig,
  type V1SubjectAccessReview,
  type V1SubjectAccessReviewSpec,
} from '@kubernetes/client-node';
import { silentLogger, type Logger } from '../../util/logger.js';
import type { AuthorizationAttributes, Authorizer, Decision } from '../authorizer.js';
import { messageOf, withRequestTimeout } from './kube-client.js';
import { TtlCache } from './ttl-cache.js';

export interface SubjectAccessReviewAuthorizerOptions {
  /** Where SubjectAccessReviews are created (needs create on subjectaccessreviews: system:auth-delegator). */
  readonly kubeConfig: KubeConfig;
  /** --authorization-webhook-cache-authorized-ttl; 0: allowed answers are not cached. */
  readonly authorizedTtlMs: number;
  /** --authorization-webhook-cache-unauthorized-ttl; 0: denied answers are not cached. */
  readonly unauthorizedTtlMs: number;
  /** Per-review timeout (default 10s). */
  readonly timeoutMs?: number;
  readonly maxCacheEntries?: number;
  readonly log?: Logger;
  readonly now?: () => number;
}

/**
 * The SubjectAccessReview spec for a request, as Go's webhook authorizer builds it: the user,
 * and resourceAttributes for resource requests or nonResourceAttributes (path, verb) otherwise.
 * Empty fields are left out, as Go's omitempty does; extra keys are sorted so that the spec,
 * which is also the cache key, is the same for the same question.
 */
export function subjectAccessReviewSpec(attributes: AuthorizationAttributes): V1SubjectAccessReviewSpec {
  const { user, request } = attributes;
  const spec: V1SubjectAccessReviewSpec = { user: user.name };
  if (user.uid) spec.uid = user.uid;
  if (user.groups.length > 0) spec.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length > 0) {
    spec.extra = Object.fromEntries(
      Object.keys(user.extra)
        .sort()
        .map((key) => [key, [...(user.extra?.[key] ?? [])]]),
    );
  }
  if (request.isResourceRequest) {
    spec.resourceAttributes = omitEmpty({
      namespace: request.namespace ?? '',
      verb: request.verb,
      group: request.apiGroup,
      version: request.apiVersion,
      resource: request.resource,
      subresource: request.subresource,
      name: request.name,
    });
  } else {
    spec.nonResourceAttributes = omitEmpty({ path: request.path, verb: request.verb });
  }
  return spec;
}

function omitEmpty<T extends Record<string, string>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== '')) as Partial<T>;
}

/**
 * Asks the core kube-apiserver (authorization.k8s.io/v1 SubjectAccessReview) whether a user may
 * do what a request asks. Allowed answers are cached for the authorized TTL, denied ones for
 * the unauthorized TTL, keyed by the whole spec; a failure to ask throws (the authorization
 * filter answers 403) and is not cached. The review's reason is passed along.
 */
export function subjectAccessReviewAuthorizer(options: SubjectAccessReviewAuthorizerOptions): Authorizer {
  const api = options.kubeConfig.makeApiClient(AuthorizationV1Api);
  const log = options.log ?? silentLogger;
  const cache = new TtlCache<Decision>(options.maxCacheEntries ?? 10_000, options.now);

  const review = async (spec: V1SubjectAccessReviewSpec): Promise<Decision> => {
    const body: V1SubjectAccessReview = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec,
    };
    let answer: V1SubjectAccessReview;
    try {
      answer = await api.createSubjectAccessReview({ body }, withRequestTimeout(options.timeoutMs ?? 10_000));
    } catch (error) {
      log.error('SubjectAccessReview failed', { user: spec.user, error: messageOf(error) });
      throw new Error(`subjectaccessreview failed: ${messageOf(error)}`);
    }
    const status = answer.status;
    if (status?.evaluationError)
      log.info(2, 'SubjectAccessReview evaluation error', { error: status.evaluationError });
    const reason = status?.reason || undefined;
    return { allowed: status?.allowed === true, ...(reason ? { reason } : {}) };
  };

  return {
    async authorize(attributes) {
      const spec = subjectAccessReviewSpec(attributes);
      return cache.getOrLoad(
        JSON.stringify(spec),
        () => review(spec),
        (decision) => (decision.allowed ? options.authorizedTtlMs : options.unauthorizedTtlMs),
      );
    },
  };
}
