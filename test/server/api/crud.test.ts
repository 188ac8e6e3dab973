import { seedSnapshot, startTestServer, type TestServer } from '../support/test-server.js';

const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';

describe('MetricSnapshot CRUD through the generic REST handler', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.stop());

  test('create fills system metadata and defaults, and get returns the same object', async () => {
    const body = seedSnapshot('crud-create');
    delete (body.spec as Record<string, unknown>).interval;
    const created = await t.request('POST', collection, { body });
    expect(created.status).toBe(201);
    const object = created.json<{ metadata: Record<string, unknown>; spec: Record<string, unknown> }>();
    expect(object.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(object.metadata.creationTimestamp).toMatch(/Z$/);
    expect(object.metadata.generation).toBe(1);
    expect(object.metadata.resourceVersion).toMatch(/^[0-9]+$/);
    expect(object.spec.interval).toBe('1m');

    const fetched = await t.request('GET', `${collection}/crud-create`);
    expect(fetched.status).toBe(200);
    expect(fetched.json()).toEqual(object);
  });

  test('generateName makes a unique name with the prefix', async () => {
    const body = seedSnapshot();
    body.metadata = { generateName: 'snap-' };
    const created = await t.request('POST', collection, { body });
    expect(created.status).toBe(201);
    expect(created.json<{ metadata: { name: string } }>().metadata.name).toMatch(
      /^snap-[bcdfghjklmnpqrstvwxz2456789]{5}$/,
    );
  });

  test('a duplicate name is 409 AlreadyExists', async () => {
    await t.request('POST', collection, { body: seedSnapshot('dup') });
    const again = await t.request('POST', collection, { body: seedSnapshot('dup') });
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({
      kind: 'Status',
      reason: 'AlreadyExists',
      details: { name: 'dup', group: 'metrics.example.com' },
    });
  });

  test('update with a stale resourceVersion is 409 Conflict and leaves the object intact', async () => {
    const created = (await t.request('POST', collection, { body: seedSnapshot('stale') })).json<{
      metadata: { resourceVersion: string };
    }>();
    const spec = { ...(seedSnapshot().spec as Record<string, unknown>), source: 'datadog' };
    const fresh = {
      ...seedSnapshot('stale'),
      spec,
      metadata: { name: 'stale', resourceVersion: created.metadata.resourceVersion },
    };
    const updated = await t.request('PUT', `${collection}/stale`, { body: fresh });
    expect(updated.status).toBe(200);
    expect(updated.json<{ metadata: { generation: number } }>().metadata.generation).toBe(2);

    spec.source = 'graphite';
    const conflict = await t.request('PUT', `${collection}/stale`, { body: fresh });
    expect(conflict.status).toBe(409);
    expect(conflict.json()).toMatchObject({ reason: 'Conflict' });
    const stored = (await t.request('GET', `${collection}/stale`)).json<{ spec: { source: string } }>();
    expect(stored.spec.source).toBe('datadog');
  });

  test('main-resource writes cannot change status; /status writes cannot change spec', async () => {
    const created = (
      await t.request('POST', collection, {
        body: { ...seedSnapshot('split'), status: { data: { cpu_usage: 1 } } },
      })
    ).json<Record<string, unknown> & { metadata: { resourceVersion: string } }>();
    expect(created.status).toBeUndefined();
    const statusWrite = {
      ...created,
      spec: { source: 'ignored', metrics: ['x'] },
      status: { lastCollectionTime: '2026-01-01T00:00:00Z', data: { cpu_usage: 0.5 } },
    };
    const afterStatus = await t.request('PUT', `${collection}/split/status`, { body: statusWrite });
    expect(afterStatus.status).toBe(200);
    const object = afterStatus.json<{
      spec: { source: string };
      status: { data: Record<string, number> };
      metadata: { generation: number; resourceVersion: string };
    }>();
    expect(object.spec.source).toBe('prometheus');
    expect(object.status.data).toEqual({ cpu_usage: 0.5 });
    expect(object.metadata.generation).toBe(1);

    const mainWrite = { ...object, status: { data: { cpu_usage: 99 } } };
    const afterMain = (await t.request('PUT', `${collection}/split`, { body: mainWrite })).json<{
      status: { data: Record<string, number> };
    }>();
    expect(afterMain.status.data).toEqual({ cpu_usage: 0.5 });
  });

  test('delete answers the deleted object (custom resources return it, as kube does), then get is 404', async () => {
    const created = (await t.request('POST', collection, { body: seedSnapshot('gone') })).json<{
      metadata: { uid: string; resourceVersion: string };
    }>();
    const deleted = await t.request('DELETE', `${collection}/gone`);
    expect(deleted.status).toBe(200);
    const body = deleted.json<{
      kind: string;
      metadata: { name: string; uid: string; resourceVersion: string };
    }>();
    expect(body.kind).toBe('MetricSnapshot');
    expect(body.metadata.name).toBe('gone');
    expect(body.metadata.uid).toBe(created.metadata.uid);
    expect(Number(body.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    const missing = await t.request('GET', `${collection}/gone`);
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'metricsnapshots.metrics.example.com "gone" not found',
    });
  });

  test('delete preconditions that do not match are 409 and keep the object', async () => {
    await t.request('POST', collection, { body: seedSnapshot('guarded') });
    const refused = await t.request('DELETE', `${collection}/guarded`, {
      body: { preconditions: { uid: 'not-the-uid' } },
    });
    expect(refused.status).toBe(409);
    expect((await t.request('GET', `${collection}/guarded`)).status).toBe(200);
  });

  test('finalizers keep a deleted object (200, generation bumped) until they are removed', async () => {
    const body = seedSnapshot('finalized');
    (body.metadata as Record<string, unknown>).finalizers = ['example.com/hold'];
    await t.request('POST', collection, { body });
    const deleting = await t.request('DELETE', `${collection}/finalized`);
    expect(deleting.status).toBe(200);
    const marked = deleting.json<Record<string, unknown> & { metadata: Record<string, unknown> }>();
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.generation).toBe(2);
    // Deleting again changes nothing more.
    const again = await t.request('DELETE', `${collection}/finalized`);
    expect(again.json<{ metadata: Record<string, unknown> }>().metadata).toMatchObject({
      generation: 2,
      deletionTimestamp: marked.metadata.deletionTimestamp,
    });
    const reheld = { ...marked, metadata: { ...marked.metadata, finalizers: ['example.com/hold', 'late'] } };
    const refused = await t.request('PUT', `${collection}/finalized`, { body: reheld });
    expect(refused.status).toBe(422);
    expect(refused.json<{ message: string }>().message).toContain(
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted',
    );
    const released = { ...marked, metadata: { ...marked.metadata, finalizers: [] } };
    expect((await t.request('PUT', `${collection}/finalized`, { body: released })).status).toBe(200);
    expect((await t.request('GET', `${collection}/finalized`)).status).toBe(404);
  });

  test('a pending deletion is 202 only when orphanDependents=false was asked for', async () => {
    const body = seedSnapshot('accepted');
    (body.metadata as Record<string, unknown>).finalizers = ['example.com/hold'];
    await t.request('POST', collection, { body });
    const deleting = await t.request('DELETE', `${collection}/accepted`, {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', orphanDependents: false },
    });
    expect(deleting.status).toBe(202);
    expect(deleting.json()).toMatchObject({ kind: 'MetricSnapshot', metadata: { name: 'accepted' } });
    const both = await t.request('DELETE', `${collection}/accepted`, {
      body: { orphanDependents: true, propagationPolicy: 'Orphan' },
    });
    expect(both.status).toBe(422);
  });

  test('dryRun in the DeleteOptions body (how client-go sends it) deletes nothing', async () => {
    await t.request('POST', collection, { body: seedSnapshot('dry-del') });
    const dry = await t.request('DELETE', `${collection}/dry-del`, {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['All'] },
    });
    expect(dry.status).toBe(200);
    expect(dry.json()).toMatchObject({ kind: 'MetricSnapshot', metadata: { name: 'dry-del' } });
    expect((await t.request('GET', `${collection}/dry-del`)).status).toBe(200);
    const all = await t.request('DELETE', `${collection}?fieldSelector=metadata.name%3Ddry-del`, {
      body: { dryRun: ['All'] },
    });
    expect(all.status).toBe(200);
    expect(all.json<{ items: unknown[] }>().items).toHaveLength(1);
    expect((await t.request('GET', `${collection}/dry-del`)).status).toBe(200);
    const bad = await t.request('DELETE', `${collection}/dry-del`, { body: { dryRun: ['Some'] } });
    expect(bad.status).toBe(400);
  });

  test('create and deletecollection across all namespaces are 405, as kube serves only list and watch there', async () => {
    await t.request('POST', collection, { body: seedSnapshot('everywhere') });
    const all = '/apis/metrics.example.com/v1/metricsnapshots';
    const wiped = await t.request('DELETE', all);
    expect(wiped.status).toBe(405);
    expect(wiped.json()).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed' });
    expect((await t.request('GET', `${collection}/everywhere`)).status).toBe(200);
    expect((await t.request('POST', all, { body: seedSnapshot('nowhere') })).status).toBe(405);
  });

  test('dryRun=All validates and answers without storing', async () => {
    const created = await t.request('POST', `${collection}?dryRun=All`, { body: seedSnapshot('dry') });
    expect(created.status).toBe(201);
    expect((await t.request('GET', `${collection}/dry`)).status).toBe(404);
  });

  test('deletecollection removes what the selector matches only', async () => {
    for (const [name, team] of [
      ['dc-a', 'red'],
      ['dc-b', 'red'],
      ['dc-c', 'blue'],
    ]) {
      const body = seedSnapshot(name);
      (body.metadata as Record<string, unknown>).labels = { team };
      await t.request('POST', collection, { body });
    }
    const deleted = await t.request('DELETE', `${collection}?labelSelector=team%3Dred`);
    expect(deleted.status).toBe(200);
    expect(deleted.json<{ items: unknown[] }>().items).toHaveLength(2);
    const left = (await t.request('GET', `${collection}?labelSelector=team`)).json<{
      items: { metadata: { name: string } }[];
    }>();
    expect(left.items.map((i) => i.metadata.name)).toEqual(['dc-c']);
  });
});
