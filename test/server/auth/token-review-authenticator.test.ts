import { AuthenticationError, type Authenticator } from '../../../server/auth/authenticator.js';
import { loadKubeConfig } from '../../../server/auth/delegated/kube-client.js';
import {
  bearerToken,
  tokenReviewAuthenticator,
} from '../../../server/auth/delegated/token-review-authenticator.js';
import type { ServerRequest } from '../../../server/http/exchange.js';
import { sleep, startFakeKubeApiServer, type FakeKubeApiServer } from './support/fake-kube-apiserver.js';

/** A request with just headers: the token authenticator needs nothing else. */
function requestWith(headers: Record<string, string>): ServerRequest {
  const rawHeaders = Object.entries(headers).flat();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { headers: lower, rawHeaders } as unknown as ServerRequest;
}

describe('TokenReview authenticator', () => {
  let fake: FakeKubeApiServer;
  beforeAll(async () => {
    fake = await startFakeKubeApiServer();
    fake.tokens.set('good-token', {
      username: 'jane',
      uid: 'u-1',
      groups: ['dev'],
      extra: { scopes: ['a', 'b'] },
    });
    fake.tokens.set('other-token', { username: 'joe' });
  });
  afterAll(async () => fake.close());
  beforeEach(() => {
    fake.tokenReviews.length = 0;
    fake.tokenReviewFailure = undefined;
  });

  const authenticator = (cacheTtlMs: number): Authenticator =>
    tokenReviewAuthenticator({ kubeConfig: loadKubeConfig(fake.kubeconfigPath), cacheTtlMs });

  test('a bearer token becomes the TokenReview user; the review is sent with the delegating credentials', async () => {
    const auth = authenticator(10_000);
    const req = requestWith({ Authorization: 'Bearer good-token', Accept: 'application/json' });
    await expect(auth.authenticate(req)).resolves.toEqual({
      name: 'jane',
      uid: 'u-1',
      groups: ['dev'],
      extra: { scopes: ['a', 'b'] },
    });
    expect(fake.tokenReviews).toEqual([
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'good-token' } },
    ]);
    expect(fake.credentials.at(-1)).toBe(`Bearer ${fake.clientToken}`);
    // Nothing downstream sees the token.
    expect(req.headers.authorization).toBeUndefined();
    expect(req.rawHeaders).toEqual(['Accept', 'application/json']);
  });

  test('answers are cached within the TTL and asked again after it', async () => {
    const auth = authenticator(300);
    await auth.authenticate(requestWith({ Authorization: 'Bearer good-token' }));
    await auth.authenticate(requestWith({ Authorization: 'Bearer good-token' }));
    await auth.authenticate(requestWith({ Authorization: 'Bearer other-token' }));
    expect(fake.tokenReviews).toHaveLength(2);
    await sleep(400);
    await expect(
      auth.authenticate(requestWith({ Authorization: 'Bearer good-token' })),
    ).resolves.toMatchObject({ name: 'jane' });
    expect(fake.tokenReviews).toHaveLength(3);
  });

  test('concurrent requests with one token cost one review', async () => {
    const auth = authenticator(10_000);
    const users = await Promise.all(
      Array.from({ length: 20 }, () =>
        auth.authenticate(requestWith({ Authorization: 'Bearer good-token' })),
      ),
    );
    expect(users.every((u) => u?.name === 'jane')).toBe(true);
    expect(fake.tokenReviews).toHaveLength(1);
  });

  test('an unauthenticated token is a 401, and that answer is cached too', async () => {
    const auth = authenticator(10_000);
    for (let i = 0; i < 2; i++) {
      const failure = auth.authenticate(requestWith({ Authorization: 'Bearer forged' }));
      await expect(failure).rejects.toBeInstanceOf(AuthenticationError);
      await expect(failure).rejects.toThrow(/token not recognised by the fake/);
    }
    expect(fake.tokenReviews).toHaveLength(1);
  });

  test('a failed review is a 401 and is not cached', async () => {
    const auth = authenticator(10_000);
    fake.tokenReviewFailure = 500;
    await expect(
      auth.authenticate(requestWith({ Authorization: 'Bearer good-token' })),
    ).rejects.toBeInstanceOf(AuthenticationError);
    fake.tokenReviewFailure = undefined;
    await expect(
      auth.authenticate(requestWith({ Authorization: 'Bearer good-token' })),
    ).resolves.toMatchObject({ name: 'jane' });
    expect(fake.tokenReviews).toHaveLength(2);
  });

  test('an unreachable kube-apiserver is a 401', async () => {
    const kubeConfig = loadKubeConfig(fake.kubeconfigPath);
    kubeConfig.clusters = kubeConfig.clusters.map((c) => ({ ...c, server: 'https://127.0.0.1:1' }));
    const auth = tokenReviewAuthenticator({ kubeConfig, cacheTtlMs: 10_000 });
    await expect(auth.authenticate(requestWith({ Authorization: 'Bearer good-token' }))).rejects.toThrow(
      /token review failed/,
    );
  });

  test('a review that does not answer in time is a 401 (and not cached)', async () => {
    const auth = tokenReviewAuthenticator({
      kubeConfig: loadKubeConfig(fake.kubeconfigPath),
      cacheTtlMs: 10_000,
      timeoutMs: 200,
    });
    fake.stallReviews = true;
    try {
      await expect(auth.authenticate(requestWith({ Authorization: 'Bearer good-token' }))).rejects.toThrow(
        /token review failed/,
      );
    } finally {
      fake.stallReviews = false;
    }
    await expect(
      auth.authenticate(requestWith({ Authorization: 'Bearer good-token' })),
    ).resolves.toMatchObject({ name: 'jane' });
  });

  test('no bearer token: not this authenticator’s business, and nothing is asked', async () => {
    const auth = authenticator(10_000);
    await expect(auth.authenticate(requestWith({}))).resolves.toBeUndefined();
    await expect(
      auth.authenticate(requestWith({ Authorization: 'Basic dXNlcjpwdw==' })),
    ).resolves.toBeUndefined();
    expect(fake.tokenReviews).toHaveLength(0);
  });

  test('bearer token parsing follows Go', () => {
    expect(bearerToken(requestWith({ Authorization: 'Bearer abc' }))).toBe('abc');
    expect(bearerToken(requestWith({ Authorization: 'bearer abc' }))).toBe('abc');
    expect(bearerToken(requestWith({ Authorization: '  Bearer abc  ' }))).toBe('abc');
    expect(bearerToken(requestWith({ Authorization: 'Bearer' }))).toBeUndefined();
    expect(bearerToken(requestWith({ Authorization: 'Bearer  abc' }))).toBeUndefined();
  });
});
