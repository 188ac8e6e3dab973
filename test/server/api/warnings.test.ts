import { request as httpsRequest } from 'node:https';
import { Agent } from 'node:https';
import { Http2Client } from '../support/http2-client.js';
import { seedSnapshot, startTestServer, type TestServer } from '../support/test-server.js';

const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

/** Warning header values as a list, whichever way the client library joined them. */
function warningsOf(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  return Array.isArray(header) ? header : header.split(/,(?=\s*299 )/).map((w) => w.trim());
}

describe('warnings are encoded so that no request can break a response', () => {
  let t: TestServer;
  let h2: Http2Client;
  beforeAll(async () => {
    t = await startTestServer();
    h2 = new Http2Client(t);
  });
  afterAll(async () => {
    h2.close();
    await t.stop();
  });

  const withUnknownField = (name: string, field: string): Record<string, unknown> => ({
    ...seedSnapshot(name),
    spec: { ...(seedSnapshot().spec as object), [field]: 1 },
  });

  test('an unknown field outside Latin-1 is created over HTTP/1.1 with the warning escaped', async () => {
    const r = await t.request('POST', collection, { body: withUnknownField('h1', '名') });
    expect(r.status).toBe(201);
    expect(warningsOf(r.headers.warning)).toEqual(['299 - "unknown field \\"spec.\\\\u540d\\""']);
    expect((await t.request('GET', `${collection}/h1`)).status).toBe(200);
  });

  test('and over HTTP/2', async () => {
    const r = await h2.request('POST', collection, { body: withUnknownField('h2', '名') });
    expect(r.status).toBe(201);
    expect(warningsOf(r.headers.warning as string | string[] | undefined)).toEqual([
      '299 - "unknown field \\"spec.\\\\u540d\\""',
    ]);
  });

  test('a stored status key outside Latin-1 lets later writes of the object through on both protocols', async () => {
    const created = await t.request('POST', collection, { body: seedSnapshot('status-key') });
    const object = created.json<Record<string, unknown>>();
    const withStatus = await t.request('PUT', `${collection}/status-key/status`, {
      body: { ...object, status: { data: { 名前: 1 } } },
    });
    expect(withStatus.status).toBe(200);
    const merge = { 'Content-Type': 'application/merge-patch+json' };
    const h1 = await t.request('PATCH', `${collection}/status-key`, {
      body: '{"metadata":{"labels":{"a":"1"}}}',
      headers: merge,
    });
    expect(h1.status).toBe(200);
    expect(warningsOf(h1.headers.warning)[0]).toContain('\\\\u540d\\\\u524d');
    const viaH2 = await h2.request('PATCH', `${collection}/status-key`, {
      body: '{"metadata":{"labels":{"a":"2"}}}',
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(viaH2.status).toBe(200);
  });

  test('ten thousand unknown fields give warnings a default Node client can still read', async () => {
    const spec: Record<string, unknown> = { ...(seedSnapshot().spec as object) };
    for (let i = 0; i < 10_000; i++) spec[`unknown${i}`] = i;
    const body = JSON.stringify({ ...seedSnapshot('many'), spec });
    // A fresh agent with Node's defaults (16 KiB of response headers at most).
    const agent = new Agent({ ca: t.admin.ca, cert: t.admin.cert, key: t.admin.key });
    const status = await new Promise<number>((resolve, reject) => {
      const r = httpsRequest(
        `${t.baseUrl}${collection}`,
        { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      r.on('error', reject);
      r.end(body);
    });
    agent.destroy();
    expect(status).toBe(201);
  });
});
