import type { AdmissionAttributes } from '../../../server/admission/admission-plugin.js';
import { isApiError, type ApiError } from '../../../server/api/errors.js';
import type { ResourceClient } from '../../../server/controllers/resource-client.js';
import { metricSnapshot } from '../../../resources/metricsnapshot/index.js';
import type { KubeObject } from '../../../api/index.js';
import { seedSnapshot, startTestServer, type TestServer } from '../support/test-server.js';
import { ProbeController } from './support/probe-controller.js';

const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (isApiError(error)) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

describe('the in-process client a controller gets', () => {
  let t: TestServer;
  let client: ResourceClient;
  const admitted: AdmissionAttributes[] = [];

  beforeAll(async () => {
    const probe = new ProbeController();
    t = await startTestServer({
      serve: {
        controllers: [probe],
        admission: [{ name: 'Recorder', validate: async (a) => void admitted.push(a) }],
      },
    });
    client = (await probe.context).client(metricSnapshot);
  });
  afterAll(async () => t?.stop());

  test('creates, reads, lists and deletes objects that HTTP clients see', async () => {
    const created = await client.create(seedSnapshot('from-controller') as KubeObject);
    expect(created.metadata.uid).toBeDefined();
    expect((await t.request('GET', `${collection}/from-controller`)).status).toBe(200);
    expect((await client.get('default', 'from-controller')).metadata.uid).toBe(created.metadata.uid);
    const names = (await client.list({ namespace: 'default' })).items.map((o) => o.metadata.name);
    expect(names).toContain('from-controller');
    await client.delete('default', 'from-controller');
    expect((await t.request('GET', `${collection}/from-controller`)).status).toBe(404);
  });

  test('writes as system:apiserver, with the controller name as field manager, through admission', async () => {
    admitted.length = 0;
    const created = await client.create(seedSnapshot('identity') as KubeObject);
    expect(admitted).toHaveLength(1);
    expect(admitted[0].user).toMatchObject({
      name: 'system:apiserver',
      groups: expect.arrayContaining(['system:masters']),
    });
    expect(created.metadata.managedFields?.map((f) => f.manager)).toEqual(['probe']);
  });

  test('validates like an HTTP write: an invalid object is a 422 Invalid, an unknown field a 400', async () => {
    const invalid = seedSnapshot('invalid') as KubeObject & { spec: Record<string, unknown> };
    invalid.spec.interval = '1ms';
    const refused = await failure(client.create(invalid));
    expect(refused.code).toBe(422);
    expect(refused.message).toContain('must be a duration between 1s and 24h');
    const unknown = { ...seedSnapshot('unknown-field'), extra: true } as unknown as KubeObject;
    const strict = await failure(client.create(unknown));
    expect(strict.code).toBe(400);
    expect(strict.message).toContain('unknown field "extra"');
  });

  test('an update with a stale resourceVersion is a 409 Conflict', async () => {
    const created = await client.create(seedSnapshot('stale') as KubeObject);
    const spec = created.spec as Record<string, unknown>;
    await client.update({ ...created, spec: { ...spec, interval: '2m' } });
    const conflict = await failure(client.update({ ...created, spec: { ...spec, interval: '3m' } }));
    expect(conflict.code).toBe(409);
    expect(conflict.reason).toBe('Conflict');
  });

  test('a status update changes status only, and leaves the generation', async () => {
    const created = await client.create(seedSnapshot('status-only') as KubeObject);
    const written = await client.updateStatus({
      ...created,
      spec: { source: 'changed', metrics: ['x'] },
      status: { lastCollectionTime: '2026-01-01T00:00:00Z', data: { cpu_usage: 0.5 } },
    });
    expect(written.spec).toEqual(created.spec);
    expect(written.status).toEqual({ lastCollectionTime: '2026-01-01T00:00:00Z', data: { cpu_usage: 0.5 } });
    expect(written.metadata.generation).toBe(created.metadata.generation);
    const overHttp = (await t.request('GET', `${collection}/status-only`)).json<{ status: unknown }>();
    expect(overHttp.status).toEqual(written.status);
  });

  test('speaks another version when asked, by definition or by name', async () => {
    const probe = new ProbeController('versions');
    const server = await startTestServer({ serve: { controllers: [probe] } });
    try {
      const context = await probe.context;
      const v1 = context.client('metricsnapshots.metrics.example.com');
      const created = await v1.create(seedSnapshot('versions') as KubeObject);
      await v1.updateStatus({ ...created, status: { data: { cpu_usage: 2 } } });
      const beta = await context.client(metricSnapshot, 'v1beta1').get('default', 'versions');
      expect(beta.apiVersion).toBe('metrics.example.com/v1beta1');
      expect(beta.status).toEqual({ samples: [{ metric: 'cpu_usage', value: 2 }] });
      expect(() => context.client('widgets.acme.io')).toThrow('the server does not serve widgets.acme.io');
      expect(() => context.client(metricSnapshot, 'v9')).toThrow('has no served version v9');
    } finally {
      await server.stop();
    }
  });

  test('watches: the current state first, then changes made over HTTP', async () => {
    const stop = new AbortController();
    try {
      const watch = await client.watch({ namespace: 'default' }, stop.signal);
      expect(watch.initial.map((o) => o.metadata.name)).toContain('identity');
      expect((await t.request('POST', collection, { body: seedSnapshot('watched') })).status).toBe(201);
      const next = await watch.events.next();
      expect(next.value).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'watched' } } });
    } finally {
      stop.abort();
    }
  });
});
