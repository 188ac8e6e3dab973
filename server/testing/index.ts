/**
 * `aggregated-apiserver/server/testing`: the kits the server's own backends are tested with,
 * for authors of their own. Loads no test framework: cases are registered through a
 * {@link TestRunner} (the globals of jest, vitest or mocha by default, or node:test's) and
 * fail with `node:assert` errors.
 */
export {
  describeStorageConformance,
  type StorageConformanceHarness,
  type StorageConformanceOptions,
} from './storage-conformance.js';
export {
  defaultEventTimeoutMs,
  events,
  expectStorageError,
  revisionOf,
  rv,
  thing,
  withTimeout,
  type WatchEvents,
} from './storage-test-helpers.js';
export { globalTestRunner, type TestRunner } from './test-runner.js';
