import { backoffDelay, sleep } from '../../../server/util/backoff.js';

describe('backoffDelay', () => {
  const noJitter = { baseMs: 1_000, maxMs: 10_000, random: () => 0 };

  test('doubles from the base with each failure, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, noJitter))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  test('stretches a delay by at most the jitter factor', () => {
    expect(backoffDelay(1, { ...noJitter, random: () => 0.999 })).toBe(1_200);
    expect(backoffDelay(1, { ...noJitter, jitter: 1, random: () => 0.5 })).toBe(1_500);
  });

  test('stays finite after very many failures', () => {
    expect(backoffDelay(10_000, noJitter)).toBe(10_000);
  });
});

describe('sleep', () => {
  test('ends early when its signal aborts', async () => {
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    controller.abort();
    await expect(slept).resolves.toBeUndefined();
  });

  test('does not wait at all on an aborted signal', async () => {
    await expect(sleep(60_000, AbortSignal.abort())).resolves.toBeUndefined();
  });
});
