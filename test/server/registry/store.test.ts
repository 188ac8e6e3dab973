import type { KubeObject } from '../../../api/index.js';
import { StorageError, type GetOptions, type ListOptions, type ListResult } from '../../../api/storage.js';
import type { RequestScope } from '../../../server/registry/request-scope.js';
import { Store } from '../../../server/registry/store.js';
import { metricSnapshot } from '../../../resources/metricsnapshot/index.js';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';
import { CachedStorage } from '../../../server/storage/cacher/cached-storage.js';
import { storageKey } from '../../../api/storage-key.js';
import { requestScope } from '../support/request-scope.js';
import { type IncludeObject, toTable } from '../../../server/registry/representations.js';

/** A storage whose first creates find their key taken, as a generated name that collides would. */
class CollidingStorage extends MemoryStorage {
  collisions = 0;
  readonly triedKeys: string[] = [];
  readonly reads: { readonly get?: GetOptions; readonly list?: ListOptions }[] = [];
  override async get(key: string, options?: GetOptions): Promise<KubeObject | undefined> {
    this.reads.push({ get: options });
    return super.get(key);
  }
  override async list(prefix: string, options?: ListOptions): Promise<ListResult> {
    this.reads.push({ list: options });
    return super.list(prefix, options);
  }
  override async create(key: string, object: KubeObject): Promise<KubeObject> {
    this.triedKeys.push(key);
    if (this.collisions-- > 0) throw new StorageError('KeyExists', key);
    return super.create(key, object);
  }
}

const version = metricSnapshot.versions.find((v) => v.name === 'v1')!;
const scope = (warnings: string[] = []): RequestScope => requestScope(version, warnings);
const snapshot = (metadata: KubeObject['metadata']): KubeObject => ({
  apiVersion: 'metrics.example.com/v1',
  kind: 'MetricSnapshot',
  metadata: { namespace: 'default', ...metadata },
  spec: { source: 'prometheus', metrics: ['up'], interval: '1m' },
});

describe('Store', () => {
  let storage: CollidingStorage;
  beforeEach(() => {
    storage = new CollidingStorage();
  });
  afterEach(async () => storage.close());

  test('a generated name that collides is generated again, as kube retries it', async () => {
    const store = new Store(metricSnapshot, storage);
    storage.collisions = 2;
    const created = await store.create(scope(), snapshot({ generateName: 'snap-' }));
    expect(created.code).toBe(201);
    expect(new Set(storage.triedKeys).size).toBe(3);
    expect(created.object.metadata.name).toMatch(/^snap-/);
  });

  test('a GET or first list page with resourceVersion=0 lets the storage answer with any recent version; others read the present', async () => {
    const store = new Store(metricSnapshot, storage);
    await store.create(scope(), snapshot({ name: 'mine' }));
    storage.reads.length = 0;
    await store.get(scope(), 'mine', { resourceVersion: '0' });
    await store.get(scope(), 'mine');
    await store.get(scope(), 'mine', { resourceVersion: '1' });
    await store.list(scope(), { resourceVersion: '0' });
    await store.list(scope(), {});
    expect(storage.reads.map((read) => read.get?.anyVersion ?? read.list?.anyVersion ?? false)).toEqual([
      true,
      false,
      false,
      true,
      false,
    ]);
  });

  test('a name the client chose that exists is 409, without retrying', async () => {
    const store = new Store(metricSnapshot, storage);
    storage.collisions = 1;
    await expect(store.create(scope(), snapshot({ name: 'mine' }))).rejects.toMatchObject({
      status: { code: 409, reason: 'AlreadyExists' },
    });
    expect(storage.triedKeys).toHaveLength(1);
  });

  test('with a garbage collector, Foreground waits for it through a finalizer', async () => {
    const store = new Store(metricSnapshot, storage);
    await store.create(scope(), snapshot({ name: 'held' }));
    const result = await store.delete(scope(), 'held', { propagationPolicy: 'Foreground' });
    expect(result.deleted).toBe(false);
    expect(result.object.metadata.finalizers).toEqual(['foregroundDeletion']);
  });

  test('without a garbage collector, Foreground and Orphan deletes finish at once and say why', async () => {
    const store = new Store(metricSnapshot, storage, { garbageCollector: false });
    for (const propagationPolicy of ['Foreground', 'Orphan'] as const) {
      await store.create(scope(), snapshot({ name: propagationPolicy.toLowerCase() }));
      const warnings: string[] = [];
      const result = await store.delete(scope(warnings), propagationPolicy.toLowerCase(), {
        propagationPolicy,
      });
      expect(result.deleted).toBe(true);
      expect(warnings).toEqual([
        expect.stringContaining(`propagationPolicy ${propagationPolicy} needs a garbage collector`),
      ]);
    }
  });

  test('a list at a resourceVersion that is not a decimal number is 400', async () => {
    const store = new Store(metricSnapshot, storage);
    await expect(store.list(scope(), { resourceVersion: '1e3' })).rejects.toMatchObject({
      status: { code: 400, message: 'invalid resource version "1e3"' },
    });
  });

  test('a storage outage keeps the reason the backend gives', async () => {
    const store = new Store(metricSnapshot, storage);
    storage.get = async (key) => Promise.reject(new StorageError('Unavailable', key, 'the disk is full'));
    await expect(store.get(scope(), 'x')).rejects.toMatchObject({
      status: { code: 503, message: 'storage is unavailable: the disk is full' },
    });
  });

  test('a list at a resourceVersion the storage has not reached is 504 Too large resource version', async () => {
    const store = new Store(metricSnapshot, storage);
    await expect(store.list(scope(), { resourceVersion: '99999999' })).rejects.toMatchObject({
      status: {
        code: 504,
        reason: 'Timeout',
        message: 'Too large resource version: 99999999, current: 1',
        details: { causes: [{ reason: 'ResourceVersionTooLarge' }], retryAfterSeconds: 1 },
      },
    });
  });
});

