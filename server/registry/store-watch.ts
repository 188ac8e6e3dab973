import type { StorageEvent } from '../../api/storage.js';
import type { KubeObject } from '../../api/types.js';
import type { StoreWatchEvent } from './store-types.js';
import { type RecordedEvent, recordedChangeOf } from '../storage/object-encoding.js';

interface WatchFilter {
  /** Whether a watcher sees the object (its selectors). */
  readonly matches: (object: KubeObject | undefined) => boolean;
  /** Into the client's version. */
  readonly convert: (stored: KubeObject) => KubeObject;
  /** Storage failures into Status errors. */
  readonly mapError: (error: unknown) => unknown;
  /**
   * Set when the watcher sees every change (no selector) in the storage version, which converts
   * nothing: the beginning (apiVersion and kind) of the recorded JSON it can pass on as it is.
   */
  readonly storedAsIs?: string;
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
      const asStored = storedAsIs(event, filter);
      if (asStored) return { done: false, value: asStored };
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

/**
 * The event with the JSON the storage recorded, when the watcher sees it as stored; its object
 * is converted only if read.
 */
function storedAsIs(event: StorageEvent, filter: WatchFilter): StoreWatchEvent | undefined {
  if (filter.storedAsIs === undefined) return undefined;
  const change = recordedChangeOf(event);
  if (!change?.objectJson.startsWith(filter.storedAsIs)) return undefined;
  return new StoredChange(event, change, filter.convert);
}

/** A change as stored, its object converted (decoded) only if read. */
class StoredChange implements StoreWatchEvent {
  readonly type: StoreWatchEvent['type'];
  readonly resourceVersion: string;
  readonly encoded: { readonly change: object; readonly json: string };
  private converted: KubeObject | undefined;

  constructor(
    private readonly event: StorageEvent,
    change: RecordedEvent,
    private readonly convert: (stored: KubeObject) => KubeObject,
  ) {
    this.type = event.type;
    this.resourceVersion = event.resourceVersion;
    this.encoded = { change, json: change.objectJson };
  }

  get object(): KubeObject {
    return (this.converted ??= this.convert(this.event.object));
  }
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
