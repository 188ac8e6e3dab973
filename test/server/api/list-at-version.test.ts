import { seedSnapshot, startTestServer, type TestServer } from '../support/test-server.js';

const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

interface List {
  metadata: { resourceVersion: string; continue?: string };
  items: { metadata: { name: string; labels?: Record<string, string> } }[];
}

describe('lists at a resource version, on the embedded store', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ storage: 'sqlite' });
  });
  afterAll(async () => t.stop());

  test('resourceVersionMatch=Exact answers with the state at that version, then pages at it', async () => {
    for (const name of ['a', 'b', 'c']) {
      expect((await t.request('POST', collection, { body: seedSnapshot(name) })).status).toBe(201);
    }
    const then = (await t.request('GET', collection)).json<List>().metadata.resourceVersion;
    const merge = { 'Content-Type': 'application/merge-patch+json' };
    await t.request('PATCH', `${collection}/b`, {
      body: '{"metadata":{"labels":{"x":"y"}}}',
      headers: merge,
    });
    await t.request('DELETE', `${collection}/c`);
    await t.request('POST', collection, { body: seedSnapshot('d') });

    const exact = (
      await t.request('GET', `${collection}?resourceVersion=${then}&resourceVersionMatch=Exact`)
    ).json<List>();
    expect(exact.metadata.resourceVersion).toBe(then);
    expect(exact.items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(exact.items[1].metadata.labels).toBeUndefined();

    const first = (
      await t.request('GET', `${collection}?resourceVersion=${then}&resourceVersionMatch=Exact&limit=2`)
    ).json<List>();
    expect(first.items.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    const rest = (
      await t.request('GET', `${collection}?limit=2&continue=${first.metadata.continue}`)
    ).json<List>();
    expect(rest.items.map((o) => o.metadata.name)).toEqual(['c']);

    const now = (await t.request('GET', collection)).json<List>();
    expect(now.items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'd']);
  });

  test('resourceVersionMatch=Exact at a version the store has not reached is 504, not the present', async () => {
    const r = await t.request('GET', `${collection}?resourceVersion=99999999&resourceVersionMatch=Exact`);
    expect(r.status).toBe(504);
  });
});
