import type { StorageEvent } from '../../api/storage.js';
import type { KubeObject } from '../../api/types.js';
import type { StoreWatchEvent } from './store-types.js';

interface WatchFilter {
  /** Whether a watcher sees the object (its selectors). */
  readonly matches: (object: KubeObject | undefined) => boolean;
  /** Into the client's version. */
  readonly convert: (stored: KubeObject) => KubeObject;
  /** Storage failures into Status errors. */
  readonly mapError: (error: unknown) => unknown;
}

/**
 * Storage events as one watcher sees them: selector-aware types (an object that stops matching
 * is DELETED for it, one that starts is ADDED), converted to its version, and failures as
 * Status errors. Changes it does not see still move its resourceVersion on (for bookmarks).
 */
export function watchEvents(
  upstream: AsyncIterable<StorageEvent>,
  filter: WatchFilter,
): AsyncIterator<StoreWatchEvent> {
  const source = upstream[Symbol.asyncIterator]();
  return {
    async next(): Promise<IteratorResult<StoreWatchEvent>> {
      let next: IteratorResult<StorageEvent>;
      try {
        next = await source.next();
      } catch (error) {
        throw filter.mapError(error);
      }
      if (next.done) return { done: true, value: undefined };
      const event = next.value;
      const type = transition(event, filter.matches);
      return {
        done: false,
        value: {
          type: type ?? event.type,
          ...(type ? { object: filter.convert(event.object) } : {}),
          resourceVersion: event.resourceVersion,
        },
      };
    },
    async return(): Promise<IteratorResult<StoreWatchEvent>> {
      await source.return?.();
      return { done: true, value: undefined };
    },
  };
}

function transition(
  event: StorageEvent,
  matches: (o: KubeObject | undefined) => boolean,
): StoreWatchEvent['type'] | undefined {
  const now = matches(event.object);
  if (event.type !== 'MODIFIED') return now ? event.type : undefined;
  const before = event.previous === undefined ? now : matches(event.previous);
  if (now && before) return 'MODIFIED';
  if (now) return 'ADDED';
  if (before) return 'DELETED';
  return undefined;
}
