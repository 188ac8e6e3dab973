import type { UserInfo } from '../../../server/auth/authenticator.js';
import type { AuthorizationAttributes } from '../../../server/auth/authorizer.js';
import { privilegedAuthorizer } from '../../../server/auth/authorizer.js';
import { loadKubeConfig } from '../../../server/auth/delegated/kube-client.js';
import { subjectAccessReviewAuthorizer } from '../../../server/auth/delegated/subject-access-review-authorizer.js';
import { ApiError } from '../../../server/api/errors.js';
import type { Exchange } from '../../../server/http/exchange.js';
import { withAuthorization } from '../../../server/http/filters/with-authorization.js';
import { parseRequestInfo } from '../../../server/http/request-info.js';
import { silentLogger } from '../../../server/util/logger.js';
import { sleep, startFakeKubeApiServer, type FakeKubeApiServer } from './support/fake-kube-apiserver.js';

const jane: UserInfo = {
  name: 'jane',
  uid: 'u-1',
  groups: ['dev', 'system:authenticated'],
  extra: { 'scopes.example.com': ['b', 'a'], 'acme/x': ['1'] },
};

function attributes(method: string, path: string, user: UserInfo = jane): AuthorizationAttributes {
  return { user, request: parseRequestInfo(method, new URL(path, 'https://localhost')) };
}

describe('SubjectAccessReview authorizer', () => {
  let fake: FakeKubeApiServer;
  beforeAll(async () => {
    fake = await startFakeKubeApiServer();
  });
  afterAll(async () => fake.close());
  beforeEach(() => {
    fake.subjectAccessReviews.length = 0;
    fake.sarFailure = undefined;
  });

  const authorizer = (authorizedTtlMs = 10_000, unauthorizedTtlMs = 10_000) =>
    subjectAccessReviewAuthorizer({
      kubeConfig: loadKubeConfig(fake.kubeconfigPath),
      authorizedTtlMs,
      unauthorizedTtlMs,
    });

  test('a resource request is sent as resourceAttributes with the user, uid, groups and extra', async () => {
    const decision = await authorizer().authorize(
      attributes('GET', '/apis/metrics.example.com/v1/namespaces/team-a/metricsnapshots/snap-1/status'),
    );
    expect(decision).toEqual({ allowed: true, reason: 'allowed by the fake' });
    expect(fake.subjectAccessReviews).toEqual([
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: 'jane',
          uid: 'u-1',
          groups: ['dev', 'system:authenticated'],
          extra: { 'acme/x': ['1'], 'scopes.example.com': ['b', 'a'] },
          resourceAttributes: {
            namespace: 'team-a',
            verb: 'get',
            group: 'metrics.example.com',
            version: 'v1',
            resource: 'metricsnapshots',
            subresource: 'status',
            name: 'snap-1',
          },
        },
      },
    ]);
  });

  test('a cluster-wide list leaves out the empty namespace, name and subresource', async () => {
    await authorizer().authorize(
      attributes('GET', '/apis/metrics.example.com/v1/metricsnapshots?watch=true', {
        name: 'bob',
        groups: [],
      }),
    );
    expect(fake.subjectAccessReviews[0].spec).toEqual({
      user: 'bob',
      resourceAttributes: {
        verb: 'watch',
        group: 'metrics.example.com',
        version: 'v1',
        resource: 'metricsnapshots',
      },
    });
  });

  test('a non-resource request is sent as nonResourceAttributes (path, verb)', async () => {
    await authorizer().authorize(attributes('GET', '/openapi/v2'));
    expect((fake.subjectAccessReviews[0].spec as Record<string, unknown>).nonResourceAttributes).toEqual({
      path: '/openapi/v2',
      verb: 'get',
    });
    expect((fake.subjectAccessReviews[0].spec as Record<string, unknown>).resourceAttributes).toBeUndefined();
  });

  test('allowed answers are cached for the authorized TTL, denied ones for the unauthorized TTL, with the reason', async () => {
    const authz = authorizer(300, 700);
    const denied = { name: 'denied-user', groups: ['system:authenticated'] };
    const path = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';
    for (let i = 0; i < 3; i++) {
      expect(await authz.authorize(attributes('GET', path))).toEqual({
        allowed: true,
        reason: 'allowed by the fake',
      });
      expect(await authz.authorize(attributes('GET', path, denied))).toEqual({
        allowed: false,
        reason: 'denied by the fake',
      });
    }
    expect(fake.subjectAccessReviews).toHaveLength(2);
    // Another verb is another question.
    await authz.authorize(attributes('DELETE', `${path}/x`));
    expect(fake.subjectAccessReviews).toHaveLength(3);
    await sleep(400);
    await authz.authorize(attributes('GET', path));
    await authz.authorize(attributes('GET', path, denied));
    expect(fake.subjectAccessReviews).toHaveLength(4); // the allowed answer expired, the denied one not yet
    await sleep(400);
    await authz.authorize(attributes('GET', path, denied));
    expect(fake.subjectAccessReviews).toHaveLength(5);
  });

  test('a failed review throws, is not cached, and the authorization filter makes it a 403', async () => {
    const authz = authorizer();
    fake.sarFailure = 500;
    await expect(
      authz.authorize(attributes('GET', '/apis/metrics.example.com/v1/metricsnapshots')),
    ).rejects.toThrow(/subjectaccessreview failed: HTTP 500/);
    const exchange = {
      user: jane,
      info: attributes('GET', '/apis/metrics.example.com/v1/metricsnapshots').request,
      url: new URL('https://localhost/'),
    } as unknown as Exchange;
    const outcome = withAuthorization(privilegedAuthorizer(['/healthz'], authz), silentLogger)(
      exchange,
      async () => undefined,
    );
    await expect(outcome).rejects.toBeInstanceOf(ApiError);
    await expect(outcome).rejects.toMatchObject({ code: 403 });
    fake.sarFailure = undefined;
    await expect(
      authz.authorize(attributes('GET', '/apis/metrics.example.com/v1/metricsnapshots')),
    ).resolves.toMatchObject({ allowed: true });
    expect(fake.subjectAccessReviews).toHaveLength(3);
  });

  test('a review that does not answer in time throws', async () => {
    const authz = subjectAccessReviewAuthorizer({
      kubeConfig: loadKubeConfig(fake.kubeconfigPath),
      authorizedTtlMs: 1000,
      unauthorizedTtlMs: 1000,
      timeoutMs: 200,
    });
    fake.stallReviews = true;
    try {
      await expect(authz.authorize(attributes('GET', '/openapi/v2'))).rejects.toThrow(
        /subjectaccessreview failed/,
      );
    } finally {
      fake.stallReviews = false;
    }
  });
});
