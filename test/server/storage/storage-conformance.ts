import { setImmediate as nextTurn } from 'node:timers/promises';
import type { KubeObject } from '../../../api/types.js';
import { type Storage, StorageError, type StorageEvent } from '../../../api/storage.js';

/**
 * The behaviour every Storage backend must share, as one suite each backend's test file
 * registers against its own factory. Nothing here may depend on how a backend works inside:
 * revisions need not start at 1 or be consecutive, and a fresh backend is all a test assumes.
 */
export interface StorageConformanceHarness {
  /**
   * A fresh, empty backend (for a shared server such as etcd: under a prefix of its own). The
   * suite closes it. `historySize` asks a backend with a count-bounded history to keep only
   * that many events; backends without one ignore it and implement `compact`.
   */
  open(options?: { historySize?: number }): Promise<Storage>;
  /**
   * Forgets the history through `resourceVersion`, for backends whose history is not bounded
   * by a count (etcd: compact). Omit it when `historySize` already does that.
   */
  compact?(storage: Storage, resourceVersion: string): Promise<void>;
}

/** How long a test waits for an expected event before failing instead of hanging. */
const EVENT_TIMEOUT_MS = 5_000;

export function describeStorageConformance(name: string, harness: StorageConformanceHarness): void {
  describe(`${name}: Storage conformance`, () => {
    let storage: Storage;
    let watches: AbortController;
    const opened: Storage[] = [];

    /** Opens a backend that the suite closes after the test. */
    async function open(options?: { historySize?: number }): Promise<Storage> {
      const backend = await harness.open(options);
      opened.push(backend);
      return backend;
    }

    beforeEach(async () => {
      watches = new AbortController();
      storage = await open();
    });

    afterEach(async () => {
      watches.abort();
      await Promise.all(opened.splice(0).map((backend) => backend.close()));
    });

    describe('create and get', () => {
      it('stores an object and stamps its resourceVersion', async () => {
        const created = await storage.create('/g/things/ns/a', thing('a', { color: 'red' }));
        expect(created.spec).toEqual({ color: 'red' });
        expect(created.metadata.resourceVersion).toMatch(/^[1-9][0-9]*$/);
        expect(await storage.get('/g/things/ns/a')).toEqual(created);
      });

      it('answers undefined for a missing key', async () => {
        expect(await storage.get('/g/things/ns/missing')).toBeUndefined();
      });

      it('replaces a resourceVersion the caller supplied', async () => {
        const object = thing('a');
        object.metadata.resourceVersion = '999999';
        const created = await storage.create('/g/things/ns/a', object);
        expect(created.metadata.resourceVersion).not.toBe('999999');
      });

      it('rejects a taken key with KeyExists and keeps the original', async () => {
        const first = await storage.create('/g/things/ns/a', thing('a', { n: 1 }));
        await expectStorageError(storage.create('/g/things/ns/a', thing('a', { n: 2 })), 'KeyExists');
        expect(await storage.get('/g/things/ns/a')).toEqual(first);
      });

      it('keeps stored objects immune to callers mutating what they passed in or got back', async () => {
        const input = thing('a', { tags: ['x'] });
        const created = await storage.create('/g/things/ns/a', input);
        (input.spec as { tags: string[] }).tags.push('from-input');
        (created.spec as { tags: string[] }).tags.push('from-result');
        created.metadata.resourceVersion = '1';
        const fetched = await storage.get('/g/things/ns/a');
        (fetched?.spec as { tags: string[] }).tags.push('from-get');
        const listed = await storage.list('/g/things/');
        (listed.items[0].spec as { tags: string[] }).tags.push('from-list');

        const again = await storage.get('/g/things/ns/a');
        expect(again?.spec).toEqual({ tags: ['x'] });
        expect(again?.metadata.resourceVersion).toBe(fetched?.metadata.resourceVersion);
        expect(input.metadata.resourceVersion).toBeUndefined();
      });
    });

    describe('update', () => {
      it('replaces the object when the expected resourceVersion is current', async () => {
        const created = await storage.create('/g/things/ns/a', thing('a', { n: 1 }));
        const updated = await storage.update('/g/things/ns/a', thing('a', { n: 2 }), rv(created));
        expect(updated.spec).toEqual({ n: 2 });
        expect(revisionOf(updated)).toBeGreaterThan(revisionOf(created));
        expect(await storage.get('/g/things/ns/a')).toEqual(updated);
      });

      it('rejects a stale resourceVersion with Conflict and keeps the newer object', async () => {
        const created = await storage.create('/g/things/ns/a', thing('a', { n: 1 }));
        const updated = await storage.update('/g/things/ns/a', thing('a', { n: 2 }), rv(created));
        await expectStorageError(
          storage.update('/g/things/ns/a', thing('a', { n: 3 }), rv(created)),
          'Conflict',
        );
        await expectStorageError(
          storage.update('/g/things/ns/a', thing('a', { n: 3 }), 'garbage'),
          'Conflict',
        );
        expect(await storage.get('/g/things/ns/a')).toEqual(updated);
      });

      it('rejects a missing key with NotFound', async () => {
        await expectStorageError(storage.update('/g/things/ns/missing', thing('missing'), '1'), 'NotFound');
        expect(await storage.get('/g/things/ns/missing')).toBeUndefined();
      });
    });

    describe('delete', () => {
      it('removes the object and returns its last state at the deletion’s version', async () => {
        const created = await storage.create('/g/things/ns/a', thing('a', { n: 1 }));
        const deleted = await storage.delete('/g/things/ns/a');
        expect(deleted.spec).toEqual({ n: 1 });
        expect(revisionOf(deleted)).toBeGreaterThan(revisionOf(created));
        expect(await storage.get('/g/things/ns/a')).toBeUndefined();
        await expectStorageError(storage.delete('/g/things/ns/a'), 'NotFound');
      });

      it('honours a matching precondition', async () => {
        const created = await storage.create('/g/things/ns/a', thing('a'));
        await storage.delete('/g/things/ns/a', rv(created));
        expect(await storage.get('/g/things/ns/a')).toBeUndefined();
      });

      it('rejects a stale precondition with Conflict and keeps the object', async () => {
        const created = await storage.create('/g/things/ns/a', thing('a', { n: 1 }));
        const updated = await storage.update('/g/things/ns/a', thing('a', { n: 2 }), rv(created));
        await expectStorageError(storage.delete('/g/things/ns/a', rv(created)), 'Conflict');
        expect(await storage.get('/g/things/ns/a')).toEqual(updated);
      });

      it('rejects a missing key with NotFound, with or without a precondition', async () => {
        await expectStorageError(storage.delete('/g/things/ns/missing'), 'NotFound');
        await expectStorageError(storage.delete('/g/things/ns/missing', '1'), 'NotFound');
      });

      it('lets a deleted key be created again, at a newer version', async () => {
        await storage.create('/g/things/ns/a', thing('a'));
        const deleted = await storage.delete('/g/things/ns/a');
        const recreated = await storage.create('/g/things/ns/a', thing('a'));
        expect(revisionOf(recreated)).toBeGreaterThan(revisionOf(deleted));
      });
    });

    describe('list', () => {
      it('returns exactly the keys under the prefix, in key order', async () => {
        for (const key of [
          '/a/b/ns1/y',
          '/a/b/ns10/z',
          '/a/b/ns1/x',
          '/a/b/ns2/w',
          '/a/b/ns1',
          '/a/bb/ns1/v',
          '/a/c/ns1/u',
        ]) {
          await storage.create(key, thing(key));
        }
        expect(keysOf(await storage.list('/a/b/ns1/'))).toEqual(['/a/b/ns1/x', '/a/b/ns1/y']);
        expect(keysOf(await storage.list('/a/b/ns10/'))).toEqual(['/a/b/ns10/z']);
        expect(keysOf(await storage.list('/a/b/'))).toEqual([
          '/a/b/ns1',
          '/a/b/ns1/x',
          '/a/b/ns1/y',
          '/a/b/ns10/z',
          '/a/b/ns2/w',
        ]);
        expect(keysOf(await storage.list('/a/none/'))).toEqual([]);
      });

      it('orders keys by code point, as etcd and SQLite compare UTF-8 bytes', async () => {
        const keys = ['/u/k/a', '/u/k/z', '/u/k/é', '/u/k/\uff21', '/u/k/\u{1f600}'];
        for (const key of [...keys].reverse()) await storage.create(key, thing(key));
        expect(keysOf(await storage.list('/u/k/'))).toEqual(keys);
        expect(keysOf(await storage.list('/u/k/\u{1f600}'))).toEqual(['/u/k/\u{1f600}']);
      });

      it('reports the version it read at', async () => {
        await storage.create('/g/things/ns/a', thing('a'));
        const list = await storage.list('/g/things/');
        expect(list.resourceVersion).toBe(await storage.currentResourceVersion());
      });

      it('pages with limit and startAfter, counting the remaining items', async () => {
        const keys = ['a', 'b', 'c', 'd', 'e'].map((name) => `/g/things/ns/${name}`);
        for (const key of keys) await storage.create(key, thing(key));
        await storage.create('/g/thingsx/ns/f', thing('outside the prefix'));

        const first = await storage.list('/g/things/', { limit: 2 });
        expect(keysOf(first)).toEqual(keys.slice(0, 2));
        expect(first.continueKey).toBe(keys[1]);
        expect(first.remainingItemCount).toBe(3);

        const second = await storage.list('/g/things/', {
          limit: 2,
          startAfter: first.continueKey,
          resourceVersion: first.resourceVersion,
        });
        expect(keysOf(second)).toEqual(keys.slice(2, 4));
        expect(second.continueKey).toBe(keys[3]);
        expect(second.remainingItemCount).toBe(1);

        const last = await storage.list('/g/things/', {
          limit: 2,
          startAfter: second.continueKey,
          resourceVersion: first.resourceVersion,
        });
        expect(keysOf(last)).toEqual(keys.slice(4));
        expect(last.continueKey).toBeUndefined();
        expect(last.remainingItemCount ?? 0).toBe(0);
      });

      it('has no continuation when the limit is exactly the number of items', async () => {
        for (const name of ['a', 'b']) await storage.create(`/g/things/ns/${name}`, thing(name));
        const page = await storage.list('/g/things/', { limit: 2 });
        expect(page.items).toHaveLength(2);
        expect(page.continueKey).toBeUndefined();
      });

      it('returns everything when the limit is 0 or unset', async () => {
        for (const name of ['a', 'b', 'c']) await storage.create(`/g/things/ns/${name}`, thing(name));
        expect((await storage.list('/g/things/', { limit: 0 })).items).toHaveLength(3);
        expect((await storage.list('/g/things/')).continueKey).toBeUndefined();
      });

      it('ignores a startAfter that sorts before the prefix', async () => {
        await storage.create('/g/things/ns/a', thing('/g/things/ns/a'));
        expect(keysOf(await storage.list('/g/things/', { startAfter: '/a' }))).toEqual(['/g/things/ns/a']);
      });
    });

    describe('resource versions', () => {
      it('increase across all keys and end at the current version', async () => {
        const versions: number[] = [];
        for (let i = 0; i < 5; i++) {
          versions.push(revisionOf(await storage.create(`/g/things/ns${i % 2}/o${i}`, thing(`o${i}`))));
          versions.push(revisionOf(await storage.create(`/g/other/ns/o${i}`, thing(`o${i}`))));
        }
        const updated = await storage.update('/g/things/ns0/o0', thing('o0'), String(versions[0]));
        versions.push(revisionOf(updated));
        versions.push(revisionOf(await storage.delete('/g/other/ns/o1')));
        expect(versions).toEqual([...versions].sort((a, b) => a - b));
        expect(new Set(versions).size).toBe(versions.length);
        expect(await storage.currentResourceVersion()).toBe(String(versions.at(-1)));
      });
    });

    describe('watch', () => {
      it('from now delivers later changes under the prefix only', async () => {
        await storage.create('/w/things/ns1/before', thing('before'));
        for (const from of [undefined, '0']) {
          const stream = events(storage.watch('/w/things/ns1/', from, watches.signal));
          const created = await storage.create(`/w/things/ns1/a${from}`, thing('a', { n: 1 }));
          await storage.create(`/w/things/ns10/b${from}`, thing('b'));
          const updated = await storage.update(`/w/things/ns1/a${from}`, thing('a', { n: 2 }), rv(created));
          const deleted = await storage.delete(`/w/things/ns1/a${from}`);

          const [added, modified, removed] = await stream.take(3);
          expect(added).toMatchObject({ type: 'ADDED', key: `/w/things/ns1/a${from}`, object: created });
          expect(added.resourceVersion).toBe(rv(created));
          expect(modified).toMatchObject({ type: 'MODIFIED', object: updated, resourceVersion: rv(updated) });
          expect(removed).toMatchObject({ type: 'DELETED', object: deleted, resourceVersion: rv(deleted) });
        }
      });

      it('from a past version replays the changes after it in order, then continues live', async () => {
        await storage.create('/w/things/ns/old', thing('old'));
        const from = await storage.currentResourceVersion();
        const a = await storage.create('/w/things/ns/a', thing('a'));
        await storage.create('/w/other/ns/x', thing('x'));
        const b = await storage.create('/w/things/ns/b', thing('b'));
        const a2 = await storage.update('/w/things/ns/a', thing('a', { n: 2 }), rv(a));

        const stream = events(storage.watch('/w/things/', from, watches.signal));
        const replayed = await stream.take(3);
        expect(replayed.map((e) => [e.type, e.key, e.resourceVersion])).toEqual([
          ['ADDED', '/w/things/ns/a', rv(a)],
          ['ADDED', '/w/things/ns/b', rv(b)],
          ['MODIFIED', '/w/things/ns/a', rv(a2)],
        ]);
        expect(replayed[2].object).toEqual(a2);

        const c = await storage.create('/w/things/ns/c', thing('c'));
        expect(await stream.take(1)).toMatchObject([{ type: 'ADDED', key: '/w/things/ns/c', object: c }]);
      });

      it('includes the previous state of modified and deleted objects when the backend has it', async () => {
        const created = await storage.create('/w/things/ns/a', thing('a', { n: 1 }));
        const stream = events(storage.watch('/w/things/', rv(created), watches.signal));
        const updated = await storage.update('/w/things/ns/a', thing('a', { n: 2 }), rv(created));
        await storage.delete('/w/things/ns/a');
        const [modified, deleted] = await stream.take(2);
        if (modified.previous) expect(modified.previous).toEqual(created);
        if (deleted.previous) expect(deleted.previous).toEqual(updated);
      });

      it('delivers a deletion with the last object at a new version', async () => {
        const created = await storage.create('/w/things/ns/a', thing('a', { n: 1 }));
        const updated = await storage.update('/w/things/ns/a', thing('a', { n: 2 }), rv(created));
        const stream = events(storage.watch('/w/things/', rv(updated), watches.signal));
        const deleted = await storage.delete('/w/things/ns/a');
        const [event] = await stream.take(1);
        expect(event.type).toBe('DELETED');
        expect(event.object.spec).toEqual({ n: 2 });
        expect(event.object.metadata.resourceVersion).toBe(event.resourceVersion);
        expect(event.resourceVersion).toBe(rv(deleted));
        expect(revisionOf(deleted)).toBeGreaterThan(revisionOf(updated));
      });

      it('sees every write racing its start exactly once, in order, without gaps', async () => {
        const total = 200;
        const key = (i: number): string => `/race/items/${String(i).padStart(4, '0')}`;
        const lastKey = key(total - 1);
        // Something to resume after: on a fresh backend the current version may be "0", "from now".
        const before = rv(await storage.create('/seed', thing('seed')));
        const acknowledged: string[] = [];
        const writer = (async () => {
          for (let i = 0; i < total; i++) {
            acknowledged.push(rv(await storage.create(key(i), thing(key(i)))));
            // Give watch starts a chance to land between writes, at varying points.
            if (i % 3 === 0) await nextTurn();
          }
        })();
        const untilProgress = async (count: number): Promise<void> => {
          while (acknowledged.length < count) await nextTurn();
        };

        // From before the first write, started once a quarter is done: replay meets live.
        const fromStart = untilProgress(total / 4).then(() =>
          events(storage.watch('/race/', before, watches.signal)).takeUntilKey(lastKey),
        );
        // From an acknowledged version in the middle, started a little later.
        const fromMiddle = untilProgress(total / 2).then(async () => {
          const middle = acknowledged[total / 4];
          const got = await events(storage.watch('/race/', middle, watches.signal)).takeUntilKey(lastKey);
          return { middle, got };
        });
        // From now, started while writes are in flight.
        const fromNow = untilProgress((total * 3) / 4).then(() =>
          events(storage.watch('/race/', undefined, watches.signal)).takeUntilKey(lastKey),
        );
        // Several more from-now watches started on every turn, to hit in-flight moments.
        const starts: Promise<StorageEvent[]>[] = [];
        const starter = (async () => {
          while (acknowledged.length < total - 1) {
            starts.push(events(storage.watch('/race/', undefined, watches.signal)).takeUntilKey(lastKey));
            await nextTurn();
            await nextTurn();
          }
        })();

        await writer;
        await starter;
        expect(acknowledged).toHaveLength(total);

        expect((await fromStart).map((e) => e.resourceVersion)).toEqual(acknowledged);
        expect((await fromStart).map((e) => e.key)).toEqual(Array.from({ length: total }, (_, i) => key(i)));

        const { middle, got } = await fromMiddle;
        expect(got.map((e) => e.resourceVersion)).toEqual(
          acknowledged.slice(acknowledged.indexOf(middle) + 1),
        );

        for (const seen of [await fromNow, ...(await Promise.all(starts))]) {
          const versions = seen.map((e) => e.resourceVersion);
          // A from-now watch sees a suffix of the writes: whatever came after its start, all of it.
          expect(versions).toEqual(acknowledged.slice(acknowledged.length - versions.length));
          expect(versions.length).toBeGreaterThan(0);
        }
      });

      it('fails with Expired when asked to resume from before the history it keeps', async () => {
        const backend = await open({ historySize: 5 });
        const versions: string[] = [];
        for (let i = 0; i < 12; i++)
          versions.push(rv(await backend.create(`/h/things/ns/o${i}`, thing(`o${i}`))));
        await harness.compact?.(backend, versions[6]);

        await expectStorageError(
          firstEvent(backend.watch('/h/things/', versions[0], watches.signal)),
          'Expired',
        );
        await expectStorageError(firstEvent(backend.watch('/h/', versions[2], watches.signal)), 'Expired');

        // Versions still in the history resume normally.
        const recent = await events(backend.watch('/h/things/', versions[9], watches.signal)).take(2);
        expect(recent.map((e) => e.resourceVersion)).toEqual(versions.slice(10));
      });

      it('ends the iteration when the signal aborts, and delivers nothing after', async () => {
        const controller = new AbortController();
        const received: StorageEvent[] = [];
        const consumer = (async () => {
          for await (const event of storage.watch('/w/', undefined, controller.signal)) received.push(event);
        })();
        await storage.create('/w/things/ns/a', thing('a'));
        await waitFor(() => received.length === 1);
        controller.abort();
        await withTimeout(consumer, 'the watch to end after abort');
        await storage.create('/w/things/ns/b', thing('b'));
        expect(received.map((e) => e.key)).toEqual(['/w/things/ns/a']);
      });

      it('ends at once when the signal was aborted before the watch started', async () => {
        const controller = new AbortController();
        controller.abort();
        const iterator = storage.watch('/w/', undefined, controller.signal)[Symbol.asyncIterator]();
        await storage.create('/w/things/ns/a', thing('a'));
        expect(await withTimeout(iterator.next(), 'an aborted watch to end')).toEqual({
          done: true,
          value: undefined,
        });
      });

      it('ends when the consumer stops iterating', async () => {
        const controller = new AbortController();
        const stream = storage.watch('/w/', undefined, controller.signal);
        await storage.create('/w/things/ns/a', thing('a'));
        for await (const event of stream) {
          expect(event.key).toBe('/w/things/ns/a');
          break;
        }
        // Writes after the consumer left must not pile up anywhere observable.
        await storage.create('/w/things/ns/b', thing('b'));
        controller.abort();
      });

      it('keeps queued events immune to a consumer mutating them', async () => {
        const stream = events(storage.watch('/w/', undefined, watches.signal));
        const other = events(storage.watch('/w/', undefined, watches.signal));
        await storage.create('/w/things/ns/a', thing('a', { n: 1 }));
        const [first] = await stream.take(1);
        (first.object.spec as { n: number }).n = 99;
        const [second] = await other.take(1);
        expect(second.object.spec).toEqual({ n: 1 });
        expect(await storage.get('/w/things/ns/a')).toMatchObject({ spec: { n: 1 } });
      });

      it('ends open watches when the backend closes', async () => {
        // Opened outside the suite's bookkeeping: the test closes it itself.
        const backend = await harness.open();
        const consumer = (async () => {
          const seen: StorageEvent[] = [];
          for await (const event of backend.watch('/w/', undefined, watches.signal)) seen.push(event);
          return seen;
        })();
        await backend.create('/w/things/ns/a', thing('a'));
        await backend.close();
        const seen = await withTimeout(consumer, 'the watch to end on close');
        expect(seen.length).toBeLessThanOrEqual(1);
      });
    });

    describe('health', () => {
      it('answers checkHealth while open', async () => {
        await expect(storage.checkHealth()).resolves.toBeUndefined();
      });
    });
  });
}

