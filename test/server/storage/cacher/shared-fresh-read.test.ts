import { SharedFreshRead } from '../../../../server/storage/cacher/shared-fresh-read.js';

/** A read whose answers the test gives, one per started read, in order. */
function controlledReads(): {
  shared: SharedFreshRead<number>;
  started: () => number;
  answer: (value: number) => void;
} {
  const pending: ((value: number) => void)[] = [];
  let started = 0;
  const shared = new SharedFreshRead(
    () =>
      new Promise<number>((resolve) => {
        started += 1;
        pending.push(resolve);
      }),
  );
  return { shared, started: () => started, answer: (value) => pending.shift()?.(value) };
}

describe('SharedFreshRead', () => {
  it('starts a read for a caller when none is in flight', async () => {
    const { shared, started, answer } = controlledReads();
    const first = shared.get();
    expect(started()).toBe(1);
    answer(1);
    expect(await first).toBe(1);
    const second = shared.get();
    expect(started()).toBe(2);
    answer(2);
    expect(await second).toBe(2);
  });

  it('never hands a caller a read that started before it: callers during a read share the next one', async () => {
    const { shared, started, answer } = controlledReads();
    const first = shared.get();
    const during = [shared.get(), shared.get(), shared.get()];
    expect(started()).toBe(1);
    answer(10);
    expect(await first).toBe(10);
    await Promise.resolve();
    expect(started()).toBe(2);
    answer(20);
    expect(await Promise.all(during)).toEqual([20, 20, 20]);
  });

  it('a failed read fails its callers only; the next callers get a new read', async () => {
    let calls = 0;
    const shared = new SharedFreshRead(async () => {
      calls += 1;
      if (calls === 1) throw new Error('unavailable');
      return calls;
    });
    const first = shared.get();
    const during = shared.get();
    await expect(first).rejects.toThrow('unavailable');
    expect(await during).toBe(2);
    expect(await shared.get()).toBe(3);
  });
});
