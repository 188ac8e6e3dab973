import type { KubeObject } from '../../../../api/types.js';
import { CachedStorage } from '../../../../server/storage/cacher/cached-storage.js';
import { isStorageError, type Storage } from '../../../../api/storage.js';
import { useEtcdStorage } from './etcd-fixture.js';
import { events, rv } from '../../../../server/testing/index.js';

/**
 * Two server replicas on one etcd must behave as one server: each replica is a storage of its
 * own (its own clients, and with the watch cache its own cache) on the same key space.
 */

const resource = '/registry/example.com/things/';
const fixture = useEtcdStorage();

async function openReplicas(cached: boolean): Promise<[Storage, Storage]> {
  const keyPrefix = fixture.newKeySpace();
  const open = async (): Promise<Storage> => {
    const backend = await fixture.open({ keyPrefix });
    return cached ? fixture.closeAfterSuite(new CachedStorage(backend)) : backend;
  };
  return [await open(), await open()];
}

describe.each([
  ['EtcdStorage', false],
  ['CachedStorage(EtcdStorage)', true],
])('two %s replicas on one etcd', (_name, cached) => {
  const watches = new AbortController();
  afterAll(() => watches.abort());

  it('deliver the writes of both to a watcher on either, in order, without gaps or duplicates', async () => {
    const [a, b] = await openReplicas(cached);
    const start = await a.currentResourceVersion();
    await b.list(resource); // warms b's cache, if it has one
    const onA = events(a.watch(resource, start, watches.signal));
    const onB = events(b.watch(resource, start, watches.signal));

    // Two writers per replica, interleaving creates, updates and deletes.
    const acknowledged: string[] = [];
    const writer = async (replica: Storage, name: string): Promise<void> => {
      for (let i = 0; i < 25; i++) {
        const key = `${resource}ns/${name}-${i}`;
        const created = await replica.create(key, thing(`${name}-${i}`));
        acknowledged.push(rv(created));
        const updated = await replica.update(key, thing(`${name}-${i}`, { i }), rv(created));
        acknowledged.push(rv(updated));
        if (i % 5 === 0) acknowledged.push(rv(await replica.delete(key, rv(updated))));
      }
    };
    await Promise.all([writer(a, 'a1'), writer(a, 'a2'), writer(b, 'b1'), writer(b, 'b2')]);
    const inOrder = [...acknowledged].sort((x, y) => Number(x) - Number(y));

    for (const stream of [onA, onB]) {
      const seen = await stream.take(inOrder.length);
      expect(seen.map((event) => event.resourceVersion)).toEqual(inOrder);
    }
  });

  it('never let compare-and-swap writes on the same version both succeed', async () => {
    const [a, b] = await openReplicas(cached);
    const key = `${resource}ns/counter`;
    let current = await a.create(key, thing('counter', { n: 0 }));
    for (let round = 0; round < 20; round++) {
      const outcomes = await Promise.allSettled([
        a.update(key, thing('counter', { n: round + 1, by: 'a' }), rv(current)),
        b.update(key, thing('counter', { n: round + 1, by: 'b' }), rv(current)),
      ]);
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((outcome) => isStorageError(outcome.reason, 'Conflict'))).toEqual([true]);
      current = (won[0] as PromiseFulfilledResult<KubeObject>).value;
    }
    const creates = await Promise.allSettled([
      a.create(`${resource}ns/once`, thing('x')),
      b.create(`${resource}ns/once`, thing('y')),
    ]);
    expect(creates.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
  });

  it('lose no update when both increment a counter by read, modify, compare-and-swap', async () => {
    const [a, b] = await openReplicas(cached);
    const key = `${resource}ns/counter`;
    await a.create(key, thing('counter', { n: 0 }));
    const increment = async (replica: Storage): Promise<void> => {
      for (;;) {
        const read = await replica.get(key);
        if (!read) throw new Error('the counter vanished');
        const n = (read.spec as { n: number }).n;
        try {
          await replica.update(key, thing('counter', { n: n + 1 }), rv(read));
          return;
        } catch (error) {
          if (!isStorageError(error, 'Conflict')) throw error;
        }
      }
    };
    const incrementMany = async (replica: Storage): Promise<void> => {
      for (let i = 0; i < 25; i++) await increment(replica);
    };
    await Promise.all([incrementMany(a), incrementMany(b)]);
    expect((await a.get(key))?.spec).toEqual({ n: 50 });
    expect((await b.get(key))?.spec).toEqual({ n: 50 });
  });

  it('read on one replica what the other acknowledged just before', async () => {
    const [a, b] = await openReplicas(cached);
    await b.list(resource);
    let written = await a.create(`${resource}ns/x`, thing('x', { n: 0 }));
    for (let n = 1; n <= 20; n++) {
      written = await a.update(`${resource}ns/x`, thing('x', { n }), rv(written));
      expect(await b.get(`${resource}ns/x`)).toEqual(written);
      expect((await b.list(resource)).items).toEqual([written]);
    }
  });
});

function thing(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'example.com/v1',
    kind: 'Thing',
    metadata: { namespace: 'ns', name, uid: name },
    spec,
  };
}
