import { seedSnapshot, startTestServer, type TestServer } from '../support/test-server.js';

const collection = '/apis/metrics.example.com/v1/namespaces/watched/metricsnapshots';

describe('watch', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ serve: { bookmarkIntervalMs: 200 } });
    await t.request('POST', collection, { body: seedSnapshot('existing', 'watched') });
  });
  afterAll(async () => t.stop());

  test('without resourceVersion: the current state as ADDED, then changes in order', async () => {
    const stream = await t.watch(`${collection}?watch=true`);
    expect(stream.status).toBe(200);
    expect(await stream.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'existing' } } });
    await t.request('POST', collection, { body: seedSnapshot('fresh', 'watched') });
    const added = await stream.next();
    expect(added).toMatchObject({
      type: 'ADDED',
      object: { kind: 'MetricSnapshot', metadata: { name: 'fresh' } },
    });
    await t.request('DELETE', `${collection}/fresh`);
    expect(await stream.next()).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'fresh' } } });
    stream.close();
  });

  test('from a resourceVersion: only what came after it', async () => {
    const list = (await t.request('GET', collection)).json<{ metadata: { resourceVersion: string } }>();
    await t.request('POST', collection, { body: seedSnapshot('after', 'watched') });
    const stream = await t.watch(`${collection}?watch=1&resourceVersion=${list.metadata.resourceVersion}`);
    expect(await stream.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'after' } } });
    stream.close();
  });

  test('a label selector turns objects that stop matching into DELETED and start matching into ADDED', async () => {
    const body = seedSnapshot('relabel', 'watched');
    (body.metadata as Record<string, unknown>).labels = { watch: 'no' };
    const created = (await t.request('POST', collection, { body })).json<
      Record<string, unknown> & { metadata: Record<string, unknown> }
    >();
    const stream = await t.watch(
      `${collection}?watch=true&labelSelector=watch%3Dyes&resourceVersion=${String(created.metadata.resourceVersion)}`,
    );
    const yes = { ...created, metadata: { ...created.metadata, labels: { watch: 'yes' } } };
    const afterYes = (await t.request('PUT', `${collection}/relabel`, { body: yes })).json<
      Record<string, unknown> & { metadata: Record<string, unknown> }
    >();
    expect(await stream.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'relabel' } } });
    await t.request('PUT', `${collection}/relabel`, {
      body: { ...afterYes, metadata: { ...afterYes.metadata, labels: { watch: 'no' } } },
    });
    expect(await stream.next()).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'relabel' } } });
    stream.close();
  });

  test('a watcher without a selector gets the same changes as one whose selector matches everything', async () => {
    const list = (await t.request('GET', collection)).json<{ metadata: { resourceVersion: string } }>();
    const from = `resourceVersion=${list.metadata.resourceVersion}`;
    const plain = await t.watch(`${collection}?watch=true&${from}`);
    const selective = await t.watch(`${collection}?watch=true&labelSelector=missing!%3Dx&${from}`);
    const created = (await t.request('POST', collection, { body: seedSnapshot('shared', 'watched') })).json<
      Record<string, unknown> & { metadata: Record<string, unknown> }
    >();
    await t.request('PUT', `${collection}/shared`, {
      body: { ...created, metadata: { ...created.metadata, labels: { changed: 'yes' } } },
    });
    await t.request('DELETE', `${collection}/shared`);
    for (const type of ['ADDED', 'MODIFIED', 'DELETED']) {
      const event = await plain.next();
      expect(event).toMatchObject({ type, object: { kind: 'MetricSnapshot', metadata: { name: 'shared' } } });
      expect(await selective.next()).toEqual(event);
    }
    plain.close();
    selective.close();
  });

  test('timeoutSeconds ends the stream cleanly', async () => {
    const stream = await t.watch(`${collection}?watch=true&timeoutSeconds=1&resourceVersion=1`);
    const started = Date.now();
    while (!stream.ended()) await stream.next(3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  test('a timeoutSeconds beyond what a timer holds (~24.8 days) does not end the stream at once', async () => {
    const list = (await t.request('GET', collection)).json<{ metadata: { resourceVersion: string } }>();
    const stream = await t.watch(
      `${collection}?watch=true&timeoutSeconds=3000000&resourceVersion=${list.metadata.resourceVersion}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stream.ended()).toBe(false);
    stream.close();
  });

  test('allowWatchBookmarks sends BOOKMARK events carrying a resourceVersion', async () => {
    const list = (await t.request('GET', collection)).json<{ metadata: { resourceVersion: string } }>();
    const stream = await t.watch(
      `${collection}?watch=true&allowWatchBookmarks=true&resourceVersion=${list.metadata.resourceVersion}`,
    );
    const event = await stream.next(2000);
    expect(event).toMatchObject({
      type: 'BOOKMARK',
      object: { kind: 'MetricSnapshot', metadata: { resourceVersion: expect.any(String) } },
    });
    stream.close();
  });

  test('sendInitialEvents ends the initial state with an initial-events-end BOOKMARK', async () => {
    const stream = await t.watch(
      `${collection}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan`,
    );
    const names: string[] = [];
    for (;;) {
      const event = await stream.next();
      if (event?.type === 'BOOKMARK') {
        expect(event.object).toMatchObject({
          metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } },
        });
        break;
      }
      names.push(String((event?.object.metadata as { name: string }).name));
    }
    expect(names).toContain('existing');
    stream.close();
  });

  test('kubectl get -w asks for Table events', async () => {
    const stream = await t.watch(`${collection}?watch=true&fieldSelector=metadata.name%3Dexisting`, {
      headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
    });
    const event = await stream.next();
    expect(event).toMatchObject({
      type: 'ADDED',
      object: { kind: 'Table', rows: [{ cells: expect.arrayContaining(['existing', 'prometheus']) }] },
    });
    stream.close();
  });
});

describe('watch from a compacted resourceVersion', () => {
  let t: TestServer;
  beforeAll(async () => {
    const { MemoryStorage } = await import('../../../server/storage/memory-storage.js');
    t = await startTestServer({ serve: { storage: new MemoryStorage({ historySize: 5 }) } });
  });
  afterAll(async () => t.stop());

  test('is a 410 Expired ERROR event, after which a relist and a watch from its version work', async () => {
    for (let i = 0; i < 20; i++)
      await t.request('POST', collection, { body: seedSnapshot(`churn-${i}`, 'watched') });
    const stream = await t.watch(`${collection}?watch=true&resourceVersion=2`);
    expect(stream.status).toBe(200);
    expect(await stream.next()).toMatchObject({
      type: 'ERROR',
      object: { kind: 'Status', code: 410, reason: 'Expired' },
    });
    expect(await stream.next()).toBeUndefined();

    const relist = (await t.request('GET', collection)).json<{
      items: unknown[];
      metadata: { resourceVersion: string };
    }>();
    expect(relist.items).toHaveLength(20);
    const resumed = await t.watch(
      `${collection}?watch=true&resourceVersion=${relist.metadata.resourceVersion}`,
    );
    await t.request('DELETE', `${collection}/churn-0`);
    expect(await resumed.next()).toMatchObject({
      type: 'DELETED',
      object: { metadata: { name: 'churn-0' } },
    });
    resumed.close();
  });
});
