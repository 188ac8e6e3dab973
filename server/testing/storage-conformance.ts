import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Storage, StorageEvent } from '../../api/storage.js';
import type { KubeObject } from '../../api/types.js';
import {
  defaultEventTimeoutMs,
  events as watchEvents,
  expectStorageError,
  revisionOf,
  rv,
  thing,
  withTimeout as timeLimited,
  type WatchEvents,
} from './storage-test-helpers.js';
import { globalTestRunner, type TestRunner } from './test-runner.js';

/**
 * What the conformance suite needs of a backend: fresh instances, and a way to forget history.
 * Nothing else about how the backend works inside is assumed: resource versions need not start
 * at 1 or be consecutive.
 */
export interface StorageConformanceHarness {
  /**
   * A fresh, empty backend (on a shared server such as etcd: under a key prefix of its own).
   * The suite closes every backend it opens. `historySize` asks a backend whose watch history
   * is bounded by a count to keep only that many events; a backend without such a bound
   * ignores it and implements `compact` instead.
   */
  open(options?: { readonly historySize?: number }): Promise<Storage>;
  /**
   * Forgets the history through `resourceVersion` (etcd: compaction), for backends whose
   * history is not bounded by a count. Omit it when `historySize` already bounds the history.
   */
  compact?(storage: Storage, resourceVersion: string): Promise<void>;
}

export interface StorageConformanceOptions {
  /**
   * Where the cases are registered.
   * @default the global describe, it, beforeEach and afterEach (jest, vitest with globals, mocha)
   */
  readonly runner?: TestRunner;
  /**
   * How long a case waits for an expected watch event before failing instead of hanging.
   * @default 5000
   */
  readonly eventTimeoutMs?: number;
}

/**
 * Registers the behaviour every `Storage` backend must share (the memory, SQLite and etcd
 * backends and the watch cache all pass it) as one `describe` named `<name>: Storage
 * conformance`: create/get/update/delete with their preconditions and errors, lists in key
 * order with paging, monotonic resource versions, and watches (from now, from a past version,
 * replay meeting live writes without gaps or duplicates, Expired for a compacted version,
 * ending on abort, on break and on close). Failures are `node:assert` errors, so any runner
 * reports them.
 *
 * @example
 * // my-storage.test.ts, under jest, vitest (globals: true) or mocha
 * import { describeStorageConformance } from 'aggregated-apiserver/server/testing';
 * describeStorageConformance('MyStorage', { open: async () => new MyStorage() });
 *
 * @example
 * // under node --test
 * import { describe, it, beforeEach, afterEach } from 'node:test';
 * describeStorageConformance('MyStorage', harness, { runner: { describe, it, beforeEach, afterEach } });
 */
