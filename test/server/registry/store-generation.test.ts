import type { KubeObject } from '../../../api/types.js';
import type { RequestScope } from '../../../server/registry/request-scope.js';
import { Store } from '../../../server/registry/store.js';
import { metricSnapshot } from '../../../resources/metricsnapshot/index.js';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';

const version = metricSnapshot.versions.find((v) => v.name === 'v1')!;
const scope: RequestScope = {
  namespace: 'default',
  version,
  user: { name: 'tester', groups: ['system:masters'] },
  dryRun: false,
  fieldManager: 'test',
  fieldValidation: 'Strict',
  warnings: [],
};
const snapshot: KubeObject = {
  apiVersion: 'metrics.example.com/v1',
  kind: 'MetricSnapshot',
  metadata: { name: 'counted', namespace: 'default' },
  spec: { source: 'prometheus', metrics: ['up'], interval: '1m' },
};
const status = { lastCollectionTime: '2026-01-01T00:00:00Z', data: { up: 1 } };

describe('metadata.generation', () => {
  let storage: MemoryStorage;
  beforeEach(() => {
    storage = new MemoryStorage();
  });
  afterEach(async () => storage.close());

  test('without a status subresource, a status change is a change of the object and counts', async () => {
    const store = new Store({ ...metricSnapshot, subresources: { status: false } }, storage, {
      keyRoot: '/registry',
    });
    const created = (await store.create(scope, snapshot)).object;
    const updated = (await store.update(scope, 'counted', { ...created, status }, undefined)).object;
    expect(updated.status).toEqual(status);
    expect(updated.metadata.generation).toBe(2);
    const relabelled = (
      await store.update(
        scope,
        'counted',
        { ...updated, metadata: { ...updated.metadata, labels: { a: 'b' } } },
        undefined,
      )
    ).object;
    expect(relabelled.metadata.generation).toBe(2);
  });

  test('with a status subresource, a /status write does not count', async () => {
    const store = new Store(metricSnapshot, storage, { keyRoot: '/registry' });
    const created = (await store.create(scope, snapshot)).object;
    const updated = (await store.update(scope, 'counted', { ...created, status }, 'status')).object;
    expect(updated.status).toEqual(status);
    expect(updated.metadata.generation).toBe(1);
  });
});
