import type { KubeObject } from '../../../api/types.js';
import type { RequestScope } from '../../../server/registry/request-scope.js';
import { Store } from '../../../server/registry/store.js';
import { metricSnapshot } from '../../../resources/metricsnapshot/index.js';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';

/** Memory storage that lets a test slip another writer's change in just before a write. */
class RacingStorage extends MemoryStorage {
  beforeNextWrite?: () => Promise<void>;

  private async race(): Promise<void> {
    const hook = this.beforeNextWrite;
    this.beforeNextWrite = undefined;
    await hook?.();
  }

  override async update(key: string, object: KubeObject, expected: string): Promise<KubeObject> {
    await this.race();
    return super.update(key, object, expected);
  }

  override async delete(key: string, expected?: string): Promise<KubeObject> {
    await this.race();
    return super.delete(key, expected);
  }

  override async create(key: string, object: KubeObject): Promise<KubeObject> {
    await this.race();
    return super.create(key, object);
  }
}

const version = metricSnapshot.versions.find((v) => v.name === 'v1')!;
const scope = (fieldManager = 'test'): RequestScope => ({
  namespace: 'default',
  version,
  user: { name: 'tester', groups: ['system:masters'] },
  dryRun: false,
  fieldManager,
  fieldValidation: 'Strict',
  warnings: [],
});
const snapshot = (name: string, finalizers?: string[]): KubeObject => ({
  apiVersion: 'metrics.example.com/v1',
  kind: 'MetricSnapshot',
  metadata: { name, namespace: 'default', ...(finalizers ? { finalizers } : {}) },
  spec: { source: 'prometheus', metrics: ['up'], interval: '1m' },
});

describe('Store writes that race another writer', () => {
  let storage: RacingStorage;
  let store: Store;
  beforeEach(() => {
    storage = new RacingStorage();
    store = new Store(metricSnapshot, storage, { keyRoot: '/registry' });
  });
  afterEach(async () => storage.close());

  /** A controller's status write lands between the delete's read and its write. */
  const concurrentStatusWrite = (name: string) => async (): Promise<void> => {
    const live = await store.get(scope(), name);
    await store.update(
      scope('controller'),
      name,
      { ...live, status: { lastCollectionTime: '2026-01-01T00:00:00Z', data: { up: 1 } } },
      'status',
    );
  };

  test('delete retries instead of answering 409 when the object changed under it', async () => {
    await store.create(scope(), snapshot('busy'));
    storage.beforeNextWrite = concurrentStatusWrite('busy');
    const result = await store.delete(scope(), 'busy', {});
    expect(result.deleted).toBe(true);
    await expect(store.get(scope(), 'busy')).rejects.toMatchObject({ code: 404 });
  });

  test('marking an object with finalizers for deletion retries too', async () => {
    await store.create(scope(), snapshot('held', ['example.com/hold']));
    storage.beforeNextWrite = concurrentStatusWrite('held');
    const result = await store.delete(scope(), 'held', {});
    expect(result.deleted).toBe(false);
    expect(result.object.metadata.deletionTimestamp).toBeDefined();
    expect(result.object.status).toEqual({ lastCollectionTime: '2026-01-01T00:00:00Z', data: { up: 1 } });
  });

  test("the client's own preconditions still answer 409", async () => {
    await store.create(scope(), snapshot('guarded'));
    await expect(
      store.delete(scope(), 'guarded', { preconditions: { resourceVersion: '1' } }),
    ).rejects.toMatchObject({ code: 409, reason: 'Conflict' });
  });

  test('an apply that creates, racing another create of the same name, applies to what won', async () => {
    storage.beforeNextWrite = async () => {
      await store.create(scope('other'), {
        ...snapshot('contended'),
        metadata: { name: 'contended', namespace: 'default', labels: { by: 'other' } },
      });
    };
    const result = await store.patch(
      scope('applier'),
      'contended',
      (live) => ({
        object: live
          ? { ...live, spec: { ...(live.spec as object), source: 'applied' } }
          : snapshot('contended'),
        managedFieldsSet: false,
      }),
      undefined,
      true,
    );
    expect(result.code).toBe(200);
    expect(result.object.metadata.labels).toEqual({ by: 'other' });
    expect((result.object.spec as { source: string }).source).toBe('applied');
  });

  test('a patch (applied to the live object, resourceVersion included) retries when it loses a race', async () => {
    await store.create(scope(), snapshot('patched'));
    storage.beforeNextWrite = concurrentStatusWrite('patched');
    const result = await store.patch(scope('patcher'), 'patched', (live) => ({
      object: { ...live!, metadata: { ...live!.metadata, labels: { patched: 'yes' } } },
      managedFieldsSet: false,
    }));
    expect(result.object.metadata.labels).toEqual({ patched: 'yes' });
    expect(result.object.status).toEqual({ lastCollectionTime: '2026-01-01T00:00:00Z', data: { up: 1 } });
  });

  test('a patch that names a stale resourceVersion is 409 without retrying', async () => {
    const created = (await store.create(scope(), snapshot('pinned'))).object;
    await concurrentStatusWrite('pinned')();
    let applied = 0;
    await expect(
      store.patch(scope('patcher'), 'pinned', (live) => {
        applied++;
        return {
          object: {
            ...live!,
            metadata: { ...live!.metadata, resourceVersion: created.metadata.resourceVersion },
          },
          managedFieldsSet: false,
        };
      }),
    ).rejects.toMatchObject({ code: 409, reason: 'Conflict' });
    expect(applied).toBe(1);
  });
});
