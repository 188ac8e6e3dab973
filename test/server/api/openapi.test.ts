import { startTestServer, type TestServer } from '../support/test-server.js';

interface V3Document {
  openapi: string;
  paths: Record<
    string,
    Record<string, { 'x-kubernetes-action'?: string; requestBody?: { content: Record<string, unknown> } }>
  >;
  components: {
    schemas: Record<
      string,
      { properties?: Record<string, { $ref?: string }>; 'x-kubernetes-group-version-kind'?: unknown }
    >;
  };
}

describe('OpenAPI', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.stop());

  test("/openapi/v3 lists only this server's group versions, with hashed URLs", async () => {
    const index = (await t.request('GET', '/openapi/v3')).json<{
      paths: Record<string, { serverRelativeURL: string }>;
    }>();
    expect(Object.keys(index.paths).sort()).toEqual([
      'apis/metrics.example.com/v1',
      'apis/metrics.example.com/v1beta1',
    ]);
    expect(index.paths['apis/metrics.example.com/v1'].serverRelativeURL).toMatch(
      /^\/openapi\/v3\/apis\/metrics.example.com\/v1\?hash=[0-9A-F]+$/,
    );
  });

  test('the v3 document publishes the served schema with its group-version-kind and ObjectMeta', async () => {
    const index = (await t.request('GET', '/openapi/v3')).json<{
      paths: Record<string, { serverRelativeURL: string }>;
    }>();
    const url = index.paths['apis/metrics.example.com/v1'].serverRelativeURL;
    const response = await t.request('GET', url);
    expect(response.headers['cache-control']).toBe('public, immutable');
    const doc = response.json<V3Document>();
    const kind = doc.components.schemas['com.example.metrics.v1.MetricSnapshot'];
    expect(kind['x-kubernetes-group-version-kind']).toEqual([
      { group: 'metrics.example.com', version: 'v1', kind: 'MetricSnapshot' },
    ]);
    expect(kind.properties?.metadata).toEqual({
      $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    });
    expect(kind.properties?.spec).toMatchObject({ required: ['source', 'metrics'] });
    const item = doc.paths['/apis/metrics.example.com/v1/namespaces/{namespace}/metricsnapshots/{name}'];
    expect(Object.keys(item.patch?.requestBody?.content ?? {})).toContain(
      'application/strategic-merge-patch+json',
    );
    expect(
      doc.paths['/apis/metrics.example.com/v1/namespaces/{namespace}/metricsnapshots/{name}/status'],
    ).toBeDefined();
    expect(doc.paths['/apis/metrics.example.com/v1/metricsnapshots'].get?.['x-kubernetes-action']).toBe(
      'list',
    );
  });

  test('a stale hash is answered with the current document, never a redirect', async () => {
    const response = await t.request('GET', '/openapi/v3/apis/metrics.example.com/v1?hash=STALE');
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-cache, private');
    expect(response.json<V3Document>().openapi).toBe('3.0.0');
  });

  test('/openapi/v2 covers both versions, answers 304 for its ETag, and 404s unknown group versions under v3', async () => {
    const v2 = await t.request('GET', '/openapi/v2', { headers: { Accept: 'application/json' } });
    const doc = v2.json<{ swagger: string; definitions: Record<string, unknown> }>();
    expect(doc.swagger).toBe('2.0');
    expect(Object.keys(doc.definitions)).toEqual(
      expect.arrayContaining([
        'com.example.metrics.v1.MetricSnapshot',
        'com.example.metrics.v1beta1.MetricSnapshot',
      ]),
    );
    const again = await t.request('GET', '/openapi/v2', {
      headers: { 'If-None-Match': String(v2.headers.etag) },
    });
    expect(again.status).toBe(304);
    expect((await t.request('GET', '/openapi/v3/apis/other.example.com/v1')).status).toBe(404);
  });
});
