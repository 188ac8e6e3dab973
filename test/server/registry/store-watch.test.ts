import type { KubeObject } from '../../../api/index.js';
import { storageKey } from '../../../api/storage-key.js';
import type { RequestScope } from '../../../server/registry/request-scope.js';
import { Store, type StoreWatchEvent, type WatchQuery } from '../../../server/registry/store.js';
import { CachedStorage } from '../../../server/storage/cacher/cached-storage.js';
import { MemoryStorage } from '../../../server/storage/memory-storage.js';
import { metricSnapshot } from '../../../resources/metricsnapshot/index.js';
import { requestScope } from '../support/request-scope.js';

const v1 = metricSnapshot.versions.find((v) => v.name === 'v1')!;
const v1beta1 = metricSnapshot.versions.find((v) => v.name === 'v1beta1')!;
const scope = (version = v1): RequestScope => requestScope(version);
const snapshot = (name: string): KubeObject => ({
  apiVersion: 'metrics.example.com/v1',
  kind: 'MetricSnapshot',
  metadata: { namespace: 'default', name, labels: { app: 'x' } },
  spec: { source: 'prometheus', metrics: ['up'], interval: '1m' },
});

describe('watchEvents', () => {
  const prefix = storageKey({ root: '', group: 'metrics.example.com', plural: 'metricsnapshots' });
  let cached: CachedStorage;
  let store: Store;
  let stop: AbortController;
  beforeEach(async () => {
    cached = new CachedStorage(new MemoryStorage(), { prefixes: [prefix] });
    store = new Store(metricSnapshot, cached);
    stop = new AbortController();
    await store.list(scope(), {}); // the cache is ready
  });
  afterEach(async () => {
    stop.abort();
    await cached.close();
  });

  /** The next `count` changes each watcher gets, after `write` runs. */
  async function changes(
    watchers: { readonly version?: typeof v1; readonly query?: WatchQuery }[],
    write: () => Promise<void>,
    count: number,
  ): Promise<StoreWatchEvent[][]> {
    const { metadata } = await store.list(scope(), {});
    const opened = await Promise.all(
      watchers.map(({ version, query }) =>
        store.watch(scope(version), { resourceVersion: metadata.resourceVersion, ...query }, stop.signal),
      ),
    );
    await write();
    return Promise.all(
      opened.map(async (watch) => {
        const got: StoreWatchEvent[] = [];
        while (got.length < count) got.push((await watch.events.next()).value as StoreWatchEvent);
        return got;
      }),
    );
  }

  test('a watcher without a selector, in the storage version, gets each change as the JSON stored, the same for every watcher and equal to its object encoded', async () => {
    const [first, second] = await changes(
      [{}, {}],
      async () => {
        const created = await store.create(scope(), snapshot('a'));
        await store.update(scope(), 'a', {
          ...created.object,
          spec: { source: 'prometheus', metrics: ['a'] },
        });
        await store.delete(scope(), 'a', {});
      },
      3,
    );
    expect(first.map((event) => event.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    first.forEach((event, i) => {
      expect(event.encoded).toBeDefined();
      expect(event.encoded!.json).toBe(JSON.stringify(event.object));
      expect(second[i].encoded!.change).toBe(event.encoded!.change);
    });
  });

  test('a watcher with a selector, of one name or in a version that converts gets its own decoded objects and no shared JSON', async () => {
    const watchers = await changes(
      [{ query: { labelSelector: 'app=x' } }, { query: { name: 'a' } }, { version: v1beta1 }],
      async () => void (await store.create(scope(), snapshot('a'))),
      1,
    );
    for (const [event] of watchers) {
      expect(event).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'a' } } });
      expect(event.encoded).toBeUndefined();
    }
    expect(watchers[2][0].object?.apiVersion).toBe('metrics.example.com/v1beta1');
  });
});
