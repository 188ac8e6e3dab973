import { startTestServer, type TestServer } from '../support/test-server.js';

describe('discovery', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.stop());

  test('/apis is an APIGroupList with v1 preferred', async () => {
    const r = await t.request('GET', '/apis');
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [
        {
          name: 'metrics.example.com',
          versions: [
            { groupVersion: 'metrics.example.com/v1', version: 'v1' },
            { groupVersion: 'metrics.example.com/v1beta1', version: 'v1beta1' },
          ],
          preferredVersion: { groupVersion: 'metrics.example.com/v1', version: 'v1' },
        },
      ],
    });
  });

  test.each(['v2', 'v2beta1'])(
    'aggregated discovery %s is chosen by Accept, with ETag, Vary and 304',
    async (version) => {
      const accept = `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList,application/json`;
      const r = await t.request('GET', '/apis', { headers: { Accept: accept } });
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe(
        `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`,
      );
      expect(r.headers.vary).toBe('Accept');
      const body = r.json<{
        kind: string;
        apiVersion: string;
        items: { versions: { version: string; resources: Record<string, unknown>[] }[] }[];
      }>();
      expect(body.apiVersion).toBe(`apidiscovery.k8s.io/${version}`);
      const resource = body.items[0].versions[0].resources[0];
      expect(resource).toMatchObject({
        resource: 'metricsnapshots',
        scope: 'Namespaced',
        singularResource: 'metricsnapshot',
        responseKind: { group: 'metrics.example.com', version: 'v1', kind: 'MetricSnapshot' },
        shortNames: ['msnap'],
        subresources: [{ subresource: 'status', verbs: ['get', 'patch', 'update'] }],
      });
      const etag = String(r.headers.etag);
      const again = await t.request('GET', '/apis', { headers: { Accept: accept, 'If-None-Match': etag } });
      expect(again.status).toBe(304);
      expect(again.text).toBe('');
    },
  );

  test('/apis/<group>/<version> lists the resource and its status subresource', async () => {
    const r = await t.request('GET', '/apis/metrics.example.com/v1');
    const list = r.json<{ groupVersion: string; resources: Record<string, unknown>[] }>();
    expect(list.groupVersion).toBe('metrics.example.com/v1');
    expect(list.resources).toEqual([
      expect.objectContaining({
        name: 'metricsnapshots',
        singularName: 'metricsnapshot',
        namespaced: true,
        kind: 'MetricSnapshot',
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        categories: ['all', 'metrics'],
      }),
      expect.objectContaining({ name: 'metricsnapshots/status', verbs: ['get', 'patch', 'update'] }),
    ]);
  });

  test('/apis/<group> is the APIGroup; /api is an empty APIVersions', async () => {
    expect((await t.request('GET', '/apis/metrics.example.com')).json()).toMatchObject({
      kind: 'APIGroup',
      name: 'metrics.example.com',
    });
    expect((await t.request('GET', '/api')).json()).toMatchObject({ kind: 'APIVersions', versions: [] });
  });

  test('/version answers in the shape of version.Info', async () => {
    expect((await t.request('GET', '/version')).json()).toMatchObject({
      major: '0',
      gitVersion: expect.stringMatching(/^v\d+\.\d+\.\d+/),
    });
  });
});
