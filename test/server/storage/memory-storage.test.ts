import { MemoryStorage } from '../../../server/storage/memory-storage.js';
import {
  describeStorageConformance,
  events,
  expectStorageError,
  rv,
  thing,
  withTimeout,
} from '../../../server/testing/index.js';
import { describeObjectSizeLimit } from './object-size-limit.js';

describeStorageConformance('MemoryStorage', {
  open: async (options) => new MemoryStorage({ historySize: options?.historySize }),
});

describeObjectSizeLimit('MemoryStorage', async () => new MemoryStorage());

describe('MemoryStorage', () => {
  let storage: MemoryStorage;
  let watches: AbortController;

  beforeEach(() => {
    storage = new MemoryStorage();
    watches = new AbortController();
  });

  afterEach(async () => {
    watches.abort();
    await storage.close();
  });

  it('starts at version 1 like etcd, so even an empty list has a version to watch from', async () => {
    expect(await storage.currentResourceVersion()).toBe('1');
    expect((await storage.list('/g/')).resourceVersion).toBe('1');
    const stream = events(storage.watch('/g/', '1', watches.signal));
    expect(rv(await storage.create('/g/r/ns/a', thing('a')))).toBe('2');
    expect(rv(await storage.create('/g/r/ns/b', thing('b')))).toBe('3');
    expect(await storage.currentResourceVersion()).toBe('3');
    expect((await stream.take(2)).map((e) => e.resourceVersion)).toEqual(['2', '3']);
  });

  it('keeps 10000 events of history by default', async () => {
    // Revisions 2 to 10003: the first two were evicted.
    for (let i = 0; i < 10_002; i++) await storage.create(`/g/r/ns/o${i}`, thing(`o${i}`));
    // Resuming after 2 would miss 3; resuming after 3 misses nothing.
    await expectStorageError(firstEventOf(storage, '2'), 'Expired');
    const resumed = await events(storage.watch('/g/', '3', watches.signal)).take(1);
    expect(resumed[0].resourceVersion).toBe('4');
  });

  it('resumes from exactly the newest compacted revision', async () => {
    const small = new MemoryStorage({ historySize: 3 });
    for (let i = 0; i < 5; i++) await small.create(`/g/r/ns/o${i}`, thing(`o${i}`));
    // Revisions 2 to 6. Kept: 4, 5, 6; compacted through 3, so a watch from 3 misses nothing.
    const replayed = await events(small.watch('/g/', '3', watches.signal)).take(3);
    expect(replayed.map((e) => e.resourceVersion)).toEqual(['4', '5', '6']);
    await expectStorageError(firstEventOf(small, '2'), 'Expired');
    await small.close();
  });

  it('answers a watch from a version it never issued with Expired, so the client relists', async () => {
    await storage.create('/g/r/ns/a', thing('a'));
    await expectStorageError(firstEventOf(storage, '3'), 'Expired');
  });

  it('rejects a malformed watch version as a bad request', async () => {
    await expect(firstEventOf(storage, 'abc')).rejects.toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('releases watchers on abort, on break and on close', async () => {
    const aborted = new AbortController();
    const abortedStream = events(storage.watch('/g/', undefined, aborted.signal));
    expect(storage.activeWatchCount).toBe(1);
    aborted.abort();
    expect(storage.activeWatchCount).toBe(0);
    await expect(abortedStream.take(1)).rejects.toThrow('ended early');

    const stream = storage.watch('/g/', undefined, watches.signal);
    await storage.create('/g/r/ns/a', thing('a'));
    for await (const _event of stream) break;
    expect(storage.activeWatchCount).toBe(0);

    storage.watch('/g/', undefined, watches.signal);
    await storage.close();
    expect(storage.activeWatchCount).toBe(0);
  });

  it('ends a watch whose consumer falls too far behind at once, dropping what it queued', async () => {
    const limited = new MemoryStorage({ watchQueueLimit: 3 });
    const stream = limited.watch('/g/', undefined, watches.signal);
    for (let i = 0; i < 5; i++) await limited.create(`/g/r/ns/o${i}`, thing(`o${i}`));
    const delivered: string[] = [];
    await withTimeout(
      (async () => {
        for await (const event of stream) delivered.push(event.resourceVersion);
      })(),
      'the lagging watch to end',
    );
    expect(delivered).toEqual([]);
    expect(limited.activeWatchCount).toBe(0);
    await limited.close();
  });

  it('refuses to work once closed', async () => {
    await storage.close();
    await expectStorageError(storage.get('/g/r/ns/a'), 'Unavailable');
    await expectStorageError(storage.create('/g/r/ns/a', thing('a')), 'Unavailable');
    await expectStorageError(storage.checkHealth(), 'Unavailable');
    await expectStorageError(firstEventOf(storage, undefined), 'Unavailable');
  });
});

async function firstEventOf(
  storage: MemoryStorage,
  from: string | undefined,
  prefix = '/g/',
): Promise<unknown> {
  return storage.watch(prefix, from, new AbortController().signal)[Symbol.asyncIterator]().next();
}
