import type { Answer, Call } from '../../../bench/load/http2-client.js';
import { COUNTER_LABEL, continueToken, requestDriver } from '../../../bench/load/request-driver.js';

const answer = (status: number, body: unknown): Answer => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, contentType: 'application/json', bytes: text.length, body: Buffer.from(text) };
};

describe('continueToken', () => {
  test('reads the token from the ListMeta at the start of a list', () => {
    const head =
      '{"kind":"MetricSnapshotList","apiVersion":"metrics.example.com/v1","metadata":{"resourceVersion":"12","continue":"eyJ2IjoxfQ=="},"items":[{"metadata":{"continue":"no"}}';
    expect(continueToken(head)).toBe('eyJ2IjoxfQ==');
  });

  test('reads the token of a Table, whose ListMeta comes before its columns', () => {
    const head =
      '{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"9","continue":"a\\u0026b"},"columnDefinitions":[';
    expect(continueToken(head)).toBe('a&b');
  });

  test('finds no token on a last page, even when an item mentions one', () => {
    const head =
      '{"kind":"List","metadata":{"resourceVersion":"3"},"items":[{"metadata":{"name":"x"},"spec":{"continue":"y"}}]}';
    expect(continueToken(head)).toBeUndefined();
  });

  test('treats an empty token as none', () => {
    expect(continueToken('{"metadata":{"resourceVersion":"3","continue":""},"items":[]}')).toBeUndefined();
  });
});

describe('requestDriver', () => {
  test('a paged driver follows continue tokens and starts over after the last page', () => {
    const driver = requestDriver({ kind: 'paged', path: '/apis/g/v/things', limit: 2, maxPages: 10 }, 0);
    expect(driver.next().path).toBe('/apis/g/v/things?limit=2');
    driver.check(answer(200, { metadata: { continue: 'next one' }, items: [] }));
    expect(driver.next().path).toBe('/apis/g/v/things?limit=2&continue=next%20one');
    driver.check(answer(200, { metadata: {}, items: [] }));
    expect(driver.next().path).toBe('/apis/g/v/things?limit=2');
  });

  test('a paged driver starts over after maxPages pages, whatever the server says', () => {
    const driver = requestDriver({ kind: 'paged', path: '/p', limit: 1, maxPages: 2 }, 0);
    driver.check(answer(200, { metadata: { continue: 't1' } }));
    expect(driver.next().path).toBe('/p?limit=1&continue=t1');
    driver.check(answer(200, { metadata: { continue: 't2' } }));
    expect(driver.next().path).toBe('/p?limit=1');
  });

  test('an update driver puts its own object with the resourceVersion of the last answer', async () => {
    const template = { apiVersion: 'g/v1', kind: 'Thing', metadata: { name: '', labels: { app: 'bench' } } };
    const driver = requestDriver(
      { kind: 'update', itemsPath: '/ns/things', namePrefix: 'update-', template },
      3,
    );
    const sent: Call[] = [];
    await driver.prepare(async (call) => {
      sent.push(call);
      return answer(200, { metadata: { name: 'update-3', resourceVersion: '41' } });
    });
    expect(sent.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /ns/things/update-3']);

    const first = driver.next();
    expect(first.method).toBe('PUT');
    expect(JSON.parse(first.body!)).toEqual({
      apiVersion: 'g/v1',
      kind: 'Thing',
      metadata: { name: 'update-3', resourceVersion: '41', labels: { app: 'bench', [COUNTER_LABEL]: '1' } },
    });
    expect(driver.check(answer(200, { metadata: { resourceVersion: '57' } }))).toBe(true);
    const second = JSON.parse(driver.next().body!) as {
      metadata: { resourceVersion: string; labels: Record<string, string> };
    };
    expect(second.metadata.resourceVersion).toBe('57');
    expect(second.metadata.labels[COUNTER_LABEL]).toBe('2');
  });

  test('an update driver calls a conflict unexpected and reads the object again to recover', async () => {
    const driver = requestDriver(
      { kind: 'update', itemsPath: '/t', namePrefix: 'u-', template: { metadata: {} } },
      0,
    );
    expect(driver.check(answer(409, { kind: 'Status', code: 409 }))).toBe(false);
    await driver.recover(async () => answer(200, { metadata: { resourceVersion: '99' } }));
    expect(
      (JSON.parse(driver.next().body!) as { metadata: { resourceVersion: string } }).metadata.resourceVersion,
    ).toBe('99');
  });

  test('a merge-patch driver changes only the counter label of its own object', () => {
    const driver = requestDriver({ kind: 'merge-patch', itemsPath: '/t', namePrefix: 'm-', template: {} }, 5);
    const call = driver.next();
    expect(call).toMatchObject({
      method: 'PATCH',
      path: '/t/m-5',
      contentType: 'application/merge-patch+json',
    });
    expect(JSON.parse(call.body!)).toEqual({ metadata: { labels: { [COUNTER_LABEL]: '1' } } });
  });

  test('an apply driver applies the whole object with force as field manager bench', () => {
    const template = { apiVersion: 'g/v1', kind: 'Thing', metadata: { name: '' }, spec: { a: 1 } };
    const driver = requestDriver({ kind: 'apply', itemsPath: '/t', namePrefix: 'a-', template }, 1);
    const call = driver.next();
    expect(call).toMatchObject({
      method: 'PATCH',
      path: '/t/a-1?fieldManager=bench&force=true',
      contentType: 'application/apply-patch+yaml',
    });
    expect(JSON.parse(call.body!)).toEqual({
      ...template,
      metadata: { name: 'a-1', labels: { [COUNTER_LABEL]: '1' } },
    });
  });

  test('a create driver expects 201 Created', () => {
    const driver = requestDriver(
      { kind: 'create', path: '/t', body: { metadata: { generateName: 'c-' } } },
      0,
    );
    expect(driver.check(answer(201, {}))).toBe(true);
    expect(driver.check(answer(409, {}))).toBe(false);
  });
});
