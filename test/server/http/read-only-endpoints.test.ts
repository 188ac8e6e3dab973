import { startTestServer, type TestServer } from '../support/test-server.js';

describe('read-only endpoints', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.stop());

  test.each([
    '/version',
    '/metrics',
    '/openapi/v2',
    '/openapi/v3',
    '/openapi/v3/apis/metrics.example.com/v1',
  ])('%s answers POST, PUT and DELETE with a 405 Status, and GET as before', async (path) => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const r = await t.request(method, path, { body: '{}' });
      expect(r.status).toBe(405);
      expect(r.json()).toMatchObject({ kind: 'Status', code: 405, reason: 'MethodNotAllowed' });
    }
    expect((await t.request('GET', path)).status).toBe(200);
  });

  test.each(['/livez', '/readyz', '/healthz', '/readyz/ping'])(
    '%s answers other methods with 405 without credentials, like GET',
    async (path) => {
      const r = await t.request('POST', path, { anonymous: true });
      expect(r.status).toBe(405);
      expect(r.json()).toMatchObject({ kind: 'Status', code: 405, reason: 'MethodNotAllowed' });
      expect((await t.request('GET', path, { anonymous: true })).status).toBe(200);
    },
  );
});
