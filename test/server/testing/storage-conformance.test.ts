import { runNodeTest } from './support/node-test.js';

const fixture = 'test/server/testing/fixtures/memory-storage-conformance.node-test.ts';

describe('the storage conformance kit outside jest', () => {
  it('runs under node:test with its describe, it, beforeEach and afterEach, and MemoryStorage passes', async () => {
    const run = await runNodeTest(fixture, { CONFORMANCE_BACKEND: 'memory' });
    expect(run.failed).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.passed).toEqual(
      expect.arrayContaining([
        'stores an object and stamps its resourceVersion',
        'returns exactly the keys under the prefix, in key order',
        'sees every write racing its start exactly once, in order, without gaps',
        'fails with Expired when asked to resume from before the history it keeps',
        'answers checkHealth while open',
      ]),
    );
    expect(run.stdout).toMatch(/# Subtest: memory: Storage conformance/);
    expect(run.stdout).toMatch(new RegExp(`^# pass ${run.passed.length}$`, 'm'));
    expect(run.stdout).toMatch(/^# fail 0$/m);
  });

  it('fails, under node:test, the cases a non-conforming backend breaks, and only those', async () => {
    const run = await runNodeTest(fixture, { CONFORMANCE_BACKEND: 'unordered' });
    expect(run.exitCode).toBe(1);
    expect(run.failed.sort()).toEqual(
      [
        'returns exactly the keys under the prefix, in key order',
        'orders keys by code point, as etcd and SQLite compare UTF-8 bytes',
        'pages with limit and startAfter, counting the remaining items',
      ].sort(),
    );
    expect(run.passed).toContain('stores an object and stamps its resourceVersion');
    expect(run.stdout).toMatch(/Expected values to be strictly deep-equal/);
  });
});
