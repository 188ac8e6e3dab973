import { ApiError } from '../api/errors.js';
import { MAX_OBJECT_BYTES } from '../api/request-limits.js';
import type { KubeObject } from '../../api/types.js';
import type { StorageEvent } from '../../api/storage.js';
import { formatResourceVersion } from './resource-version.js';

/**
 * Backends keep objects as JSON text, never as live JavaScript objects. Text is immutable, so
 * nothing a caller does to an object it passed in or got back can change what is stored, and
 * every reader (each `get`, each watcher) parses its own copy. It also gives every backend the
 * same JSON semantics: `undefined` fields vanish and dates become strings, as they would
 * through SQLite or etcd.
 */

/**
 * The JSON text of `object` with `metadata.resourceVersion` set to `revision`. An object larger
 * than MAX_OBJECT_BYTES is refused with 413, as etcd refuses requests past its size limit: a
 * body is bounded, but patch after patch could otherwise grow one object without end.
 */
export function encodeObject(object: KubeObject, revision: number): string {
  // Spread rather than assign: the caller's object must not change.
  const json = JSON.stringify({
    ...object,
    metadata: { ...object.metadata, resourceVersion: formatResourceVersion(revision) },
  });
  checkObjectSize(Buffer.byteLength(json));
  return json;
}

/** Throws 413 if an object's JSON, in bytes, is past the limit. */
export function checkObjectSize(jsonBytes: number): void {
  if (jsonBytes <= MAX_OBJECT_BYTES) return;
  throw new ApiError({
    code: 413,
    reason: 'RequestEntityTooLarge',
    message: `Request entity too large: the object is ${jsonBytes} bytes, the limit is ${MAX_OBJECT_BYTES}`,
  });
}

/** A fresh object from stored JSON text. */
export function decodeObject(json: string): KubeObject {
  return JSON.parse(json) as KubeObject;
}

/** A committed change as backends record it: one per revision, objects as JSON text. */
export interface RecordedEvent {
  readonly type: StorageEvent['type'];
  readonly key: string;
  readonly revision: number;
  /** The object after the change; for DELETED, the last state stamped with the deletion's revision. */
  readonly objectJson: string;
  /** The object before the change (absent for ADDED). */
  readonly previousJson?: string;
}

/** Roughly the memory a recorded change holds: the lengths of its JSON texts. */
export function recordedEventBytes(event: RecordedEvent): number {
  return event.objectJson.length + (event.previousJson?.length ?? 0);
}

/**
 * A caller's copy of a recorded change whose objects are decoded when first read: a consumer
 * that can use the recorded JSON as it is (see `recordedChangeOf`) never decodes them. The
 * objects are getters of the class, so a spread copy (`{ ...event }`) has none: pass the event.
 */
class DecodedOnRead implements StorageEvent {
  readonly type: StorageEvent['type'];
  readonly key: string;
  readonly resourceVersion: string;
  private decoded: KubeObject | undefined;
  private decodedPrevious: KubeObject | undefined;

  constructor(readonly recorded: RecordedEvent) {
    this.type = recorded.type;
    this.key = recorded.key;
    this.resourceVersion = formatResourceVersion(recorded.revision);
  }

  get object(): KubeObject {
    return (this.decoded ??= decodeObject(this.recorded.objectJson));
  }

  get previous(): KubeObject | undefined {
    const json = this.recorded.previousJson;
    return json === undefined ? undefined : (this.decodedPrevious ??= decodeObject(json));
  }
}

/** The caller's copy of a recorded change, its objects decoded when first read. */
export function toStorageEvent(event: RecordedEvent): StorageEvent {
  return new DecodedOnRead(event);
}

/**
 * The recorded change behind an event `toStorageEvent` made, shared by every watcher of it:
 * its JSON, and an identity to remember what is derived from it once for all of them.
 */
export function recordedChangeOf(event: StorageEvent): RecordedEvent | undefined {
  return event instanceof DecodedOnRead ? event.recorded : undefined;
}
