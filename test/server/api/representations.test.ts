import { seedSnapshot, startTestServer, type TestServer } from '../support/test-server.js';

const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';
const tableAccept =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

interface Table {
  kind: string;
  apiVersion: string;
  columnDefinitions: { name: string; priority: number; type: string; format: string }[];
  rows: { cells: unknown[]; object?: { kind: string; metadata: { name: string } } }[];
}

describe('representations: Table, PartialObjectMetadata, YAML', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await t.request('POST', collection, { body: seedSnapshot('tabled') });
    const current = (await t.request('GET', `${collection}/tabled`)).json<Record<string, unknown>>();
    await t.request('PUT', `${collection}/tabled/status`, {
      body: {
        ...current,
        status: {
          lastCollectionTime: new Date(Date.now() - 120_000).toISOString().replace(/\.\d+Z/, 'Z'),
          data: { cpu_usage: 0.4, memory_usage: 120 },
        },
      },
    });
  });
  afterAll(async () => t.stop());

  test('kubectl get asks for a Table: NAME, the resource columns, ages, and the metadata as object', async () => {
    const r = await t.request('GET', collection, { headers: { Accept: tableAccept } });
    const table = r.json<Table>();
    expect(table.kind).toBe('Table');
    expect(table.apiVersion).toBe('meta.k8s.io/v1');
    expect(table.columnDefinitions.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Source', 0],
      ['Metrics', 0],
      ['Interval', 0],
      ['Ready', 0],
      ['Last Collected', 0],
      ['Age', 0],
      ['Values', 1],
      ['Generation', 1],
    ]);
    const row = table.rows[0];
    expect(row.cells.slice(0, 4)).toEqual([
      'tabled',
      'prometheus',
      'cpu_usage,memory_usage,request_count',
      '1m',
    ]);
    expect(row.cells[4]).toBe('<none>');
    expect(row.cells[5]).toMatch(/^(119|120|121|122)s$|^2m/);
    expect(row.cells[7]).toBe('cpu_usage=0.4,memory_usage=120');
    expect(row.cells[8]).toBe(1);
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'tabled' } });
  });

  test('includeObject=None leaves rows without objects; Object embeds the whole object', async () => {
    const none = (
      await t.request('GET', `${collection}?includeObject=None`, { headers: { Accept: tableAccept } })
    ).json<Table>();
    expect(none.rows[0].object).toBeUndefined();
    const whole = (
      await t.request('GET', `${collection}/tabled?includeObject=Object`, {
        headers: { Accept: tableAccept },
      })
    ).json<Table>();
    expect(whole.rows[0].object).toMatchObject({ kind: 'MetricSnapshot', spec: { source: 'prometheus' } });
  });

  test('the metadata client gets PartialObjectMetadataList and PartialObjectMetadata, skipping protobuf', async () => {
    const list = await t.request('GET', collection, {
      headers: {
        Accept:
          'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
      },
    });
    const body = list.json<{ kind: string; items: Record<string, unknown>[] }>();
    expect(body.kind).toBe('PartialObjectMetadataList');
    expect(body.items[0]).toEqual({
      apiVersion: 'meta.k8s.io/v1',
      kind: 'PartialObjectMetadata',
      metadata: expect.objectContaining({ name: 'tabled' }),
    });
    const one = await t.request('GET', `${collection}/tabled`, {
      headers: { Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' },
    });
    expect(one.json()).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'tabled' } });
    expect(one.json()).not.toHaveProperty('spec');
  });

  test('YAML is served on request and accepted as a body', async () => {
    const yaml = await t.request('GET', `${collection}/tabled`, { headers: { Accept: 'application/yaml' } });
    expect(yaml.headers['content-type']).toBe('application/yaml');
    expect(yaml.text).toContain('kind: MetricSnapshot');
    const created = await t.request('POST', collection, {
      body: 'apiVersion: metrics.example.com/v1\nkind: MetricSnapshot\nmetadata:\n  name: from-yaml\nspec:\n  source: prometheus\n  metrics: [up]\n',
      headers: { 'Content-Type': 'application/yaml' },
    });
    expect(created.status).toBe(201);
  });
});

describe('versions: v1beta1 is served and converts losslessly through storage', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.stop());

  test('an object written as v1beta1 reads back identically as v1beta1 and correctly as v1', async () => {
    const beta = '/apis/metrics.example.com/v1beta1/namespaces/default/metricsnapshots';
    const created = await t.request('POST', beta, {
      body: {
        apiVersion: 'metrics.example.com/v1beta1',
        kind: 'MetricSnapshot',
        metadata: { name: 'beta' },
        spec: { source: 'prometheus', metricNames: ['up', 'cpu_usage'], interval: '30s' },
      },
    });
    expect(created.status).toBe(201);
    const asBeta = created.json<Record<string, unknown> & { metadata: { resourceVersion: string } }>();
    const status = {
      lastCollectionTime: '2026-01-01T00:00:00Z',
      samples: [
        { metric: 'up', value: 1 },
        { metric: 'cpu_usage', value: 0.25 },
      ],
    };
    const written = (await t.request('PUT', `${beta}/beta/status`, { body: { ...asBeta, status } })).json<
      Record<string, unknown>
    >();
    expect(written.status).toEqual(status);

    const v1 = (
      await t.request('GET', '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots/beta')
    ).json<Record<string, unknown>>();
    expect(v1.apiVersion).toBe('metrics.example.com/v1');
    expect(v1.spec).toEqual({ source: 'prometheus', metrics: ['up', 'cpu_usage'], interval: '30s' });
    expect(v1.status).toEqual({
      lastCollectionTime: '2026-01-01T00:00:00Z',
      data: { up: 1, cpu_usage: 0.25 },
    });

    const back = (await t.request('GET', `${beta}/beta`)).json<Record<string, unknown>>();
    expect(back.spec).toEqual(asBeta.spec);
    expect(back.status).toEqual(status);
  });
});
