import { metricSnapshot } from '../../../resources/metricsnapshot/index.js';
import { MetricSnapshotCollector } from '../../../server/collector/metricsnapshot-collector.js';
import { prometheusSource } from '../../../server/collector/sources/prometheus-source.js';
import type { MetricSourcePlugin } from '../../../server/collector/metric-source.js';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';
import { seedSnapshot, startTestServer, type TestServer } from '../support/test-server.js';

const collection = '/apis/metrics.example.com/v1/namespaces/default/metricsnapshots';
const betaCollection = '/apis/metrics.example.com/v1beta1/namespaces/default/metricsnapshots';
const otel: MetricSourcePlugin = { name: 'otel', open: () => ({ read: async () => 1 }) };

function withSource(name: string, source: string): Record<string, unknown> {
  const snapshot = seedSnapshot(name) as { spec: Record<string, unknown> };
  snapshot.spec.source = source;
  return snapshot;
}

describe('spec.source on a server that collects', () => {
  const storage = new MemoryStorage();
  let collecting: TestServer;
  let plain: TestServer;

  beforeAll(async () => {
    const collector = new MetricSnapshotCollector({
      resource: metricSnapshot,
      sources: [prometheusSource, otel],
    });
    collecting = await startTestServer({ serve: { storage, controllers: [collector] } });
    // The same objects, served without the collector: it lets any source in.
    plain = await startTestServer({ serve: { storage } });
  });
  afterAll(async () => {
    await collecting?.stop();
    await plain?.stop();
    await storage.close();
  });

  test('an unknown source is refused with the list of supported ones, in every version', async () => {
    const refused = await collecting.request('POST', collection, { body: withSource('datadog', 'datadog') });
    expect(refused.status).toBe(422);
    expect(refused.json()).toMatchObject({
      reason: 'Invalid',
      message:
        'MetricSnapshot.metrics.example.com "datadog" is invalid: spec.source: Unsupported value: "datadog": supported values: "otel", "prometheus"',
      details: { causes: [{ reason: 'FieldValueNotSupported', field: 'spec.source' }] },
    });
    const beta = {
      apiVersion: 'metrics.example.com/v1beta1',
      kind: 'MetricSnapshot',
      metadata: { name: 'beta' },
      spec: { source: 'statsd', metricNames: ['up'] },
    };
    expect((await collecting.request('POST', betaCollection, { body: beta })).status).toBe(422);
  });

  test('a supported source is accepted', async () => {
    expect((await collecting.request('POST', collection, { body: withSource('otel', 'otel') })).status).toBe(
      201,
    );
    const moved = await collecting.request('PATCH', `${collection}/otel`, {
      body: { spec: { source: 'nowhere' } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(moved.status).toBe(422);
  });

  test('an object whose source is no longer supported can still be changed, but not to another unknown one', async () => {
    expect((await plain.request('POST', collection, { body: withSource('legacy', 'graphite') })).status).toBe(
      201,
    );
    const patch = (body: unknown) =>
      collecting.request('PATCH', `${collection}/legacy`, {
        body,
        headers: { 'Content-Type': 'application/merge-patch+json' },
      });
    expect((await patch({ spec: { interval: '5m' } })).status).toBe(200);
    expect((await patch({ spec: { source: 'statsd' } })).status).toBe(422);
    expect((await patch({ spec: { source: 'prometheus' } })).status).toBe(200);
  });

  test('the check is the admission plugin MetricSnapshotSource, which can be turned off', async () => {
    const collector = new MetricSnapshotCollector({ resource: metricSnapshot, sources: [prometheusSource] });
    const lax = await startTestServer({
      args: ['--disable-admission-plugins=MetricSnapshotSource'],
      serve: { controllers: [collector] },
    });
    try {
      expect((await lax.request('POST', collection, { body: withSource('any', 'anything') })).status).toBe(
        201,
      );
    } finally {
      await lax.stop();
    }
  });
});
