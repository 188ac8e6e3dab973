import { globalTestRunner, type TestRunner } from '../../../server/testing/test-runner.js';
import { runNodeTest } from './support/node-test.js';

describe('globalTestRunner', () => {
  it('returns the runner’s global functions (here jest’s)', () => {
    const runner = globalTestRunner();
    expect(runner.describe).toBe(describe);
    expect(runner.it).toBe(it);
    expect(runner.beforeEach).toBe(beforeEach);
    expect(runner.afterEach).toBe(afterEach);
    // jest's globals also fit the interface when passed explicitly (checked by the compiler).
    const explicit: TestRunner = { describe, it, beforeEach, afterEach };
    expect(Object.values(explicit)).toEqual([
      runner.describe,
      runner.it,
      runner.beforeEach,
      runner.afterEach,
    ]);
  });

  it('names the missing globals and how to pass a runner where there are none (node:test)', async () => {
    const run = await runNodeTest('test/server/testing/fixtures/memory-storage-conformance.node-test.ts', {
      CONFORMANCE_BACKEND: 'globals',
    });
    expect(run.exitCode).toBe(1);
    expect(run.passed).toEqual([]);
    expect(run.stdout).toMatch(
      /no global describe, it, beforeEach, afterEach: run under jest, vitest \(globals: true\) or mocha, or pass a runner/,
    );
  });
});
