import { startTestServer, type TestServer } from '../support/test-server.js';

const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

describe('bearer tokens in standalone mode, which cannot verify them', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.stop());

  test('a request with a bearer token and no certificate is 401, as kube answers an invalid token', async () => {
    const r = await t.request('GET', collection, {
      anonymous: true,
      headers: { Authorization: 'Bearer not-a-real-token' },
    });
    expect(r.status).toBe(401);
    expect(r.json()).toMatchObject({ kind: 'Status', code: 401, reason: 'Unauthorized' });
  });

  test('a client certificate still decides when a token comes along', async () => {
    const r = await t.request('GET', collection, { headers: { Authorization: 'Bearer ignored' } });
    expect(r.status).toBe(200);
  });

  test('without any credentials the request is anonymous (403), as before', async () => {
    expect((await t.request('GET', collection, { anonymous: true })).status).toBe(403);
  });
});
