import type { RecordedEvent } from '../../../server/storage/object-encoding.js';
import { WatchHub } from '../../../server/storage/watch-hub.js';
import { events } from '../../../server/testing/index.js';

function event(revision: number, key = `/g/r/ns/o${revision}`): RecordedEvent {
  return {
    type: 'ADDED',
    key,
    revision,
    objectJson: JSON.stringify({ metadata: { name: key, resourceVersion: String(revision) } }),
  };
}

/**
 * The embedded backends read their history synchronously, so live events never actually
 * arrive mid-replay there; these tests drive the hand-over directly, with the overlaps an
 * asynchronous backend would produce.
 */
describe('WatchHub and Watcher', () => {
  const watches = new AbortController();
  afterAll(() => watches.abort());

  it('stitches history and live events that arrived during the replay without gaps or duplicates', async () => {
    const hub = new WatchHub();
    const watcher = hub.open('/g/', 3, watches.signal);
    // Live events committed while the history was being read: 5 and 6 made it into the
    // history read, 7 did not and exists only as a held-back live event.
    hub.publish(event(5));
    hub.publish(event(6));
    hub.publish(event(7));
    watcher.replayThenGoLive([event(4), event(5), event(6)]);
    hub.publish(event(8));
    const got = await events(watcher).take(5);
    expect(got.map((e) => e.resourceVersion)).toEqual(['4', '5', '6', '7', '8']);
  });

  it('drops events at or before the starting revision, and outside the prefix', async () => {
    const hub = new WatchHub();
    const watcher = hub.open('/g/r/ns1/', 10, watches.signal);
    watcher.replayThenGoLive([event(9, '/g/r/ns1/a'), event(10, '/g/r/ns1/b')]);
    hub.publish(event(11, '/g/r/ns10/c'));
    hub.publish(event(12, '/g/r/ns1/d'));
    expect((await events(watcher).take(1)).map((e) => e.key)).toEqual(['/g/r/ns1/d']);
  });

  it('can be iterated only once', async () => {
    const hub = new WatchHub();
    const watcher = hub.open('/g/', 0, watches.signal);
    watcher.replayThenGoLive([]);
    void watcher[Symbol.asyncIterator]().next();
    await expect(watcher[Symbol.asyncIterator]().next()).rejects.toThrow('only once');
    watcher.stop();
  });

  it('stops holding references to a watcher once its signal aborts', () => {
    const hub = new WatchHub();
    const controller = new AbortController();
    hub.open('/g/', 0, controller.signal).replayThenGoLive([]);
    expect(hub.size).toBe(1);
    controller.abort();
    expect(hub.size).toBe(0);
  });
});
