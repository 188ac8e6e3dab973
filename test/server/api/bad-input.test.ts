import { Http2Client } from '../support/http2-client.js';
import { seedSnapshot, startTestServer, type TestServer } from '../support/test-server.js';

const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

interface Status {
  kind: string;
  code: number;
  reason: string;
  message: string;
  details?: { causes?: { field: string; reason: string }[] };
}

describe('bad input gets the right Status and leaves stored data intact', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    expect((await t.request('POST', collection, { body: seedSnapshot('keeper') })).status).toBe(201);
  });
  afterAll(async () => t.stop());

  afterEach(async () => {
    const keeper = (await t.request('GET', `${collection}/keeper`)).json<{
      spec: unknown;
      metadata: { generation: number };
    }>();
    expect(keeper.spec).toEqual(seedSnapshot('keeper').spec);
    expect(keeper.metadata.generation).toBe(1);
  });

  const expectStatus = (text: string, code: number, reason: string): Status => {
    const status = JSON.parse(text) as Status;
    expect(status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
    expect(status.message).not.toMatch(/\bat .*\.(ts|js):\d+/);
    return status;
  };

  test('malformed JSON is 400', async () => {
    const r = await t.request('POST', collection, {
      body: '{"apiVersion": "metrics.example.com/v1", "kind":',
    });
    expect(r.status).toBe(400);
    expectStatus(r.text, 400, 'BadRequest');
  });

  test('a JSON array or scalar body is 400', async () => {
    for (const body of ['[]', '42', 'null']) {
      const r = await t.request('PUT', `${collection}/keeper`, { body });
      expect(r.status).toBe(400);
    }
  });

  test('the wrong kind or apiVersion is 400', async () => {
    const wrongKind = await t.request('POST', collection, { body: { ...seedSnapshot('x'), kind: 'Pod' } });
    expectStatus(wrongKind.text, 400, 'BadRequest');
    const wrongVersion = await t.request('POST', collection, {
      body: { ...seedSnapshot('x'), apiVersion: 'metrics.example.com/v9' },
    });
    expectStatus(wrongVersion.text, 400, 'BadRequest');
  });

  test('a namespace in the body that differs from the URL is 400', async () => {
    const r = await t.request('POST', collection, { body: seedSnapshot('x', 'other') });
    expectStatus(r.text, 400, 'BadRequest');
  });

  test('invalid names are 422 with a metadata.name cause', async () => {
    for (const name of ['Upper', 'under_score', 'a'.repeat(254), '-dash']) {
      const r = await t.request('POST', collection, { body: seedSnapshot(name) });
      const status = expectStatus(r.text, 422, 'Invalid');
      expect(status.details?.causes?.map((c) => c.field)).toContain('metadata.name');
    }
  });

  test('invalid spec fields are 422 with one cause per field', async () => {
    const body = seedSnapshot('invalid');
    body.spec = { source: '', metrics: ['ok_metric', '', 'ok_metric'], interval: 'soon' };
    const r = await t.request('POST', collection, { body });
    const status = expectStatus(r.text, 422, 'Invalid');
    const fields = status.details?.causes?.map((c) => c.field) ?? [];
    expect(fields).toEqual(
      expect.arrayContaining(['spec.source', 'spec.metrics[1]', 'spec.metrics[2]', 'spec.interval']),
    );
    expect(status.message).toMatch(/^MetricSnapshot\.metrics\.example\.com "invalid" is invalid: /);
  });

  test('a missing required field and a wrong type are 422', async () => {
    const body = seedSnapshot('invalid2');
    body.spec = { metrics: 'cpu', interval: 5 };
    const status = expectStatus((await t.request('POST', collection, { body })).text, 422, 'Invalid');
    expect(status.details?.causes?.map((c) => c.field)).toEqual(
      expect.arrayContaining(['spec.source', 'spec.metrics', 'spec.interval']),
    );
  });

  test('an interval outside 1s..24h is refused by the strategy', async () => {
    const body = seedSnapshot('too-fast');
    (body.spec as Record<string, unknown>).interval = '10ms';
    const status = expectStatus((await t.request('POST', collection, { body })).text, 422, 'Invalid');
    expect(status.details?.causes?.[0]).toMatchObject({ field: 'spec.interval' });
  });

  test('unknown fields: Strict is 400, Warn warns, Ignore drops silently', async () => {
    const body = { ...seedSnapshot('unknown'), spec: { ...(seedSnapshot().spec as object), colour: 'blue' } };
    const strict = await t.request('POST', `${collection}?fieldValidation=Strict`, { body });
    expect(expectStatus(strict.text, 400, 'BadRequest').message).toContain('unknown field "spec.colour"');
    const warn = await t.request('POST', `${collection}?fieldValidation=Warn`, { body });
    expect(warn.status).toBe(201);
    expect(String(warn.headers.warning)).toContain('unknown field \\"spec.colour\\"');
    expect(warn.json<{ spec: Record<string, unknown> }>().spec.colour).toBeUndefined();
    await t.request('DELETE', `${collection}/unknown`);
    const ignore = await t.request('POST', `${collection}?fieldValidation=Ignore`, { body });
    expect(ignore.status).toBe(201);
    expect(ignore.headers.warning).toBeUndefined();
  });

  test('duplicate JSON fields: Strict is 400, Warn warns and keeps the last, Ignore accepts', async () => {
    const body =
      '{"apiVersion":"metrics.example.com/v1","kind":"MetricSnapshot","metadata":{"name":"dupe"},' +
      '"spec":{"source":"first","metrics":["up"],"source":"second","interval":"1m"}}';
    const strict = await t.request('POST', `${collection}?fieldValidation=Strict`, { body });
    expect(expectStatus(strict.text, 400, 'BadRequest').message).toBe(
      'strict decoding error: duplicate field "spec.source"',
    );
    const warn = await t.request('POST', `${collection}?fieldValidation=Warn`, { body });
    expect(warn.status).toBe(201);
    expect(String(warn.headers.warning)).toContain('duplicate field \\"spec.source\\"');
    expect(warn.json<{ spec: { source: string } }>().spec.source).toBe('second');
    const patch = await t.request('PATCH', `${collection}/dupe?fieldValidation=Strict`, {
      body: '{"metadata":{"labels":{"a":"1","a":"2"}}}',
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(expectStatus(patch.text, 400, 'BadRequest').message).toContain(
      'duplicate field "metadata.labels.a"',
    );
    await t.request('DELETE', `${collection}/dupe`);
    const ignore = await t.request('POST', `${collection}?fieldValidation=Ignore`, { body });
    expect(ignore.status).toBe(201);
    expect(ignore.headers.warning).toBeUndefined();
  });

  test('an unknown fieldValidation or dryRun value is 400', async () => {
    expect(
      (await t.request('POST', `${collection}?fieldValidation=Loose`, { body: seedSnapshot('x') })).status,
    ).toBe(400);
    expect((await t.request('POST', `${collection}?dryRun=Some`, { body: seedSnapshot('x') })).status).toBe(
      400,
    );
  });

  test('an oversize body is 413', async () => {
    const body = seedSnapshot('huge');
    (body.metadata as Record<string, unknown>).annotations = { big: 'x'.repeat(3 * 1024 * 1024 + 10) };
    const r = await t.request('POST', collection, { body });
    expectStatus(r.text, 413, 'RequestEntityTooLarge');
  });

  test('an unknown content type is 415', async () => {
    const r = await t.request('POST', collection, {
      body: JSON.stringify(seedSnapshot('x')),
      headers: { 'Content-Type': 'text/plain' },
    });
    expectStatus(r.text, 415, 'UnsupportedMediaType');
    const patch = await t.request('PATCH', `${collection}/keeper`, {
      body: '{}',
      headers: { 'Content-Type': 'application/xml' },
    });
    expectStatus(patch.text, 415, 'UnsupportedMediaType');
  });

  test('an Accept header the server cannot produce is 406', async () => {
    const r = await t.request('GET', `${collection}/keeper`, {
      headers: { Accept: 'application/vnd.kubernetes.protobuf' },
    });
    expectStatus(r.text, 406, 'NotAcceptable');
  });

  test('an unsupported verb on a path is 405, an unknown path 404', async () => {
    expectStatus(
      (await t.request('POST', `${collection}/keeper`, { body: seedSnapshot('keeper') })).text,
      405,
      'MethodNotAllowed',
    );
    expectStatus(
      (await t.request('GET', '/apis/metrics.example.com/v1/namespaces/default/widgets')).text,
      404,
      'NotFound',
    );
    expectStatus((await t.request('DELETE', `${collection}/keeper/status`)).text, 405, 'MethodNotAllowed');
  });

  test('a name in the body that differs from the URL is 400', async () => {
    const current = (await t.request('GET', `${collection}/keeper`)).json<{
      metadata: Record<string, unknown>;
    }>();
    const r = await t.request('PUT', `${collection}/keeper`, {
      body: { ...current, metadata: { ...current.metadata, name: 'other' } },
    });
    expectStatus(r.text, 400, 'BadRequest');
  });

  test('an update that changes metadata.uid is 422: the field is immutable', async () => {
    const current = (await t.request('GET', `${collection}/keeper`)).json<{
      metadata: Record<string, unknown>;
    }>();
    const r = await t.request('PUT', `${collection}/keeper`, {
      body: { ...current, metadata: { ...current.metadata, uid: '00000000-0000-0000-0000-000000000000' } },
    });
    const status = expectStatus(r.text, 422, 'Invalid');
    expect(status.details?.causes).toEqual([expect.objectContaining({ field: 'metadata.uid' })]);
  });

  test('an update without resourceVersion is 422', async () => {
    const r = await t.request('PUT', `${collection}/keeper`, { body: seedSnapshot('keeper') });
    expectStatus(r.text, 422, 'Invalid');
  });

  test('metadata fields of the wrong JSON type are 422 with a type cause, and nothing is stored', async () => {
    for (const name of [123, 12.5, true, ['a'], { a: 1 }]) {
      const body = { ...seedSnapshot('typed'), metadata: { name, namespace: 'default' } };
      const status = expectStatus((await t.request('POST', collection, { body })).text, 422, 'Invalid');
      expect(status.details?.causes).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'metadata.name', reason: 'FieldValueTypeInvalid' }),
        ]),
      );
    }
    const generated = { ...seedSnapshot('x'), metadata: { generateName: 123, namespace: 'default' } };
    const status = expectStatus(
      (await t.request('POST', collection, { body: generated })).text,
      422,
      'Invalid',
    );
    expect(status.details?.causes?.map((c) => c.field)).toContain('metadata.generateName');
    const names = (await t.request('GET', collection)).json<{ items: { metadata: { name: unknown } }[] }>();
    for (const item of names.items) expect(typeof item.metadata.name).toBe('string');
  });

  test('a continue token that decodes to anything but a token object is 400', async () => {
    for (const json of ['null', '[]', '"x"', '42', '{"v":"meta.k8s.io/v1","rv":1,"start":null}']) {
      const token = Buffer.from(json).toString('base64url');
      expectStatus((await t.request('GET', `${collection}?continue=${token}`)).text, 400, 'BadRequest');
    }
  });

  test('unknown fields named like prototype properties are pruned like any other', async () => {
    const body =
      '{"apiVersion":"metrics.example.com/v1","kind":"MetricSnapshot","metadata":{"name":"proto"},' +
      '"spec":{"source":"s","metrics":["up"],"constructor":1,"toString":"x","__proto__":{"a":1}},' +
      '"hasOwnProperty":2}';
    const r = await t.request('POST', `${collection}?fieldValidation=Strict`, { body });
    expect(expectStatus(r.text, 400, 'BadRequest').message).toBe(
      'strict decoding error: unknown field "spec.constructor", unknown field "spec.toString", unknown field "spec.__proto__", unknown field "hasOwnProperty"',
    );
    const created = await t.request('POST', collection, { body });
    expect(created.status).toBe(201);
    expect(created.json<{ spec: Record<string, unknown> }>().spec).toEqual({
      source: 's',
      metrics: ['up'],
      interval: '1m',
    });
    await t.request('DELETE', `${collection}/proto`);
  });

  test('an Accept header naming a prototype property is 406', async () => {
    for (const accept of ['constructor', 'toString', '__proto__']) {
      const r = await t.request('GET', `${collection}/keeper`, { headers: { Accept: accept } });
      expectStatus(r.text, 406, 'NotAcceptable');
    }
  });

  test('an HTTP/2 request with a method named like a prototype property is 405', async () => {
    const h2 = new Http2Client(t);
    try {
      for (const method of ['constructor', 'toString', '__proto__']) {
        const r = await h2.request(method, `${collection}/keeper`);
        expectStatus(r.text, 405, 'MethodNotAllowed');
      }
    } finally {
      h2.close();
    }
  });

  test('requests without a client certificate are anonymous and forbidden', async () => {
    const r = await t.request('GET', collection, { anonymous: true });
    const status = expectStatus(r.text, 403, 'Forbidden');
    expect(status.message).toContain('User "system:anonymous" cannot list resource "metricsnapshots"');
    expect((await t.request('GET', '/readyz', { anonymous: true })).status).toBe(200);
  });
});
