import type { KubeObject } from '../../../../api/types.js';
import {
  CachedStorage,
  type CachedStorageOptions,
} from '../../../../server/storage/cacher/cached-storage.js';
import type { StorageEvent } from '../../../../api/storage.js';
import { events, expectStorageError, rv, thing, withTimeout } from '../../../../server/testing/index.js';
import { ControllableStorage } from './controllable-storage.js';

/** Keys and objects laid out as the generic store does: `/registry/<group>/<plural>/<ns>/<name>`. */
const resource = '/registry/example.com/things/';
const keyOf = (namespace: string, name: string): string => `${resource}${namespace}/${name}`;
function object(namespace: string, name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'example.com/v1',
    kind: 'Thing',
    metadata: { namespace, name, uid: `${namespace}-${name}` },
    spec,
  };
}

describe('CachedStorage', () => {
  let backend: ControllableStorage;
  let cached: CachedStorage;
  let watches: AbortController;

  function open(
    options: CachedStorageOptions = {},
    backendOptions: ConstructorParameters<typeof ControllableStorage>[0] = {},
  ): void {
    backend = new ControllableStorage(backendOptions);
    cached = new CachedStorage(backend, options);
  }

  /** Makes the resource's cache and waits until it has listed. */
  async function warm(): Promise<void> {
    await cached.warm(resource);
  }

  function resetCalls(): void {
    backend.calls.get = 0;
    backend.calls.list = 0;
    backend.calls.watch = 0;
  }

  beforeEach(() => {
    watches = new AbortController();
  });

  afterEach(async () => {
    watches.abort();
    backend.release();
    await cached.close();
  });

  it('serves gets and lists from memory once warm, without asking the backend', async () => {
    open();
    await cached.create(keyOf('ns1', 'a'), object('ns1', 'a', { n: 1 }));
    await cached.create(keyOf('ns1', 'b'), object('ns1', 'b'));
    await cached.create(keyOf('ns2', 'c'), object('ns2', 'c'));
    await warm();
    resetCalls();

    expect(await cached.get(keyOf('ns1', 'a'))).toEqual(await backend.backend.get(keyOf('ns1', 'a')));
    expect(await cached.get(keyOf('ns1', 'missing'))).toBeUndefined();
    expect(await cached.list(resource)).toEqual(await backend.backend.list(resource));
    expect(await cached.list(`${resource}ns1/`, { limit: 1 })).toEqual(
      await backend.backend.list(`${resource}ns1/`, { limit: 1 }),
    );
    expect(backend.calls).toEqual({ get: 0, list: 0, watch: 0 });
  });

  it('answers reads from the backend at once while the cache is still filling, then from memory', async () => {
    open();
    await backend.create(keyOf('ns', 'a'), object('ns', 'a'));
    backend.holdNextList();
    const listed = await withTimeout(cached.list(resource), 'a list while the cache fills', 1000);
    expect(listed.items.map((item) => item.metadata.name)).toEqual(['a']);
    expect(await withTimeout(cached.get(keyOf('ns', 'a')), 'a read while the cache fills', 1000)).toEqual(
      listed.items[0],
    );
    expect(backend.calls).toMatchObject({ get: 1, list: 2 });
    backend.release();
    await warm();
    resetCalls();
    expect(await cached.list(resource)).toEqual(listed);
    expect(backend.calls).toMatchObject({ get: 0, list: 0 });
  });

  it('makes a read wait for a write acknowledged before it, rather than answer stale', async () => {
    open();
    const created = await cached.create(keyOf('ns1', 'a'), object('ns1', 'a', { n: 1 }));
    await warm();
    resetCalls();
    backend.hold();
    const updated = await cached.update(keyOf('ns1', 'a'), object('ns1', 'a', { n: 2 }), rv(created));
    setTimeout(() => backend.release(), 50);

    expect(await cached.get(keyOf('ns1', 'a'))).toEqual(updated);
    expect((await cached.list(resource)).items).toEqual([updated]);
    // Served by the cache once it caught up, not by the backend.
    expect(backend.calls).toEqual({ get: 0, list: 0, watch: 0 });
  });

  it('asks the backend when the cache does not catch up in time', async () => {
    open({ freshnessTimeoutMs: 100 });
    const created = await cached.create(keyOf('ns1', 'a'), object('ns1', 'a', { n: 1 }));
    await warm();
    resetCalls();
    backend.hold();
    const updated = await cached.update(keyOf('ns1', 'a'), object('ns1', 'a', { n: 2 }), rv(created));

    expect(await cached.get(keyOf('ns1', 'a'))).toEqual(updated);
    expect(backend.calls.get).toBe(1);
  });

  it('answers a get or list that takes any version (resourceVersion=0) from memory at once, even while it lags behind a write', async () => {
    open({ freshnessTimeoutMs: 60_000 });
    const created = await cached.create(keyOf('ns1', 'a'), object('ns1', 'a', { n: 1 }));
    await warm();
    resetCalls();
    backend.hold();
    await cached.update(keyOf('ns1', 'a'), object('ns1', 'a', { n: 2 }), rv(created));

    // A consistent read would wait for the held event; these take what the cache holds.
    expect(await cached.get(keyOf('ns1', 'a'), { anyVersion: true })).toEqual(created);
    expect((await cached.list(resource, { anyVersion: true })).items).toEqual([created]);
    expect(backend.calls).toEqual({ get: 0, list: 0, watch: 0 });
  });

  it('watches a resource and its namespaces through one upstream watch, for thousands of watchers', async () => {
    open();
    await warm();
    resetCalls();
    const namespaces = Array.from({ length: 10 }, (_, i) => `ns${i}`);
    const perNamespace = namespaces.map((namespace) =>
      Array.from({ length: 200 }, () =>
        events(cached.watch(`${resource}${namespace}/`, undefined, watches.signal)),
      ),
    );
    const whole = Array.from({ length: 100 }, () =>
      events(cached.watch(resource, undefined, watches.signal)),
    );
    expect(cached.cachedWatchCount).toBe(2_100);

    const created = await cached.create(keyOf('ns3', 'a'), object('ns3', 'a'));
    for (const stream of [...perNamespace[3], ...whole]) {
      expect(await stream.take(1)).toMatchObject([
        { type: 'ADDED', key: keyOf('ns3', 'a'), object: created },
      ]);
    }
    // Other namespaces saw nothing: their next event is the next write in their namespace.
    const later = await cached.create(keyOf('ns4', 'b'), object('ns4', 'b'));
    expect(await perNamespace[4][0].take(1)).toMatchObject([{ key: keyOf('ns4', 'b'), object: later }]);
    expect(backend.calls.watch).toBe(0);
  });

  it('replays a watch from a version inside its window from memory', async () => {
    open();
    await warm();
    const a = await cached.create(keyOf('ns1', 'a'), object('ns1', 'a'));
    const b = await cached.create(keyOf('ns2', 'b'), object('ns2', 'b'));
    const a2 = await cached.update(keyOf('ns1', 'a'), object('ns1', 'a', { n: 2 }), rv(a));
    resetCalls();

    const replayed = await events(cached.watch(resource, rv(a), watches.signal)).take(2);
    expect(replayed.map((event) => [event.type, event.resourceVersion])).toEqual([
      ['ADDED', rv(b)],
      ['MODIFIED', rv(a2)],
    ]);
    expect(replayed[1].previous).toEqual(a);
    expect(backend.calls.watch).toBe(0);
  });

  it('hands a watch from before its window to the backend, which still has the history', async () => {
    open({ eventWindow: 2 });
    await warm();
    const versions: string[] = [];
    for (let i = 0; i < 5; i++)
      versions.push(rv(await cached.create(keyOf('ns', `o${i}`), object('ns', `o${i}`))));
    // A consistent read waits until the cache has applied every write, and so moved its window.
    await cached.list(resource);
    resetCalls();

    const replayed = await events(cached.watch(resource, versions[0], watches.signal)).take(4);
    expect(replayed.map((event) => event.resourceVersion)).toEqual(versions.slice(1));
    expect(backend.calls.watch).toBe(1);
  });

  it('answers a watch from a version never issued with Expired', async () => {
    open();
    const created = await cached.create(keyOf('ns', 'a'), object('ns', 'a'));
    await warm();
    const future = String(Number(rv(created)) + 10);
    await expectStorageError(firstEvent(cached.watch(resource, future, watches.signal)), 'Expired');
  });

  it('ends a watcher that falls too far behind at once, dropping what it queued, and only that one', async () => {
    open({ eventWindow: 1, watcherQueueLimit: 3 });
    await warm();
    const slow = cached.watch(resource, undefined, watches.signal);
    const fast = events(cached.watch(resource, undefined, watches.signal));
    const versions: string[] = [];
    for (let i = 0; i < 5; i++) {
      versions.push(rv(await cached.create(keyOf('ns', `o${i}`), object('ns', `o${i}`))));
      expect((await fast.take(1))[0].resourceVersion).toBe(versions[i]);
    }

    const delivered: string[] = [];
    await withTimeout(
      (async () => {
        for await (const event of slow) delivered.push(event.resourceVersion);
      })(),
      'the slow watch to end',
    );
    expect(delivered).toEqual([]);
    const after = await cached.create(keyOf('ns', 'after'), object('ns', 'after'));
    expect((await fast.take(1))[0].resourceVersion).toBe(rv(after));
  });

  it('resumes its upstream watch where it was when it breaks, without relisting or losing events', async () => {
    open();
    await warm();
    const stream = events(cached.watch(resource, undefined, watches.signal));
    const before = await cached.create(keyOf('ns', 'a'), object('ns', 'a'));
    expect((await stream.take(1))[0].resourceVersion).toBe(rv(before));
    resetCalls();

    backend.hold();
    const during = await cached.create(keyOf('ns', 'b'), object('ns', 'b'));
    backend.cutWatches();
    backend.release();
    const after = await cached.create(keyOf('ns', 'c'), object('ns', 'c'));

    expect((await stream.take(2)).map((event) => event.resourceVersion)).toEqual([rv(during), rv(after)]);
    expect(backend.calls.watch).toBe(1);
    expect(backend.calls.list).toBe(0);
  });

  it('relists when its history expired, ending the watchers left behind with Expired', async () => {
    open({}, { historySize: 2 });
    await cached.create(keyOf('ns', 'a'), object('ns', 'a'));
    await warm();
    const behind = cached.watch(resource, undefined, watches.signal);
    resetCalls();

    // The cache misses more changes than the backend remembers: resuming is impossible.
    backend.hold();
    const written: KubeObject[] = [];
    for (let i = 0; i < 5; i++)
      written.push(await cached.create(keyOf('ns', `o${i}`), object('ns', `o${i}`)));
    backend.cutWatches();
    backend.release();

    await expectStorageError(firstEvent(behind), 'Expired');
    const listed = await cached.list(resource);
    expect(listed.items.map((item) => item.metadata.name)).toEqual(['a', 'o0', 'o1', 'o2', 'o3', 'o4']);
    expect(backend.calls.list).toBe(1);
    // The relisted cache serves new watches.
    const fresh = events(cached.watch(resource, listed.resourceVersion, watches.signal));
    const next = await cached.create(keyOf('ns', 'next'), object('ns', 'next'));
    expect((await fresh.take(1))[0].resourceVersion).toBe(rv(next));
  });

  it('serves a list continuation from memory while nothing changed, and from the backend after', async () => {
    open();
    for (const name of ['a', 'b', 'c']) await cached.create(keyOf('ns', name), object('ns', name));
    await warm();
    resetCalls();

    const first = await cached.list(resource, { limit: 1 });
    const second = await cached.list(resource, {
      limit: 1,
      startAfter: first.continueKey,
      resourceVersion: first.resourceVersion,
    });
    expect(second.items.map((item) => item.metadata.name)).toEqual(['b']);
    expect(second.resourceVersion).toBe(first.resourceVersion);
    expect(backend.calls.list).toBe(0);

    await cached.create(keyOf('ns', 'd'), object('ns', 'd'));
    await cached.list(resource); // the cache has applied the change
    resetCalls();
    await cached.list(resource, {
      limit: 1,
      startAfter: second.continueKey,
      resourceVersion: first.resourceVersion,
    });
    expect(backend.calls.list).toBe(1);
  });

  it('passes a resource to the backend when its objects are not where the key layout puts them', async () => {
    open();
    // The name says `/registry/example.com/things/ns/a`; the object lives elsewhere.
    await cached.create(keyOf('ns', 'elsewhere'), object('ns', 'a'));
    expect(await cached.get(keyOf('ns', 'elsewhere'))).toMatchObject({ metadata: { name: 'a' } });
    expect(await cached.get(keyOf('ns', 'a'))).toBeUndefined();
    resetCalls();
    expect(await cached.get(keyOf('ns', 'elsewhere'))).toMatchObject({ metadata: { name: 'a' } });
    expect(backend.calls.get).toBe(1);
  });

  it('keys objects that follow the generic store layout, namespaced or not', async () => {
    open();
    await cached.create(keyOf('ns', 'a'), object('ns', 'a'));
    await cached.create('/registry/example.com/clusterthings/b', thing('b'));
    await cached.warm(resource);
    await cached.warm('/registry/example.com/clusterthings/');
    resetCalls();
    expect(await cached.get(keyOf('ns', 'a'))).toMatchObject({ metadata: { name: 'a' } });
    expect(await cached.get('/registry/example.com/clusterthings/b')).toMatchObject({
      metadata: { name: 'b' },
    });
    expect(backend.calls.get).toBe(0);
  });

  it('passes keys and prefixes outside any one resource to the backend', async () => {
    open();
    await cached.create(keyOf('ns', 'a'), object('ns', 'a'));
    resetCalls();
    expect((await cached.list('/registry/')).items).toHaveLength(1);
    expect(await cached.get('/elsewhere')).toBeUndefined();
    expect(backend.calls).toEqual({ get: 1, list: 1, watch: 0 });
  });

  it('ends its watches and closes the backend when closed', async () => {
    open();
    await warm();
    const consumer = (async () => {
      const seen: StorageEvent[] = [];
      for await (const event of cached.watch(resource, undefined, watches.signal)) seen.push(event);
      return seen;
    })();
    await cached.close();
    expect(await withTimeout(consumer, 'the watch to end on close')).toEqual([]);
    await expectStorageError(cached.get(keyOf('ns', 'a')), 'Unavailable');
    await expectStorageError(backend.backend.checkHealth(), 'Unavailable');
  });
});

async function firstEvent(stream: AsyncIterable<StorageEvent>): Promise<StorageEvent | undefined> {
  const result = await stream[Symbol.asyncIterator]().next();
  return result.done ? undefined : result.value;
}
