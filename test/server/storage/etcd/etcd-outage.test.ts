import type { KubeObject } from '../../../../api/types.js';
import { CachedStorage } from '../../../../server/storage/cacher/cached-storage.js';
import type { EtcdStorage } from '../../../../server/storage/etcd/etcd-storage.js';
import { type Storage, StorageError, type StorageEvent } from '../../../../api/storage.js';
import { useEtcdStorage } from './etcd-fixture.js';
import { expectStorageError, rv, withTimeout } from '../../../../server/testing/index.js';

/**
 * etcd going away and coming back, with a real etcd that is stopped, killed or frozen.
 *
 * Nothing may crash the process meanwhile: no unhandled rejection, no unhandled stream error.
 * jest-circus already fails the running test on either (it replaces the process's
 * `unhandledRejection` and `uncaughtException` listeners with its own, and the `process` a test
 * sees is a copy, so a listener of ours would never be called), which is the guard here.
 */

/** How long a call may take to fail while etcd is away: its deadline plus slack. */
const REQUEST_TIMEOUT_MS = 1_000;
const FAIL_FAST_MS = REQUEST_TIMEOUT_MS + 1_000;
const resource = '/registry/example.com/things/';

const fixture = useEtcdStorage();

/** Two servers' worth of storage on one key space: a plain backend and a cached one. */
async function openPair(): Promise<{ direct: EtcdStorage; cached: CachedStorage }> {
  const options = { keyPrefix: fixture.newKeySpace(), requestTimeoutMs: REQUEST_TIMEOUT_MS };
  const direct = await fixture.open(options);
  const cached = fixture.closeAfterSuite(new CachedStorage(await fixture.open(options)));
  return { direct, cached };
}

describe('storage on etcd that goes away', () => {
  const watches = new AbortController();
  afterAll(() => watches.abort());

  it.each([
    ['stopped', () => fixture.etcd().stop()],
    ['killed with SIGKILL', () => fixture.etcd().kill()],
  ])(
    'fails fast while etcd is %s, recovers by itself, and its watches resume without a gap',
    async (_how, takeDown) => {
      const { direct, cached } = await openPair();
      const a = await direct.create(`${resource}ns/a`, thing('a'));
      await cached.warm(resource);
      const watchedDirectly = collect(direct.watch(resource, rv(a), watches.signal));
      const watchedThroughCache = collect(cached.watch(resource, rv(a), watches.signal));
      const b = await cached.create(`${resource}ns/b`, thing('b'));
      await waitUntil(() => watchedDirectly.events.length === 1 && watchedThroughCache.events.length === 1);

      await takeDown();
      for (const storage of [direct, cached]) {
        await expectFastFailure(storage.get(`${resource}ns/a`));
        await expectFastFailure(storage.list(resource));
        await expectFastFailure(storage.create(`${resource}ns/c`, thing('c')));
        await expectFastFailure(storage.update(`${resource}ns/a`, thing('a'), rv(a)));
        await expectFastFailure(storage.delete(`${resource}ns/b`));
        await expectFastFailure(storage.currentResourceVersion());
        await expectFastFailure(storage.checkHealth());
      }

      await fixture.etcd().start();
      await waitUntilHealthy(direct);
      await waitUntilHealthy(cached);
      const c = await direct.create(`${resource}ns/c`, thing('c'));
      const d = await cached.create(`${resource}ns/d`, thing('d'));

      for (const watched of [watchedDirectly, watchedThroughCache]) {
        await waitUntil(() => watched.events.length >= 3);
        expect(watched.events.map((event) => [event.type, event.resourceVersion])).toEqual([
          ['ADDED', rv(b)],
          ['ADDED', rv(c)],
          ['ADDED', rv(d)],
        ]);
        expect(watched.failure).toBeUndefined();
      }
      expect(await cached.get(`${resource}ns/c`)).toEqual(c);
      expect((await cached.list(resource)).items.map((item) => item.metadata.name)).toEqual([
        'a',
        'b',
        'c',
        'd',
      ]);
    },
    30_000,
  );

  it('times out calls while etcd hangs, and carries on when it resumes', async () => {
    const { direct, cached } = await openPair();
    const a = await direct.create(`${resource}ns/a`, thing('a'));
    await cached.warm(resource);
    const watched = collect(cached.watch(resource, rv(a), watches.signal));

    await fixture.etcd().pause();
    try {
      await expectFastFailure(direct.get(`${resource}ns/a`), 'Timeout');
      await expectFastFailure(cached.get(`${resource}ns/a`), 'Timeout');
      await expectFastFailure(direct.checkHealth(), 'Timeout');
    } finally {
      fixture.etcd().resume();
    }

    await waitUntilHealthy(direct);
    const b = await direct.create(`${resource}ns/b`, thing('b'));
    await waitUntil(() => watched.events.length >= 1);
    expect(watched.events.map((event) => event.resourceVersion)).toEqual([rv(b)]);
    expect(await cached.get(`${resource}ns/b`)).toEqual(b);
  }, 30_000);

  it('ends a watch with Expired when the history it must resume from was compacted while it was cut off', async () => {
    const { direct } = await openPair();
    const a = await direct.create(`${resource}ns/a`, thing('a'));
    const watch = direct.watch(resource, rv(a), watches.signal)[Symbol.asyncIterator]();
    const b = await direct.create(`${resource}ns/b`, thing('b'));
    expect((await watch.next()).value).toMatchObject({ resourceVersion: rv(b) });

    await fixture.etcd().stop();
    await fixture.etcd().start();
    await waitUntilHealthy(direct);
    // Compacting to the newest of two later writes drops the revision the watch resumes from.
    await direct.create(`${resource}ns/c`, thing('c'));
    await direct.create(`${resource}ns/d`, thing('d'));
    await direct.compact(await direct.currentResourceVersion());

    await expectStorageError(withTimeout(watch.next(), 'the watch to give up'), 'Expired');
  }, 30_000);
});

function thing(name: string): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { namespace: 'ns', name, uid: name } };
}

/** Consumes a watch in the background, keeping its events and how it ended. */
function collect(stream: AsyncIterable<StorageEvent>): { events: StorageEvent[]; failure?: unknown } {
  const collected: { events: StorageEvent[]; failure?: unknown } = { events: [] };
  void (async () => {
    try {
      for await (const event of stream) collected.events.push(event);
    } catch (error) {
      collected.failure = error;
    }
  })();
  return collected;
}

/** The call fails with Unavailable or Timeout (or the one given), within its deadline and a little. */
async function expectFastFailure(call: Promise<unknown>, code?: StorageError['code']): Promise<void> {
  const started = Date.now();
  const error = await call.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(StorageError);
  expect(code ? [code] : ['Unavailable', 'Timeout']).toContain((error as StorageError).code);
  expect(Date.now() - started).toBeLessThan(FAIL_FAST_MS);
  // Clients read the message: no gRPC client details, no addresses.
  expect((error as StorageError).message).not.toMatch(/remote_addr|grpc|\d+\.\d+\.\d+\.\d+|:\d{2,5}\b/i);
}

async function waitUntilHealthy(storage: Storage): Promise<void> {
  await withTimeout(
    (async () => {
      for (;;) {
        try {
          return await storage.checkHealth();
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    })(),
    'the storage to recover',
    10_000,
  );
}

async function waitUntil(condition: () => boolean): Promise<void> {
  await withTimeout(
    (async () => {
      while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
    })(),
    'a condition',
    10_000,
  );
}
