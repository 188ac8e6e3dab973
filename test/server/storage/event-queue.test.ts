import { BoundedEventQueue } from '../../../server/storage/event-queue.js';

/** Delivers items as they were queued. */
function same<T>(item: T): T {
  return item;
}

/** Pulls everything the queue delivers until it ends (or throws). */
async function collect<T>(queue: BoundedEventQueue<T>): Promise<T[]> {
  const got: T[] = [];
  for await (const item of queue.consume(same)) got.push(item);
  return got;
}

/** Bounds of `count` items and no limit in bytes, items of no size. */
function items(count: number): [{ items: number; bytes: number }, () => number] {
  return [{ items: count, bytes: Infinity }, () => 0];
}

/** Lets pending promise callbacks run, so a consumer that can proceed has done so. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('BoundedEventQueue', () => {
  it('delivers items in the order they were pushed', async () => {
    const queue = new BoundedEventQueue<number>(...items(10), () => {});
    for (const item of [3, 1, 2]) expect(queue.push(item)).toBe(true);
    queue.drain();
    expect(await collect(queue)).toEqual([3, 1, 2]);
  });

  it('hands each item to the consumer through its deliver function', async () => {
    const queue = new BoundedEventQueue<number>(...items(10), () => {});
    queue.push(1);
    queue.push(2);
    queue.drain();
    const got: string[] = [];
    for await (const item of queue.consume((n) => `#${n}`)) got.push(item);
    expect(got).toEqual(['#1', '#2']);
  });

  it('keeps the order across the trimming of a long consumed front', async () => {
    const queue = new BoundedEventQueue<number>(...items(5000), () => {});
    const consumer = queue.consume(same);
    for (let i = 0; i < 3000; i++) queue.push(i);
    const got: number[] = [];
    for (let i = 0; i < 2000; i++) got.push((await consumer.next()).value as number);
    for (let i = 3000; i < 4000; i++) queue.push(i);
    queue.drain();
    for (let next = await consumer.next(); !next.done; next = await consumer.next()) got.push(next.value);
    expect(got).toEqual(Array.from({ length: 4000 }, (_, i) => i));
  });

  it('closes when the limit is reached: the queued items are dropped and the consumer sees the end', async () => {
    let releases = 0;
    const queue = new BoundedEventQueue<string>(
      { items: 2, bytes: Infinity },
      () => 0,
      () => releases++,
    );
    expect(queue.push('a')).toBe(true);
    expect(queue.push('b')).toBe(true);
    expect(queue.push('c')).toBe(false);
    expect(queue.isOpen).toBe(false);
    expect(releases).toBe(1);
    expect(await collect(queue)).toEqual([]);
    expect(queue.push('d')).toBe(false);
  });

  it('is bounded in bytes too, but always takes an item into an empty queue', async () => {
    const queue = new BoundedEventQueue<string>(
      { items: 100, bytes: 10 },
      (item) => item.length,
      () => {},
    );
    const consumer = queue.consume(same);
    expect(queue.push('x'.repeat(50))).toBe(true);
    expect((await consumer.next()).value).toHaveLength(50);
    expect(queue.push('abcd')).toBe(true);
    expect(queue.push('efgh')).toBe(true);
    expect(queue.push('ijkl')).toBe(false);
    expect(queue.isOpen).toBe(false);
    expect((await consumer.next()).done).toBe(true);
  });

  it('counts only the items not yet consumed against the limit', async () => {
    const queue = new BoundedEventQueue<string>(...items(2), () => {});
    const consumer = queue.consume(same);
    queue.push('a');
    queue.push('b');
    await consumer.next();
    expect(queue.push('c')).toBe(true);
    expect(queue.isOpen).toBe(true);
    await consumer.return();
  });

  it('wakes a consumer parked on an empty queue when an item arrives', async () => {
    const queue = new BoundedEventQueue<string>(...items(10), () => {});
    const consumer = queue.consume(same);
    let resolved = false;
    const next = consumer.next().then((result) => {
      resolved = true;
      return result;
    });
    await settle();
    expect(resolved).toBe(false);
    queue.push('a');
    await expect(next).resolves.toEqual({ value: 'a', done: false });
    await consumer.return();
  });

  it('with wakeAfterIo, wakes a parked consumer only on the next turn of the event loop, after the pending promise callbacks', async () => {
    const queue = new BoundedEventQueue<string>(...items(10), () => {}, true);
    const consumer = queue.consume(same);
    let resolved = false;
    const next = consumer.next().then((result) => {
      resolved = true;
      return result;
    });
    await settle();
    queue.push('a');
    queue.push('b');
    // However long a chain of promise callbacks (a write's answer) runs, the consumer waits for it.
    for (let i = 0; i < 100; i++) await Promise.resolve();
    expect(resolved).toBe(false);
    await expect(next).resolves.toEqual({ value: 'a', done: false });
    expect(await consumer.next()).toEqual({ value: 'b', done: false });
    await consumer.return();
  });

  it('wakes a parked consumer with the end when the queue drains or closes', async () => {
    const drained = new BoundedEventQueue<string>(...items(10), () => {});
    const drainedNext = drained.consume(same).next();
    await settle();
    drained.drain();
    await expect(drainedNext).resolves.toEqual({ value: undefined, done: true });

    const closed = new BoundedEventQueue<string>(...items(10), () => {});
    const closedNext = closed.consume(same).next();
    await settle();
    closed.close();
    await expect(closedNext).resolves.toEqual({ value: undefined, done: true });
  });

  it('delivers the queued items before the failure it was drained with', async () => {
    const queue = new BoundedEventQueue<string>(...items(10), () => {});
    queue.push('a');
    const failure = new Error('expired');
    expect(queue.drain(failure)).toBe(true);
    // Only the first drain counts: it neither replaces the failure nor reopens anything.
    expect(queue.drain(new Error('other'))).toBe(false);
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const item of queue.consume(same)) got.push(item);
      })(),
    ).rejects.toBe(failure);
    expect(got).toEqual(['a']);
  });

  it('drops the queued items when closed', async () => {
    const queue = new BoundedEventQueue<string>(...items(10), () => {});
    queue.push('a');
    queue.drain(new Error('expired'));
    queue.close();
    expect(queue.push('b')).toBe(false);
    expect(await collect(queue)).toEqual([]);
  });

  it('releases once, however often it is released or closed', () => {
    let releases = 0;
    const queue = new BoundedEventQueue<string>(...items(10), () => releases++);
    queue.drain();
    expect(releases).toBe(0);
    queue.release();
    queue.close();
    queue.release();
    queue.close();
    expect(releases).toBe(1);
  });

  it('closes and releases when the consumer stops early', async () => {
    let releases = 0;
    const queue = new BoundedEventQueue<string>(...items(10), () => releases++);
    queue.push('a');
    queue.push('b');
    for await (const item of queue.consume(same)) {
      expect(item).toBe('a');
      break;
    }
    expect(releases).toBe(1);
    expect(queue.isOpen).toBe(false);
    expect(queue.push('c')).toBe(false);
  });

  it('has a single consumer', async () => {
    const queue = new BoundedEventQueue<string>(...items(10), () => {});
    void queue.consume(same).next();
    await expect(queue.consume(same).next()).rejects.toThrow('only once');
    queue.close();
  });
});
