import assert from 'node:assert/strict';
import { StorageError, type StorageErrorCode, type StorageEvent } from '../../api/storage.js';
import type { KubeObject } from '../../api/types.js';

/**
 * How long the helpers wait for an expected event before failing instead of hanging.
 * @default 5000
 */
export const defaultEventTimeoutMs = 5_000;

/** A Kubernetes-shaped object to store; the name only makes failures readable. */
export function thing(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name }, spec };
}

/** The resourceVersion a backend stamped on `object`; throws if there is none. */
export function rv(object: KubeObject): string {
  const version = object.metadata.resourceVersion;
  if (version === undefined) throw new Error(`${object.metadata.name} has no resourceVersion`);
  return version;
}

/** The resourceVersion of `object` as a number, to compare versions. */
export function revisionOf(object: KubeObject): number {
  return Number(rv(object));
}

/**
 * Asserts that `operation` rejects with a StorageError (from `aggregated-apiserver/api`) of
 * this code.
 */
export async function expectStorageError(operation: Promise<unknown>, code: StorageErrorCode): Promise<void> {
  const outcome = await operation.then(
    (value: unknown) => ({ failed: false as const, value }),
    (error: unknown) => ({ failed: true as const, error }),
  );
  if (!outcome.failed) assert.fail(`expected StorageError(${code}), but it succeeded`);
  const { error } = outcome;
  if (!(error instanceof StorageError)) {
    assert.fail(
      `expected StorageError(${code}), got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
  }
  assert.equal(
    error.code,
    code,
    `expected StorageError(${code}), got StorageError(${error.code}): ${error.message}`,
  );
}

/** Resolves or rejects as `promise` does, or rejects after `ms`, naming `what` was awaited. */
export async function withTimeout<T>(
  promise: Promise<T>,
  what: string,
  ms = defaultEventTimeoutMs,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Pulls events from one watch, each within a timeout, so a missing event fails rather than hangs. */
export interface WatchEvents {
  /** The next `count` events; rejects if the watch ends first or an event is late. */
  take(count: number): Promise<StorageEvent[]>;
  /** Events up to and including the first one for `key`. */
  takeUntilKey(key: string): Promise<StorageEvent[]>;
}

export function events(stream: AsyncIterable<StorageEvent>, timeoutMs = defaultEventTimeoutMs): WatchEvents {
  const iterator = stream[Symbol.asyncIterator]();
  const next = async (): Promise<StorageEvent> => {
    const result = await withTimeout(iterator.next(), 'the next watch event', timeoutMs);
    if (result.done) throw new Error('the watch ended early');
    return result.value;
  };
  return {
    async take(count) {
      const taken: StorageEvent[] = [];
      while (taken.length < count) taken.push(await next());
      return taken;
    },
    async takeUntilKey(key) {
      const taken: StorageEvent[] = [];
      while (taken.at(-1)?.key !== key) taken.push(await next());
      return taken;
    },
  };
}
