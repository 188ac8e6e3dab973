import { AssertionError } from 'node:assert';
import { StorageError, type StorageEvent } from '../../../api/storage.js';
import {
  events,
  expectStorageError,
  revisionOf,
  rv,
  thing,
  withTimeout,
} from '../../../server/testing/storage-test-helpers.js';

async function* yielding(...items: StorageEvent[]): AsyncIterable<StorageEvent> {
  yield* items;
}
const event = (key: string): StorageEvent => ({
  type: 'ADDED',
  key,
  object: thing(key),
  resourceVersion: '2',
});

describe('storage test helpers', () => {
  it('expectStorageError passes on the expected code and fails with an assertion naming what happened otherwise', async () => {
    await expectStorageError(Promise.reject(new StorageError('Conflict', '/k')), 'Conflict');
    const succeeded = expectStorageError(Promise.resolve('fine'), 'Conflict');
    await expect(succeeded).rejects.toThrow(AssertionError);
    await expect(succeeded).rejects.toThrow('expected StorageError(Conflict), but it succeeded');
    await expect(
      expectStorageError(Promise.reject(new StorageError('NotFound', '/k')), 'Conflict'),
    ).rejects.toThrow(/expected StorageError\(Conflict\), got StorageError\(NotFound\)/);
    await expect(expectStorageError(Promise.reject(new TypeError('boom')), 'Conflict')).rejects.toThrow(
      /expected StorageError\(Conflict\), got TypeError: boom/,
    );
  });

  it('withTimeout rejects, naming what was awaited, when the promise takes too long', async () => {
    await expect(withTimeout(new Promise(() => undefined), 'nothing', 10)).rejects.toThrow(
      'timed out after 10 ms waiting for nothing',
    );
    await expect(withTimeout(Promise.resolve(1), 'one', 10)).resolves.toBe(1);
  });

  it('events takes events in order, up to a key, and fails when the watch ends early', async () => {
    expect((await events(yielding(event('a'), event('b'))).take(2)).map((e) => e.key)).toEqual(['a', 'b']);
    expect(
      (await events(yielding(event('a'), event('b'), event('c'))).takeUntilKey('b')).map((e) => e.key),
    ).toEqual(['a', 'b']);
    await expect(events(yielding(event('a'))).take(2)).rejects.toThrow('the watch ended early');
  });

  it('rv and revisionOf read the resourceVersion, and refuse an object without one', () => {
    const stored = thing('a', { n: 1 });
    stored.metadata.resourceVersion = '42';
    expect(rv(stored)).toBe('42');
    expect(revisionOf(stored)).toBe(42);
    expect(() => rv(thing('b'))).toThrow('b has no resourceVersion');
    expect(thing('c', { n: 1 })).toEqual({
      apiVersion: 'example.com/v1',
      kind: 'Thing',
      metadata: { name: 'c' },
      spec: { n: 1 },
    });
  });
});
