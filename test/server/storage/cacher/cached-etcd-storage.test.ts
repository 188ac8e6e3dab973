import type { KubeObject } from '../../../../api/types.js';
import {
  CachedStorage,
  type CachedStorageOptions,
} from '../../../../server/storage/cacher/cached-storage.js';
import type { EtcdStorage } from '../../../../server/storage/etcd/etcd-storage.js';
import { useEtcdStorage } from '../etcd/etcd-fixture.js';
import { describeStorageConformance, events, withTimeout } from '../../../../server/testing/index.js';

const resource = '/registry/example.com/things/';
const fixture = useEtcdStorage();

describeStorageConformance('CachedStorage(EtcdStorage)', {
  // Every top-level prefix of the suite is one cached resource; each backend gets its own etcd key space.
  open: async (options) =>
    new CachedStorage(await fixture.open(), { prefixDepth: 1, eventWindow: options?.historySize }),
  compact: (storage, resourceVersion) =>
    ((storage as CachedStorage).inner as EtcdStorage).compact(resourceVersion),
});

describe('CachedStorage(EtcdStorage)', () => {
  const watches = new AbortController();
  afterAll(() => watches.abort());

  /** A cached replica and a plain one on one key space, as two servers would be. */
  async function openReplicas(
    cacheOptions: CachedStorageOptions = {},
  ): Promise<{ cached: CachedStorage; other: EtcdStorage }> {
    const keyPrefix = fixture.newKeySpace();
    const cached = fixture.closeAfterSuite(
      new CachedStorage(await fixture.open({ keyPrefix }), cacheOptions),
    );
    const other = await fixture.open({ keyPrefix });
    return { cached, other };
  }

  it('serves consistent reads from memory, learning from etcd progress that a quiet resource is current', async () => {
    // Without progress marks, every read below would wait out this timeout and then ask etcd.
    const { cached, other } = await openReplicas({ freshnessTimeoutMs: 60_000 });
    const quiet = await other.create(`${resource}ns/quiet`, thing('quiet'));
    await cached.warm(resource);
    const reads = countCalls(cached.inner, 'get');
    const lists = countCalls(cached.inner, 'list');

    for (let i = 0; i < 5; i++) {
      // Another replica writes elsewhere, moving etcd's revision past anything under `resource`.
      await other.create(`/registry/example.com/others/ns/o${i}`, thing(`o${i}`));
      expect(await withTimeout(cached.get(`${resource}ns/quiet`), 'a read of a quiet resource')).toEqual(
        quiet,
      );
      expect((await withTimeout(cached.list(resource), 'a list of a quiet resource')).items).toEqual([quiet]);
    }
    expect(reads.count).toBe(0);
    expect(lists.count).toBe(0);
  });

  it('fans a resource out to many watchers through one etcd watch', async () => {
    const { cached, other } = await openReplicas();
    await cached.warm(resource);
    const upstream = countCalls(cached.inner as EtcdStorage, 'watchWithProgress');
    const start = await other.currentResourceVersion();
    const streams = Array.from({ length: 500 }, (_, i) =>
      events(cached.watch(i % 2 ? resource : `${resource}ns/`, start, watches.signal)),
    );
    const written = await other.create(`${resource}ns/a`, thing('a'));
    for (const stream of streams) expect(await stream.take(1)).toMatchObject([{ object: written }]);
    expect(upstream.count).toBe(0);
  });
});

function thing(name: string): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { namespace: 'ns', name, uid: name } };
}

/** Counts calls of one method of `target` from now on. */
function countCalls<K extends 'get' | 'list' | 'watchWithProgress'>(
  target: Partial<Record<K, (...args: never[]) => unknown>>,
  method: K,
): { count: number } {
  const calls = { count: 0 };
  const original = target[method];
  if (!original) throw new Error(`no method ${method}`);
  target[method] = (...args: never[]) => {
    calls.count += 1;
    return original.apply(target, args);
  };
  return calls;
}
