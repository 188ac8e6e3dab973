import type { KubeObject } from '../../../api/types.js';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';
import { seedSnapshot, startTestServer, type TestServer } from '../support/test-server.js';

/** A backend with a bug: its reads fail with an ordinary Error carrying internal details. */
class BrokenReads extends MemoryStorage {
  override async get(key: string): Promise<KubeObject | undefined> {
    throw new Error(`sqlite page corrupted while reading ${key} at /srv/secret/path.db`);
  }
}

describe('unexpected failures', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ serve: { storage: new BrokenReads() } });
  });
  afterAll(async () => t.stop());

  test('are a 500 InternalError Status that reveals nothing, and the server keeps serving', async () => {
    const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';
    const failed = await t.request('GET', `${collection}/anything`);
    expect(failed.status).toBe(500);
    expect(failed.json()).toEqual({
      apiVersion: 'v1',
      kind: 'Status',
      metadata: {},
      status: 'Failure',
      reason: 'InternalError',
      message: 'an internal error occurred',
      code: 500,
    });
    expect(failed.text).not.toContain('secret');
    expect((await t.request('GET', collection)).status).toBe(200);
    expect((await t.request('POST', collection, { body: seedSnapshot('still-works') })).status).toBe(201);
    expect((await t.request('GET', '/livez')).status).toBe(200);
  });
});