export function describeStorageConformance(
  name: string,
  harness: StorageConformanceHarness,
  options: StorageConformanceOptions = {},
): void {
  const { describe, it, beforeEach, afterEach } = options.runner ?? globalTestRunner();
  const timeoutMs = options.eventTimeoutMs ?? defaultEventTimeoutMs;
  const events = (stream: AsyncIterable<StorageEvent>): WatchEvents => watchEvents(stream, timeoutMs);
  const withTimeout = <T>(promise: Promise<T>, what: string): Promise<T> =>
    timeLimited(promise, what, timeoutMs);
  const waitFor = (condition: () => boolean, what: string): Promise<void> =>
    withTimeout(
      (async () => {
        while (!condition()) await nextTurn();
      })(),
      what,
    );

  describe(`${name}: Storage conformance`, () => {
    let storage: Storage;
    let watches: AbortController;
    const opened: Storage[] = [];

    /** Opens a backend that the suite closes after the case. */
    async function open(openOptions?: { historySize?: number }): Promise<Storage> {
      const backend = await harness.open(openOptions);
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
        assertJsonEqual(created.spec, { color: 'red' });
        assert.match(created.metadata.resourceVersion ?? '', /^[1-9][0-9]*$/);
        assertJsonEqual(await storage.get('/g/things/ns/a'), created);
      });

      it('answers undefined for a missing key', async () => {
        assert.equal(await storage.get('/g/things/ns/missing'), undefined);
      });

      it('replaces a resourceVersion the caller supplied', async () => {
        const object = thing('a');
        object.metadata.resourceVersion = '999999';
        const created = await storage.create('/g/things/ns/a', object);
        assert.notEqual(created.metadata.resourceVersion, '999999');
      });

      it('rejects a taken key with KeyExists and keeps the original', async () => {
        const first = await storage.create('/g/things/ns/a', thing('a', { n: 1 }));
        await expectStorageError(storage.create('/g/things/ns/a', thing('a', { n: 2 })), 'KeyExists');
        assertJsonEqual(await storage.get('/g/things/ns/a'), first);
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
        assertJsonEqual(again?.spec, { tags: ['x'] });
        assert.equal(again?.metadata.resourceVersion, fetched?.metadata.resourceVersion);
        assert.equal(input.metadata.resourceVersion, undefined);
      });
    });

    describe('update', () => {
      it('replaces the object when the expected resourceVersion is current', async () => {
        const created = await storage.create('/g/things/ns/a', thing('a', { n: 1 }));
        const updated = await storage.update('/g/things/ns/a', thing('a', { n: 2 }), rv(created));
        assertJsonEqual(updated.spec, { n: 2 });
        assertNewer(updated, created);
        assertJsonEqual(await storage.get('/g/things/ns/a'), updated);
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
        assertJsonEqual(await storage.get('/g/things/ns/a'), updated);
      });

      it('rejects a missing key with NotFound', async () => {
        await expectStorageError(storage.update('/g/things/ns/missing', thing('missing'), '1'), 'NotFound');
        assert.equal(await storage.get('/g/things/ns/missing'), undefined);
      });
    });

    describe('delete', () => {
      it('removes the object and returns its last state at the deletion’s version', async () => {
        const created = await storage.create('/g/things/ns/a', thing('a', { n: 1 }));
        const deleted = await storage.delete('/g/things/ns/a');
        assertJsonEqual(deleted.spec, { n: 1 });
        assertNewer(deleted, created);
        assert.equal(await storage.get('/g/things/ns/a'), undefined);
        await expectStorageError(storage.delete('/g/things/ns/a'), 'NotFound');
      });

      it('honours a matching precondition', async () => {
        const created = await storage.create('/g/things/ns/a', thing('a'));
        await storage.delete('/g/things/ns/a', rv(created));
        assert.equal(await storage.get('/g/things/ns/a'), undefined);
      });

      it('rejects a stale precondition with Conflict and keeps the object', async () => {
        const created = await storage.create('/g/things/ns/a', thing('a', { n: 1 }));
        const updated = await storage.update('/g/things/ns/a', thing('a', { n: 2 }), rv(created));
        await expectStorageError(storage.delete('/g/things/ns/a', rv(created)), 'Conflict');
        assertJsonEqual(await storage.get('/g/things/ns/a'), updated);
      });

      it('rejects a missing key with NotFound, with or without a precondition', async () => {
        await expectStorageError(storage.delete('/g/things/ns/missing'), 'NotFound');
        await expectStorageError(storage.delete('/g/things/ns/missing', '1'), 'NotFound');
      });

      it('lets a deleted key be created again, at a newer version', async () => {
        await storage.create('/g/things/ns/a', thing('a'));
        const deleted = await storage.delete('/g/things/ns/a');
        const recreated = await storage.create('/g/things/ns/a', thing('a'));
        assertNewer(recreated, deleted);
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
        assert.deepEqual(keysOf(await storage.list('/a/b/ns1/')), ['/a/b/ns1/x', '/a/b/ns1/y']);
        assert.deepEqual(keysOf(await storage.list('/a/b/ns10/')), ['/a/b/ns10/z']);
        assert.deepEqual(keysOf(await storage.list('/a/b/')), [
          '/a/b/ns1',
          '/a/b/ns1/x',
          '/a/b/ns1/y',
          '/a/b/ns10/z',
          '/a/b/ns2/w',
        ]);
        assert.deepEqual(keysOf(await storage.list('/a/none/')), []);
      });

      it('orders keys by code point, as etcd and SQLite compare UTF-8 bytes', async () => {
        const keys = ['/u/k/a', '/u/k/z', '/u/k/é', '/u/k/\uff21', '/u/k/\u{1f600}'];
        for (const key of [...keys].reverse()) await storage.create(key, thing(key));
        assert.deepEqual(keysOf(await storage.list('/u/k/')), keys);
        assert.deepEqual(keysOf(await storage.list('/u/k/\u{1f600}')), ['/u/k/\u{1f600}']);
      });

      it('reports the version it read at', async () => {
        await storage.create('/g/things/ns/a', thing('a'));
        const list = await storage.list('/g/things/');
        assert.equal(list.resourceVersion, await storage.currentResourceVersion());
      });

      it('pages with limit and startAfter, counting the remaining items', async () => {
        const keys = ['a', 'b', 'c', 'd', 'e'].map((name) => `/g/things/ns/${name}`);
        for (const key of keys) await storage.create(key, thing(key));
        await storage.create('/g/thingsx/ns/f', thing('outside the prefix'));

        const first = await storage.list('/g/things/', { limit: 2 });
        assert.deepEqual(keysOf(first), keys.slice(0, 2));
        assert.equal(first.continueKey, keys[1]);
        assert.equal(first.remainingItemCount, 3);

        const second = await storage.list('/g/things/', {
          limit: 2,
          startAfter: first.continueKey,
          resourceVersion: first.resourceVersion,
        });
        assert.deepEqual(keysOf(second), keys.slice(2, 4));
        assert.equal(second.continueKey, keys[3]);
        assert.equal(second.remainingItemCount, 1);

        const last = await storage.list('/g/things/', {
          limit: 2,
          startAfter: second.continueKey,
          resourceVersion: first.resourceVersion,
        });
        assert.deepEqual(keysOf(last), keys.slice(4));
        assert.equal(last.continueKey, undefined);
        assert.equal(last.remainingItemCount ?? 0, 0);
      });

      it('has no continuation when the limit is exactly the number of items', async () => {
        for (const name of ['a', 'b']) await storage.create(`/g/things/ns/${name}`, thing(name));
        const page = await storage.list('/g/things/', { limit: 2 });
        assert.equal(page.items.length, 2);
        assert.equal(page.continueKey, undefined);
      });

      it('returns everything when the limit is 0 or unset', async () => {
        for (const name of ['a', 'b', 'c']) await storage.create(`/g/things/ns/${name}`, thing(name));
        assert.equal((await storage.list('/g/things/', { limit: 0 })).items.length, 3);
        assert.equal((await storage.list('/g/things/')).continueKey, undefined);
      });

      it('ignores a startAfter that sorts before the prefix', async () => {
        await storage.create('/g/things/ns/a', thing('/g/things/ns/a'));
        assert.deepEqual(keysOf(await storage.list('/g/things/', { startAfter: '/a' })), ['/g/things/ns/a']);
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
        assert.deepEqual(
          versions,
          [...versions].sort((a, b) => a - b),
          'versions increase',
        );
        assert.equal(new Set(versions).size, versions.length, 'no version is issued twice');
        assert.equal(await storage.currentResourceVersion(), String(versions.at(-1)));
      });
    });

    describe('watch', () => {
      it('from now delivers later changes under the prefix only', async () => {
        await storage.create('/w/things/ns1/before', thing('before'));
        for (const from of [undefined, '0']) {
          const stream = events(storage.watch('/w/things/ns1/', from, watches.signal));
          const key = `/w/things/ns1/a${from}`;
          const created = await storage.create(key, thing('a', { n: 1 }));
          await storage.create(`/w/things/ns10/b${from}`, thing('b'));
          const updated = await storage.update(key, thing('a', { n: 2 }), rv(created));
          const deleted = await storage.delete(key);

          const [added, modified, removed] = await stream.take(3);
          assertEvent(added, 'ADDED', key, created);
          assertEvent(modified, 'MODIFIED', key, updated);
          assertEvent(removed, 'DELETED', key, deleted);
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
        assert.deepEqual(
          replayed.map((e) => [e.type, e.key, e.resourceVersion]),
          [
            ['ADDED', '/w/things/ns/a', rv(a)],
            ['ADDED', '/w/things/ns/b', rv(b)],
            ['MODIFIED', '/w/things/ns/a', rv(a2)],
          ],
        );
        assertJsonEqual(replayed[2].object, a2);

        const c = await storage.create('/w/things/ns/c', thing('c'));
        const [live] = await stream.take(1);
        assertEvent(live, 'ADDED', '/w/things/ns/c', c);
      });

      it('includes the previous state of modified and deleted objects when the backend has it', async () => {
        const created = await storage.create('/w/things/ns/a', thing('a', { n: 1 }));
        const stream = events(storage.watch('/w/things/', rv(created), watches.signal));
        const updated = await storage.update('/w/things/ns/a', thing('a', { n: 2 }), rv(created));
        await storage.delete('/w/things/ns/a');
        const [modified, deleted] = await stream.take(2);
        if (modified.previous) assertJsonEqual(modified.previous, created);
        if (deleted.previous) assertJsonEqual(deleted.previous, updated);
      });

      it('delivers a deletion with the last object at a new version', async () => {
        const created = await storage.create('/w/things/ns/a', thing('a', { n: 1 }));
        const updated = await storage.update('/w/things/ns/a', thing('a', { n: 2 }), rv(created));
        const stream = events(storage.watch('/w/things/', rv(updated), watches.signal));
        const deleted = await storage.delete('/w/things/ns/a');
        const [event] = await stream.take(1);
        assert.equal(event.type, 'DELETED');
        assertJsonEqual(event.object.spec, { n: 2 });
        assert.equal(event.object.metadata.resourceVersion, event.resourceVersion);
        assert.equal(event.resourceVersion, rv(deleted));
        assertNewer(deleted, updated);
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
        assert.equal(acknowledged.length, total);

        const fromStartSeen = await fromStart;
        assert.deepEqual(
          fromStartSeen.map((e) => e.resourceVersion),
          acknowledged,
        );
        assert.deepEqual(
          fromStartSeen.map((e) => e.key),
          Array.from({ length: total }, (_, i) => key(i)),
        );

        const { middle, got } = await fromMiddle;
        assert.deepEqual(
          got.map((e) => e.resourceVersion),
          acknowledged.slice(acknowledged.indexOf(middle) + 1),
        );

        for (const seen of [await fromNow, ...(await Promise.all(starts))]) {
          const versions = seen.map((e) => e.resourceVersion);
          // A from-now watch sees a suffix of the writes: whatever came after its start, all of it.
          assert.deepEqual(versions, acknowledged.slice(acknowledged.length - versions.length));
          assert.ok(versions.length > 0, 'a from-now watch started before the last write sees it');
        }
      });

      it('fails with Expired when asked to resume from before the history it keeps', async () => {
        const backend = await open({ historySize: 5 });
        const versions: string[] = [];
        for (let i = 0; i < 12; i++)
          versions.push(rv(await backend.create(`/h/things/ns/o${i}`, thing(`o${i}`))));
        await harness.compact?.(backend, versions[6]);

        await expectStorageError(
          firstEvent(() => backend.watch('/h/things/', versions[0], watches.signal)),
          'Expired',
        );
        await expectStorageError(
          firstEvent(() => backend.watch('/h/', versions[2], watches.signal)),
          'Expired',
        );

        // Versions still in the history resume normally.
        const recent = await events(backend.watch('/h/things/', versions[9], watches.signal)).take(2);
        assert.deepEqual(
          recent.map((e) => e.resourceVersion),
          versions.slice(10),
        );
      });

      it('ends the iteration when the signal aborts, and delivers nothing after', async () => {
        const controller = new AbortController();
        const received: StorageEvent[] = [];
        const consumer = (async () => {
          for await (const event of storage.watch('/w/', undefined, controller.signal)) received.push(event);
        })();
        await storage.create('/w/things/ns/a', thing('a'));
        await waitFor(() => received.length === 1, 'the first event');
        controller.abort();
        await withTimeout(consumer, 'the watch to end after abort');
        await storage.create('/w/things/ns/b', thing('b'));
        assert.deepEqual(
          received.map((e) => e.key),
          ['/w/things/ns/a'],
        );
      });

      it('ends at once when the signal was aborted before the watch started', async () => {
        const controller = new AbortController();
        controller.abort();
        const iterator = storage.watch('/w/', undefined, controller.signal)[Symbol.asyncIterator]();
        await storage.create('/w/things/ns/a', thing('a'));
        const result = await withTimeout(iterator.next(), 'an aborted watch to end');
        assert.equal(result.done, true, 'an aborted watch delivers nothing');
      });

      it('ends when the consumer stops iterating', async () => {
        const controller = new AbortController();
        const stream = storage.watch('/w/', undefined, controller.signal);
        await storage.create('/w/things/ns/a', thing('a'));
        for await (const event of stream) {
          assert.equal(event.key, '/w/things/ns/a');
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
        assertJsonEqual(second.object.spec, { n: 1 });
        assertJsonEqual((await storage.get('/w/things/ns/a'))?.spec, { n: 1 });
      });

      it('ends open watches when the backend closes', async () => {
        // Opened outside the suite's bookkeeping: the case closes it itself.
        const backend = await harness.open();
        const consumer = (async () => {
          const seen: StorageEvent[] = [];
          for await (const event of backend.watch('/w/', undefined, watches.signal)) seen.push(event);
          return seen;
        })();
        await backend.create('/w/things/ns/a', thing('a'));
        await backend.close();
        const seen = await withTimeout(consumer, 'the watch to end on close');
        assert.ok(seen.length <= 1, `at most the one write before close is delivered, got ${seen.length}`);
      });
    });

    describe('health', () => {
      it('answers checkHealth while open', async () => {
        assert.equal(await storage.checkHealth(), undefined);
      });
    });
  });
}