describe('Store on a watch cache', () => {
  const prefix = storageKey({ root: '', group: 'metrics.example.com', plural: 'metricsnapshots' });
  const now = Date.parse('2026-12-07T12:00:00Z');
  let cached: CachedStorage;
  let store: Store;
  beforeEach(async () => {
    cached = new CachedStorage(new MemoryStorage(), { prefixes: [prefix] });
    store = new Store(metricSnapshot, cached);
    for (const name of ['a', 'b', 'c']) {
      await store.create(scope(), snapshot({ name, labels: { name } }));
    }
  });
  afterEach(async () => cached.close());

  describe('listEncoded', () => {
    test('answers an unselective list in the storage version with the bytes the watch cache holds, as the decoded list encodes', async () => {
      expect(await store.listEncoded(scope(), {})).toBe(JSON.stringify(await store.list(scope(), {})));
      const page = await store.listEncoded(scope(), { limit: 2 });
      expect(page).toBe(JSON.stringify(await store.list(scope(), { limit: 2 })));
      expect(JSON.parse(page!)).toMatchObject({ metadata: { remainingItemCount: 1 } });
      expect(await store.listEncoded(scope(), { resourceVersion: '0' })).toBe(
        JSON.stringify(await store.list(scope(), { resourceVersion: '0' })),
      );
    });

    test('declines a list with a selector, in a version that converts, or from a storage without a cache', async () => {
      expect(await store.listEncoded(scope(), { labelSelector: 'name=a' })).toBeUndefined();
      expect(await store.listEncoded(scope(), { fieldSelector: 'metadata.name=a' })).toBeUndefined();
      const v1beta1 = metricSnapshot.versions.find((v) => v.name === 'v1beta1')!;
      expect(await store.listEncoded({ ...scope(), version: v1beta1 }, {})).toBeUndefined();
      const uncached = new MemoryStorage();
      expect(await new Store(metricSnapshot, uncached).listEncoded(scope(), {})).toBeUndefined();
      await uncached.close();
    });
  });

  describe('listTable', () => {
    test('answers the Table toTable makes of the decoded list, for each includeObject, paged and in a version that converts', async () => {
      const v1beta1 = metricSnapshot.versions.find((v) => v.name === 'v1beta1')!;
      for (const inVersion of [scope(), { ...scope(), version: v1beta1 }]) {
        for (const includeObject of ['None', 'Metadata', 'Object'] as IncludeObject[]) {
          for (const query of [{}, { limit: 2 }, { resourceVersion: '0' }]) {
            const list = await store.list(inVersion, query);
            for (const at of [now, now + 3 * 86_400_000]) {
              const table = toTable(list.items, list.metadata, inVersion.version, 'v1', includeObject, at);
              const encoded = await store.listTable(
                inVersion,
                query,
                { metaVersion: 'v1', includeObject },
                at,
              );
              expect(String(encoded)).toBe(JSON.stringify(table));
            }
          }
        }
      }
    });

    test('works out a row once per object version and Table shape: later lists reuse it, a change makes a new one', async () => {
      const cellsOf: string[] = [];
      const counted = {
        ...version,
        columns: version.columns.map((column) => ({
          ...column,
          cell: (object: KubeObject) => {
            cellsOf.push(object.metadata.name!);
            return column.cell(object);
          },
        })),
      };
      const inCounted = { ...scope(), version: counted };
      const table = { metaVersion: 'v1', includeObject: 'Metadata' as const };
      await store.listTable(inCounted, {}, table, now);
      const perList = cellsOf.length;
      expect(perList).toBe(3 * version.columns.length);
      const ages = async (at: number): Promise<unknown[]> => {
        const { rows } = JSON.parse(String(await store.listTable(inCounted, {}, table, at))) as {
          rows: { cells: unknown[] }[];
        };
        return rows.map((row) => row.cells[version.columns.findIndex((c) => c.name === 'Age') + 1]);
      };
      expect(await ages(Date.now() + 2 * 3_600_000)).toEqual(['120m', '120m', '120m']);
      expect(cellsOf).toHaveLength(perList);
      const live = await store.get(scope(), 'b');
      await store.update(scope(), 'b', {
        ...live,
        spec: { ...(live.spec as object), metrics: ['up', 'down'] },
      });
      const after = JSON.parse(String(await store.listTable(inCounted, {}, table, now))) as {
        rows: { object: KubeObject }[];
      };
      expect(cellsOf.slice(perList)).toEqual(Array(version.columns.length).fill('b'));
      expect(after.rows[1].object.metadata.resourceVersion).not.toBe(live.metadata.resourceVersion);
      await store.listTable(inCounted, {}, { ...table, includeObject: 'Object' }, now);
      expect(cellsOf).toHaveLength(perList * 2 + version.columns.length);
    });

    test('declines a list with a selector or from a storage without a cache', async () => {
      const table = { metaVersion: 'v1', includeObject: 'Metadata' as const };
      expect(await store.listTable(scope(), { labelSelector: 'name=a' }, table)).toBeUndefined();
      const uncached = new MemoryStorage();
      expect(await new Store(metricSnapshot, uncached).listTable(scope(), {}, table)).toBeUndefined();
      await uncached.close();
    });
  });
});
