import type { KubeObject } from '../../api/types.js';
import { pageSize } from './list-limit.js';
import { decodeObject, encodeObject, type RecordedEvent } from './object-encoding.js';
import { formatResourceVersion, INITIAL_REVISION, parseResourceVersion } from './resource-version.js';
import { SortedKeys } from './sorted-keys.js';
import {
  type ListOptions,
  type ListResult,
  type Storage,
  StorageError,
  type StorageEvent,
} from '../../api/storage.js';
import { failedWatch } from './watcher.js';
import { StorageEventLog } from './storage-event-log.js';

export interface MemoryStorageOptions {
  /** How many recent changes to keep for watches that resume from a past version. */
  readonly historySize?: number;
  /** How many events one watch may have queued before it is ended (see Watcher). */
  readonly watchQueueLimit?: number;
}

interface StoredObject {
  readonly revision: number;
  readonly json: string;
}

/**
 * A backend that keeps everything in this process and loses it on exit: for tests, demos and
 * data that is cheap to rebuild. One revision counter is shared by all keys (see
 * resource-version.ts for where it starts).
 */
export class MemoryStorage implements Storage {
  private readonly objects = new Map<string, StoredObject>();
  private readonly keys = new SortedKeys();
  private readonly events: StorageEventLog;
  private revision = INITIAL_REVISION;
  private closed = false;

  constructor(options: MemoryStorageOptions = {}) {
    this.events = new StorageEventLog(options);
  }

  /** How many watches are open. */
  get activeWatchCount(): number {
    return this.events.activeWatchCount;
  }

  async get(key: string): Promise<KubeObject | undefined> {
    this.assertOpen(key);
    const stored = this.objects.get(key);
    return stored && decodeObject(stored.json);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.assertOpen(prefix);
    // Only the present is kept, so every list is read at the current version.
    const page = this.keys.range(prefix, options.startAfter, pageSize(options.limit));
    const items = page.keys.map((key) => decodeObject(this.storedAt(key).json));
    const more = page.remaining > 0 && page.keys.length > 0;
    return {
      items,
      resourceVersion: formatResourceVersion(this.revision),
      ...(more ? { continueKey: page.keys[page.keys.length - 1], remainingItemCount: page.remaining } : {}),
    };
  }

  async create(key: string, object: KubeObject): Promise<KubeObject> {
    this.assertOpen(key);
    if (this.objects.has(key)) throw new StorageError('KeyExists', key);
    const revision = this.revision + 1;
    const json = encodeObject(object, revision);
    this.objects.set(key, { revision, json });
    this.keys.insert(key);
    this.commit({ type: 'ADDED', key, revision, objectJson: json });
    return decodeObject(json);
  }

  async update(key: string, object: KubeObject, expectedResourceVersion: string): Promise<KubeObject> {
    this.assertOpen(key);
    const current = this.objects.get(key);
    if (!current) throw new StorageError('NotFound', key);
    this.checkPrecondition(key, current, expectedResourceVersion);
    const revision = this.revision + 1;
    const json = encodeObject(object, revision);
    this.objects.set(key, { revision, json });
    this.commit({ type: 'MODIFIED', key, revision, objectJson: json, previousJson: current.json });
    return decodeObject(json);
  }

  async delete(key: string, expectedResourceVersion?: string): Promise<KubeObject> {
    this.assertOpen(key);
    const current = this.objects.get(key);
    if (!current) throw new StorageError('NotFound', key);
    if (expectedResourceVersion !== undefined) this.checkPrecondition(key, current, expectedResourceVersion);
    const revision = this.revision + 1;
    const json = encodeObject(decodeObject(current.json), revision);
    this.objects.delete(key);
    this.keys.remove(key);
    this.commit({ type: 'DELETED', key, revision, objectJson: json, previousJson: current.json });
    return decodeObject(json);
  }

  watch(
    prefix: string,
    fromResourceVersion: string | undefined,
    signal: AbortSignal,
  ): AsyncIterable<StorageEvent> {
    if (this.closed) return failedWatch(new StorageError('Unavailable', prefix, 'the storage is closed'));
    return this.events.watch(prefix, fromResourceVersion, this.revision, signal);
  }

  async currentResourceVersion(): Promise<string> {
    this.assertOpen('');
    return formatResourceVersion(this.revision);
  }

  async checkHealth(): Promise<void> {
    this.assertOpen('');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.events.close();
    this.objects.clear();
  }

  private commit(event: RecordedEvent): void {
    this.revision = event.revision;
    this.events.recordEncoded(event);
  }

  private checkPrecondition(key: string, current: StoredObject, expectedResourceVersion: string): void {
    if (parseResourceVersion(expectedResourceVersion) !== current.revision) {
      throw new StorageError(
        'Conflict',
        key,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
  }

  private storedAt(key: string): StoredObject {
    const stored = this.objects.get(key);
    if (!stored) throw new Error(`memory storage: key index and objects disagree about ${key}`);
    return stored;
  }

  private assertOpen(key: string): void {
    if (this.closed) throw new StorageError('Unavailable', key, 'the storage is closed');
  }
}
