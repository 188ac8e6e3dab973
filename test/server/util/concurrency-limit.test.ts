import { ConcurrencyLimit } from '../../../server/util/concurrency-limit.js';

describe('ConcurrencyLimit', () => {
  test('never runs more tasks at once than its limit, and runs them all', async () => {
    const limit = new ConcurrencyLimit(3);
    let running = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limit.run(async () => {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 1 + (i % 4)));
          running--;
          return i;
        }),
      ),
    );
    expect(most).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(limit.running).toBe(0);
  });

  test('starts waiting tasks in the order they came', async () => {
    const limit = new ConcurrencyLimit(1);
    const started: number[] = [];
    await Promise.all([1, 2, 3].map((n) => limit.run(async () => void started.push(n))));
    expect(started).toEqual([1, 2, 3]);
  });

  test('frees the slot of a task that throws', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run(async () => 'next')).resolves.toBe('next');
  });

  test('refuses a limit below one', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow('at least 1');
  });
});
