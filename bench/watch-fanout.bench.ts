/**
 * Lists and watch fan-out served by the watch cache versus straight from etcd, on a real etcd
 * (the pinned binary, see test/support/etcd-process.ts).
 *
 *   npx tsx bench/watch-fanout.bench.ts [--objects 1000] [--lists 200] [--watchers 1000] [--events 100]
 *
 * Each figure is reported against a reference measured in the same run on the same machine,
 * never as an absolute budget: "from etcd" is the reference, and the cache's ratio to it is the
 * result. Times are wall clock for the whole batch.
 */
import { setMaxListeners } from 'node:events';
import { parseArgs } from 'node:util';
import type { KubeObject } from '../api/types.js';
import { CachedStorage } from '../server/storage/cacher/cached-storage.js';
import { openEtcdStorage } from '../server/storage/etcd/etcd-storage.js';
import type { Storage } from '../api/storage.js';
import { EtcdProcess } from '../test/support/etcd-process.js';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '1000' },
    lists: { type: 'string', default: '200' },
    watchers: { type: 'string', default: '1000' },
    events: { type: 'string', default: '100' },
  },
});
const objects = Number(values.objects);
const lists = Number(values.lists);
const watchers = Number(values.watchers);
const eventCount = Number(values.events);

const resource = '/registry/bench.example.com/things/';

interface Measurement {
  readonly what: string;
  readonly reference: number;
  readonly cached: number;
  readonly unit: string;
}

async function main(): Promise<void> {
  const etcd = await EtcdProcess.start();
  const options = { endpoints: [etcd.clientUrl], compactionIntervalMs: 0 };
  const direct = await openEtcdStorage(options);
  const cached = new CachedStorage(await openEtcdStorage(options));
  const results: Measurement[] = [];
  try {
    for (let i = 0; i < objects; i++) await direct.create(`${resource}ns${i % 10}/o${i}`, thing(i));
    await cached.list(resource); // the cache lists once, then follows its watch

    const listRate = async (storage: Storage): Promise<number> => {
      const started = performance.now();
      for (let i = 0; i < lists; i++) await storage.list(resource);
      return lists / ((performance.now() - started) / 1000);
    };
    results.push({
      what: `list of ${objects} objects`,
      reference: await listRate(direct),
      cached: await listRate(cached),
      unit: 'lists/s',
    });

    const namespaceListRate = async (storage: Storage): Promise<number> => {
      const started = performance.now();
      for (let i = 0; i < lists; i++) await storage.list(`${resource}ns${i % 10}/`, { limit: 50 });
      return lists / ((performance.now() - started) / 1000);
    };
    results.push({
      what: `namespace page of 50`,
      reference: await namespaceListRate(direct),
      cached: await namespaceListRate(cached),
      unit: 'lists/s',
    });

    results.push({
      what: `${watchers} watchers x ${eventCount} events`,
      reference: await fanOutRate(direct, direct),
      cached: await fanOutRate(cached, direct),
      unit: 'events delivered/s',
    });
  } finally {
    await cached.close();
    await direct.close();
    await etcd.dispose();
  }
  report(results);
}

/**
 * Starts `watchers` watches on `watched`, writes `eventCount` changes through `writer`, and
 * measures how fast every watcher receives every change (from the first write to the last
 * delivery).
 */
async function fanOutRate(watched: Storage, writer: Storage): Promise<number> {
  const controller = new AbortController();
  // One signal ends every watcher of the batch.
  setMaxListeners(0, controller.signal);
  const from = await writer.currentResourceVersion();
  const lastKey = `${resource}ns0/event-${eventCount - 1}-${from}`;
  const consumers = Array.from({ length: watchers }, async () => {
    let received = 0;
    for await (const event of watched.watch(resource, from, controller.signal)) {
      received += 1;
      if (event.key === lastKey) break;
    }
    return received;
  });
  const started = performance.now();
  for (let i = 0; i < eventCount; i++) await writer.create(`${resource}ns0/event-${i}-${from}`, thing(i));
  const received = (await Promise.all(consumers)).reduce((sum, count) => sum + count, 0);
  const seconds = (performance.now() - started) / 1000;
  controller.abort();
  if (received !== watchers * eventCount)
    throw new Error(`expected ${watchers * eventCount} deliveries, got ${received}`);
  return received / seconds;
}

function thing(i: number): KubeObject {
  return {
    apiVersion: 'bench.example.com/v1',
    kind: 'Thing',
    metadata: { namespace: `ns${i % 10}`, name: `o${i}`, labels: { app: 'bench', shard: String(i % 7) } },
    spec: { replicas: i % 5, image: `registry.example.com/app:${i}`, args: ['--flag', String(i)] },
  };
}

function report(results: readonly Measurement[]): void {
  const rows = results.map((result) => ({
    measurement: result.what,
    'from etcd (reference)': `${result.reference.toFixed(0)} ${result.unit}`,
    'from the watch cache': `${result.cached.toFixed(0)} ${result.unit}`,
    'cache / reference': `${(result.cached / result.reference).toFixed(1)}x`,
  }));
  console.table(rows);
}

await main();
