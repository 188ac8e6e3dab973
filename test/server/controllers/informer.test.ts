import type { KubeObject } from '../../../api/index.js';
import { metricSnapshot } from '../../../resources/metricsnapshot/index.js';
import { Informer, objectKey } from '../../../server/controllers/informer.js';
import { InProcessResourceClient } from '../../../server/controllers/resource-client.js';
import { Store } from '../../../server/registry/store.js';
import { silentLogger } from '../../../server/util/logger.js';
import { ControllableStorage } from '../storage/cacher/controllable-storage.js';
import { seedSnapshot } from '../support/test-server.js';

/** An informer over a Store on a storage whose watches the test can hold and cut. */
function setUp(options: { historySize?: number } = {}) {
  const storage = new ControllableStorage(options);
  const client = new InProcessResourceClient(new Store(metricSnapshot, storage), 'v1', 'test', silentLogger);
  const seen: string[] = [];
  const informer = new Informer(
    client,
    {
      upsert: (o) => seen.push(`upsert ${objectKey(o)} ${(o.spec as { interval: string }).interval}`),
      remove: (o) => seen.push(`remove ${objectKey(o)}`),
    },
    { log: silentLogger, retryBaseMs: 10, retryMaxMs: 50 },
  );
  const stop = new AbortController();
  let running: Promise<void> = Promise.resolve();
  const start = (): void => {
    running = informer.run(stop.signal);
  };
  const create = (name: string, interval = '1m'): Promise<KubeObject> => {
    const object = seedSnapshot(name) as KubeObject & { spec: Record<string, unknown> };
    object.spec.interval = interval;
    return client.create(object);
  };
  const until = async (condition: () => boolean): Promise<void> => {
    const deadline = Date.now() + 5_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`not reached; seen: ${seen.join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const close = async (): Promise<void> => {
    stop.abort();
    await running;
    await storage.close();
  };
  return { storage, client, informer, seen, start, create, until, close };
}

describe('Informer', () => {
  test('hands over the listed objects, then every change in order, and keeps a cache', async () => {
    const t = setUp();
    try {
      await t.create('a');
      t.start();
      await t.informer.synced;
      expect(t.seen).toEqual(['upsert default/a 1m']);
      const b = await t.create('b');
      await t.client.update({ ...b, spec: { ...(b.spec as object), interval: '2m' } });
      await t.client.delete('default', 'a');
      await t.until(() => t.seen.length === 4);
      expect(t.seen).toEqual([
        'upsert default/a 1m',
        'upsert default/b 1m',
        'upsert default/b 2m',
        'remove default/a',
      ]);
      expect(t.informer.get('default/a')).toBeUndefined();
      expect((t.informer.get('default/b')?.spec as { interval: string }).interval).toBe('2m');
      expect(t.informer.size).toBe(1);
    } finally {
      await t.close();
    }
  });

  test('resumes a failed watch where it was, missing nothing and repeating nothing', async () => {
    const t = setUp();
    try {
      t.start();
      await t.informer.synced;
      await t.create('before');
      await t.until(() => t.seen.length === 1);
      t.storage.hold();
      await t.create('during');
      t.storage.cutWatches();
      t.storage.release();
      await t.create('after');
      await t.until(() => t.seen.length === 3);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(t.seen).toEqual([
        'upsert default/before 1m',
        'upsert default/during 1m',
        'upsert default/after 1m',
      ]);
    } finally {
      await t.close();
    }
  });

  test('lists again when its version is gone, and removes what was deleted meanwhile', async () => {
    const t = setUp({ historySize: 2 });
    try {
      await t.create('kept');
      await t.create('deleted');
      t.start();
      await t.informer.synced;
      await t.until(() => t.seen.length === 2);
      t.storage.hold();
      await t.client.delete('default', 'deleted');
      for (const name of ['new-1', 'new-2', 'new-3']) await t.create(name);
      t.storage.cutWatches();
      t.storage.release();
      await t.until(() => t.seen.includes('remove default/deleted') && t.informer.size === 4);
      expect(t.seen.slice(2)).toEqual(
        expect.arrayContaining([
          'remove default/deleted',
          'upsert default/new-1 1m',
          'upsert default/new-2 1m',
          'upsert default/new-3 1m',
        ]),
      );
      // The relist hands over what was kept again: the handler learns nothing was lost.
      expect(t.seen.filter((line) => line === 'upsert default/kept 1m')).toHaveLength(2);
      expect([...['kept', 'new-1', 'new-2', 'new-3']].every((n) => t.informer.get(`default/${n}`))).toBe(
        true,
      );
    } finally {
      await t.close();
    }
  });
});
