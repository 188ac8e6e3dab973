/**
 * Where a kit registers its cases: the four functions jest, vitest (with `globals: true`),
 * mocha and node:test all provide. Pass node:test's explicitly:
 * `import { describe, it, beforeEach, afterEach } from 'node:test'`.
 */
export interface TestRunner {
  /** Groups the cases and hooks `body` registers under `name`. */
  describe(name: string, body: () => void): unknown;
  /** One case; it fails when the promise `body` returns rejects. */
  it(name: string, body: () => Promise<void>): unknown;
  /** Runs before each case of the enclosing `describe`, nested ones included. */
  beforeEach(hook: () => Promise<void>): unknown;
  /** Runs after each case of the enclosing `describe`, nested ones included, also when the case failed. */
  afterEach(hook: () => Promise<void>): unknown;
}

const runnerFunctions = ['describe', 'it', 'beforeEach', 'afterEach'] as const;

/** The runner's global functions; throws, naming the missing ones, when there are none. */
export function globalTestRunner(): TestRunner {
  const scope = globalThis as Partial<Record<(typeof runnerFunctions)[number], unknown>>;
  const missing = runnerFunctions.filter((name) => typeof scope[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(
      `no global ${missing.join(', ')}: run under jest, vitest (globals: true) or mocha, ` +
        "or pass a runner, e.g. node:test's { describe, it, beforeEach, afterEach }",
    );
  }
  return scope as TestRunner;
}
