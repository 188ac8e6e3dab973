import { WorkQueue } from '../../../server/controllers/work-queue.js';

/** Runs a queue until `done` says so (or 5 s pass), recording what workers did. */
async function runQueue(
  queue: WorkQueue,
  worker: (key: string) => Promise<void>,
  concurrency: number,
  done: () => boolean,
): Promise<void> {
  const stop = new AbortController();
  const running = queue.run(worker, concurrency, stop.signal);
  const deadline = Date.now() + 5_000;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  stop.abort();
  await running;
}

describe('WorkQueue', () => {
  test('works on a key added several times while it waits only once', async () => {
    const queue = new WorkQueue();
    for (let i = 0; i < 5; i++) queue.add('a');
    queue.add('b');
    expect(queue.length).toBe(2);
    const seen: string[] = [];
    await runQueue(
      queue,
      async (key) => void seen.push(key),
      1,
      () => seen.length >= 2,
    );
    expect(seen).toEqual(['a', 'b']);
  });

  test('never gives one key to two workers at once, and works again on a key added meanwhile', async () => {
    const queue = new WorkQueue();
    let active = 0;
    let overlapped = false;
    let runs = 0;
    queue.add('a');
    await runQueue(
      queue,
      async () => {
        active++;
        overlapped ||= active > 1;
        if (runs++ === 0) queue.add('a');
        await new Promise((resolve) => setTimeout(resolve, 20));
        active--;
      },
      4,
      () => runs >= 2,
    );
    expect(overlapped).toBe(false);
    expect(runs).toBe(2);
  });

  test('runs at most `concurrency` workers at once', async () => {
    const queue = new WorkQueue();
    for (let i = 0; i < 30; i++) queue.add(`k${i}`);
    let active = 0;
    let most = 0;
    let finished = 0;
    await runQueue(
      queue,
      async () => {
        active++;
        most = Math.max(most, active);
        await new Promise((resolve) => setTimeout(resolve, 2));
        active--;
        finished++;
      },
      4,
      () => finished >= 30,
    );
    expect(most).toBe(4);
    expect(finished).toBe(30);
  });

  test('queues a key scheduled for later when its time comes, and a new schedule replaces the old', async () => {
    const queue = new WorkQueue();
    queue.addAt('later', Date.now() + 60_000);
    queue.addAt('later', Date.now() + 30);
    expect(queue.length).toBe(0);
    expect(queue.scheduledAt('later')).toBeGreaterThan(Date.now());
    const seen: string[] = [];
    await runQueue(
      queue,
      async (key) => void seen.push(key),
      1,
      () => seen.length >= 1,
    );
    expect(seen).toEqual(['later']);
    expect(queue.scheduledAt('later')).toBeUndefined();
  });

  test('queues a key scheduled in the past at once', () => {
    const queue = new WorkQueue();
    queue.addAt('due', Date.now() - 1_000);
    expect(queue.length).toBe(1);
  });

  test('forgets a key: neither its place in the queue nor its schedule remains', async () => {
    const queue = new WorkQueue();
    queue.add('gone');
    queue.addAt('scheduled', Date.now() + 20);
    queue.forget('gone');
    queue.forget('scheduled');
    queue.add('kept');
    const seen: string[] = [];
    const until = Date.now() + 100;
    await runQueue(
      queue,
      async (key) => void seen.push(key),
      1,
      () => Date.now() > until,
    );
    expect(seen).toEqual(['kept']);
  });

  test('reports a worker that throws and goes on with the next key', async () => {
    const queue = new WorkQueue();
    queue.add('bad');
    queue.add('good');
    const errors: string[] = [];
    const seen: string[] = [];
    const stop = new AbortController();
    const running = queue.run(
      async (key) => {
        seen.push(key);
        if (key === 'bad') throw new Error('boom');
      },
      1,
      stop.signal,
      (key, error) => errors.push(`${key}: ${(error as Error).message}`),
    );
    while (seen.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort();
    await running;
    expect(errors).toEqual(['bad: boom']);
    expect(seen).toEqual(['bad', 'good']);
  });

  test('waits for busy workers when stopped', async () => {
    const queue = new WorkQueue();
    queue.add('slow');
    let finished = false;
    const stop = new AbortController();
    const running = queue.run(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        finished = true;
      },
      1,
      stop.signal,
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    stop.abort();
    await running;
    expect(finished).toBe(true);
  });
});