/**
 * Equal as JSON, which is what a stored object is: undefined fields and key order do not count,
 * nor which realm built the objects (a native module's, under jest's VM).
 */
function assertJsonEqual(actual: unknown, expected: unknown): void {
  assert.deepEqual(asJson(actual), asJson(expected));
}

function asJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function assertNewer(later: KubeObject, earlier: KubeObject): void {
  assert.ok(
    revisionOf(later) > revisionOf(earlier),
    `resourceVersion ${rv(later)} should be newer than ${rv(earlier)}`,
  );
}

function assertEvent(event: StorageEvent, type: StorageEvent['type'], key: string, object: KubeObject): void {
  assert.equal(event.type, type);
  assert.equal(event.key, key);
  assert.equal(event.resourceVersion, rv(object), `the ${type} event's resourceVersion`);
  assertJsonEqual(event.object, object);
}

/** The names of a list's items; built here, so a backend's arrays from another realm (a native module under jest's VM) compare equal. */
function keysOf(list: { items: KubeObject[] }): string[] {
  return Array.from(list.items, (item) => String(item.metadata.name));
}

/** The first event of a watch; errors thrown by `watch` itself or by the iterator both reject. */
async function firstEvent(watch: () => AsyncIterable<StorageEvent>): Promise<StorageEvent | undefined> {
  const result = await watch()[Symbol.asyncIterator]().next();
  return result.done ? undefined : result.value;
}
