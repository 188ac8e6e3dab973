import { seedSnapshot, startTestServer, type TestServer } from '../support/test-server.js';

const group = '/apis/metrics.example.com/v1';

interface List {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: { metadata: { name: string; namespace: string } }[];
}

describe('list: selectors, paging and all-namespace paths', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    for (const ns of ['ns1', 'ns10']) {
      for (let i = 0; i < 5; i++) {
        const body = seedSnapshot(`snap-${i}`, ns);
        (body.metadata as Record<string, unknown>).labels = {
          tier: i % 2 === 0 ? 'even' : 'odd',
          index: String(i),
        };
        expect((await t.request('POST', `${group}/namespaces/${ns}/metricsnapshots`, { body })).status).toBe(
          201,
        );
      }
    }
  });
  afterAll(async () => t.stop());

  test('a namespace lists only its own objects', async () => {
    const list = (await t.request('GET', `${group}/namespaces/ns1/metricsnapshots`)).json<List>();
    expect(list.items).toHaveLength(5);
    expect(new Set(list.items.map((i) => i.metadata.namespace))).toEqual(new Set(['ns1']));
  });

  test('the all-namespaces path lists everything', async () => {
    const list = (await t.request('GET', `${group}/metricsnapshots`)).json<List & { kind: string }>();
    expect(list.kind).toBe('MetricSnapshotList');
    expect(list.items).toHaveLength(10);
  });

  test.each([
    ['tier=even', 6],
    ['tier!=even', 4],
    ['tier in (odd)', 4],
    ['index notin (0,1,2)', 4],
    ['tier,index>2', 4],
    ['!missing', 10],
    ['index<1', 2],
  ])('labelSelector %s matches %d', async (selector, count) => {
    const list = (
      await t.request('GET', `${group}/metricsnapshots?labelSelector=${encodeURIComponent(selector)}`)
    ).json<List>();
    expect(list.items).toHaveLength(count);
  });

  test('fieldSelector on metadata.name and metadata.namespace', async () => {
    const byName = (
      await t.request('GET', `${group}/metricsnapshots?fieldSelector=metadata.name%3Dsnap-3`)
    ).json<List>();
    expect(byName.items.map((i) => i.metadata.namespace).sort()).toEqual(['ns1', 'ns10']);
    const notNs = (
      await t.request('GET', `${group}/metricsnapshots?fieldSelector=metadata.namespace!%3Dns1`)
    ).json<List>();
    expect(notNs.items).toHaveLength(5);
  });

  test('bad selectors are 400 BadRequest', async () => {
    for (const query of [
      'labelSelector=a%20in%20(b',
      'labelSelector=%3D%3Dx',
      'fieldSelector=spec.source%3Dx',
      'fieldSelector=nonsense',
    ]) {
      const response = await t.request('GET', `${group}/metricsnapshots?${query}`);
      expect(response.status).toBe(400);
      expect(response.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    }
  });

  test('limit and continue page through every object exactly once', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = (
        await t.request(
          'GET',
          `${group}/metricsnapshots?limit=3${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
        )
      ).json<List>();
      seen.push(...page.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`));
      if (page.metadata.continue) expect(page.metadata.remainingItemCount).toBe(10 - seen.length);
      token = page.metadata.continue;
      pages++;
    } while (token);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(10);
  });

  test('limit with a selector fills the page with matching items', async () => {
    const page = (
      await t.request('GET', `${group}/metricsnapshots?limit=3&labelSelector=tier%3Dodd`)
    ).json<List>();
    expect(page.items).toHaveLength(3);
    expect(page.metadata.continue).toBeDefined();
  });

  test.each([
    [
      'resourceVersionMatch=NotOlderThan',
      'resourceVersionMatch is forbidden unless resourceVersion is provided',
    ],
    [
      'resourceVersion=0&resourceVersionMatch=Exact',
      'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
    ],
    ['resourceVersion=5&resourceVersionMatch=Newest', 'Unsupported value: "Newest"'],
    [
      'watch=true&resourceVersionMatch=NotOlderThan',
      'forbidden for watch unless sendInitialEvents is provided',
    ],
  ])('ListOptions %s is 422 Invalid', async (query, message) => {
    const response = await t.request('GET', `${group}/metricsnapshots?${query}`);
    expect(response.status).toBe(422);
    expect(response.json<{ reason: string; message: string }>()).toMatchObject({
      reason: 'Invalid',
      message: expect.stringContaining(message),
    });
  });

  test('resourceVersion with a continue token is 422, as kube refuses the combination', async () => {
    const page = (await t.request('GET', `${group}/metricsnapshots?limit=2`)).json<List>();
    const token = encodeURIComponent(page.metadata.continue ?? '');
    const response = await t.request(
      'GET',
      `${group}/metricsnapshots?limit=2&continue=${token}&resourceVersion=${page.metadata.resourceVersion}`,
    );
    expect(response.status).toBe(422);
  });

  test('a malformed continue token is 400, and a token of another list is refused', async () => {
    expect((await t.request('GET', `${group}/metricsnapshots?continue=garbage`)).status).toBe(400);
    const page = (await t.request('GET', `${group}/namespaces/ns1/metricsnapshots?limit=1`)).json<List>();
    const reuse = await t.request(
      'GET',
      `${group}/namespaces/ns10/metricsnapshots?continue=${encodeURIComponent(page.metadata.continue ?? '')}`,
    );
    expect(reuse.status).toBe(400);
  });
});
