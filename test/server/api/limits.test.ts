import {
  MAX_JSON_PATCH_COPY_BYTES,
  MAX_NESTING_DEPTH,
  MAX_VALUES,
} from '../../../server/api/request-limits.js';
import { seedSnapshot, startTestServer, type TestServer } from '../support/test-server.js';

const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

interface Status {
  kind: string;
  code: number;
  reason: string;
  message: string;
}

/** A JSON text nesting `levels` objects: `{"a":{"a":...}}`. */
const nested = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

describe('the work one request may cause is bounded, and past a limit it gets a Status', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    expect((await t.request('POST', collection, { body: seedSnapshot('keeper') })).status).toBe(201);
  });
  afterAll(async () => t.stop());

  const expectStatus = (text: string, code: number, reason: string): Status => {
    const status = JSON.parse(text) as Status;
    expect(status).toMatchObject({ kind: 'Status', status: 'Failure', code, reason });
    expect(status.message).not.toMatch(/call stack|RangeError|TypeError/i);
    return status;
  };
  const patch = (type: string, body: string, query = ''): ReturnType<TestServer['request']> =>
    t.request('PATCH', `${collection}/keeper${query}`, {
      body,
      headers: { 'Content-Type': `application/${type}` },
    });

  test('a create or update nested past the limit is 400, at any depth', async () => {
    for (const levels of [MAX_NESTING_DEPTH + 1, 6000, 100_000]) {
      const body = `{"apiVersion":"metrics.example.com/v1","kind":"MetricSnapshot","metadata":{"name":"deep"},"spec":${nested(levels)}}`;
      const created = await t.request('POST', collection, { body });
      expect(expectStatus(created.text, 400, 'BadRequest').message).toContain(
        `nested more than ${MAX_NESTING_DEPTH} levels`,
      );
    }
    const yaml = await t.request('POST', collection, {
      body: `metadata:\n  name: deep\nspec: ${'['.repeat(6000)}${']'.repeat(6000)}\n`,
      headers: { 'Content-Type': 'application/yaml' },
    });
    expectStatus(yaml.text, 400, 'BadRequest');
  });

  test('a merge, strategic merge, JSON or apply patch nested past the limit is 400', async () => {
    expectStatus((await patch('merge-patch+json', `{"spec":${nested(2000)}}`)).text, 400, 'BadRequest');
    expectStatus(
      (await patch('strategic-merge-patch+json', `{"spec":${nested(2000)}}`)).text,
      400,
      'BadRequest',
    );
    expectStatus(
      (await patch('json-patch+json', `[{"op":"add","path":"/spec/x","value":${nested(6000)}}]`)).text,
      400,
      'BadRequest',
    );
    const applied = `{"apiVersion":"metrics.example.com/v1","kind":"MetricSnapshot","metadata":{"name":"keeper"},"spec":${nested(6000)}}`;
    expectStatus((await patch('apply-patch+yaml', applied, '?fieldManager=m')).text, 400, 'BadRequest');
    const yaml = `apiVersion: metrics.example.com/v1\nkind: MetricSnapshot\nspec: ${'['.repeat(6000)}${']'.repeat(6000)}\n`;
    expectStatus((await patch('apply-patch+yaml', yaml, '?fieldManager=m')).text, 400, 'BadRequest');
  });

  test('JSON patch copies of a subtree into itself stop at the copy limit with 422', async () => {
    const ops = Array.from({ length: 24 }, (_, i) => ({ op: 'copy', from: '/spec', path: `/spec/c${i}` }));
    const r = await patch('json-patch+json', JSON.stringify(ops), '?dryRun=All');
    expect(expectStatus(r.text, 422, 'Invalid').message).toBeDefined();
    expect(r.text).toContain(`exceeding the limit ${MAX_JSON_PATCH_COPY_BYTES}`);
  });

  test('a JSON patch whose result nests past the limit is 422', async () => {
    // Each copy puts the whole spec one level further down.
    const ops = [{ op: 'add', path: '/spec/x', value: JSON.parse(nested(MAX_NESTING_DEPTH - 3)) }];
    for (let i = 0; i < 5; i++) ops.push({ op: 'copy', from: '/spec', path: '/spec/x' } as never);
    expectStatus((await patch('json-patch+json', JSON.stringify(ops))).text, 422, 'Invalid');
  });

  test('a body with more values than the limit is 413, in JSON and in YAML', async () => {
    const labels = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, 'v']));
    const body = { ...seedSnapshot('labels'), metadata: { name: 'labels', labels } };
    expect(
      expectStatus((await t.request('POST', collection, { body })).text, 413, 'RequestEntityTooLarge')
        .message,
    ).toContain(`more than ${MAX_VALUES} values`);
    const yaml =
      'apiVersion: metrics.example.com/v1\nkind: MetricSnapshot\nmetadata:\n  name: y\nspec:\n  source: s\n  metrics:\n' +
      '  - a\n'.repeat(500_000);
    const r = await t.request('POST', collection, {
      body: yaml,
      headers: { 'Content-Type': 'application/yaml' },
    });
    expectStatus(r.text, 413, 'RequestEntityTooLarge');
    const flow = `{apiVersion: metrics.example.com/v1, kind: MetricSnapshot, metadata: {name: y}, spec: {metrics: [${'a,'.repeat(40_000)}a]}}`;
    const applied = await patch('apply-patch+yaml', flow, '?fieldManager=m');
    expectStatus(applied.text, 413, 'RequestEntityTooLarge');
  });

  test('a patch whose result has more values than the limit is 422', async () => {
    const half = (prefix: string): Record<string, string> =>
      Object.fromEntries(Array.from({ length: MAX_VALUES / 2 + 10 }, (_, i) => [`${prefix}${i}`, 'v']));
    const first = await patch('merge-patch+json', JSON.stringify({ metadata: { labels: half('a') } }));
    expect(first.status).toBe(200);
    const second = await patch('merge-patch+json', JSON.stringify({ metadata: { labels: half('b') } }));
    expectStatus(second.text, 422, 'Invalid');
    const reset = await patch('json-patch+json', '[{"op":"remove","path":"/metadata/labels"}]');
    expect(reset.status).toBe(200);
  });

  test('the server keeps answering after every refused request', async () => {
    expect((await t.request('GET', '/readyz')).status).toBe(200);
    const keeper = (await t.request('GET', `${collection}/keeper`)).json<{ spec: unknown }>();
    expect(keeper.spec).toEqual(seedSnapshot('keeper').spec);
  });
});