/** A Kubernetes-shaped object; the name only makes failures readable. */
export function thing(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name }, spec };
}

export function rv(object: KubeObject): string {
  const version = object.metadata.resourceVersion;
  if (version === undefined) throw new Error(`${object.metadata.name} has no resourceVersion`);
  return version;
}

export function revisionOf(object: KubeObject): number {
  return Number(rv(object));
}

function keysOf(list: { items: KubeObject[] }): string[] {
  return list.items.map((item) => String(item.metadata.name));
}

export async function expectStorageError(
  operation: Promise<unknown>,
  code: StorageError['code'],
): Promise<void> {
  const error = await operation.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).code).toBe(code);
}

/** The first event of a watch; errors thrown by `watch` itself or by the iterator both reject. */
async function firstEvent(stream: AsyncIterable<StorageEvent>): Promise<StorageEvent | undefined> {
  const result = await stream[Symbol.asyncIterator]().next();
  return result.done ? undefined : result.value;
}

/** Pulls events from one watch with a timeout, so a missing event fails rather than hangs. */
export function events(stream: AsyncIterable<StorageEvent>) {
  const iterator = stream[Symbol.asyncIterator]();
  const next = async (): Promise<StorageEvent> => {
    const result = await withTimeout(iterator.next(), 'the next watch event');
    if (result.done) throw new Error('the watch ended early');
    return result.value;
  };
  return {
    async take(count: number): Promise<StorageEvent[]> {
      const taken: StorageEvent[] = [];
      while (taken.length < count) taken.push(await next());
      return taken;
    },
    async takeUntilKey(key: string): Promise<StorageEvent[]> {
      const taken: StorageEvent[] = [];
      while (taken.at(-1)?.key !== key) taken.push(await next());
      return taken;
    },
  };
}

export async function withTimeout<T>(promise: Promise<T>, what: string, ms = EVENT_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(condition: () => boolean): Promise<void> {
  await withTimeout(
    (async () => {
      while (!condition()) await nextTurn();
    })(),
    'a condition',
  );
}
