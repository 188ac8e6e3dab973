import { mkdirSync, openSync, fsyncSync, closeSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  compareKeys,
  StorageError,
  StorageEventLog,
  type KubeObject,
  type ListOptions,
  type ListResult,
  type Storage,
  type StorageEvent,
  type StorageEventLogOptions,
} from '../../server/index.js';

interface FileState {
  revision: number;
  objects: Record<string, KubeObject>;
}

/**
 * A Storage of the Widget team's own: every object in one JSON file, rewritten atomically
 * (temporary file, fsync, rename) before a write is acknowledged, so nothing acknowledged is
 * lost. Watches come from the server library's StorageEventLog. Fine for a few thousand objects
 * on one replica; it passes the same conformance kit as the built-in backends.
 */
export class JsonFileStorage implements Storage {
  private readonly events: StorageEventLog;
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly state: FileState,
    options: StorageEventLogOptions,
  ) {
    this.events = new StorageEventLog(options);
  }

  static open(path: string, options: StorageEventLogOptions = {}): JsonFileStorage {
    mkdirSync(dirname(path), { recursive: true });
    let state: FileState = { revision: 1, objects: {} };
    try {
      state = JSON.parse(readFileSync(path, 'utf8')) as FileState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // Keys are read as own properties of a prototype-less map: `__proto__` is a key like any other.
    const objects = Object.assign(Object.create(null), state.objects) as Record<string, KubeObject>;
    return new JsonFileStorage(path, { revision: state.revision, objects }, options);
  }

  async get(key: string): Promise<KubeObject | undefined> {
    this.assertOpen(key);
    return this.copy(this.state.objects[key]);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.assertOpen(prefix);
    const keys = Object.keys(this.state.objects)
      .filter(
        (key) =>
          key.startsWith(prefix) &&
          (options.startAfter === undefined || compareKeys(key, options.startAfter) > 0),
      )
      .sort(compareKeys);
    const page = options.limit ? keys.slice(0, options.limit) : keys;
    const remaining = keys.length - page.length;
    return {
      items: page.map((key) => this.copy(this.state.objects[key])!),
      resourceVersion: String(this.state.revision),
      ...(remaining > 0 ? { continueKey: page[page.length - 1], remainingItemCount: remaining } : {}),
    };
  }

  async create(key: string, object: KubeObject): Promise<KubeObject> {
    this.assertOpen(key);
    if (this.state.objects[key]) throw new StorageError('KeyExists', key);
    return this.commit('ADDED', key, object, undefined);
  }

  async update(key: string, object: KubeObject, expectedResourceVersion: string): Promise<KubeObject> {
    const current = this.current(key, expectedResourceVersion);
    return this.commit('MODIFIED', key, object, current);
  }

  async delete(key: string, expectedResourceVersion?: string): Promise<KubeObject> {
    const current = this.current(key, expectedResourceVersion);
    return this.commit('DELETED', key, current, current);
  }

  watch(
    prefix: string,
    fromResourceVersion: string | undefined,
    signal: AbortSignal,
  ): AsyncIterable<StorageEvent> {
    return this.events.watch(prefix, fromResourceVersion, this.state.revision, signal);
  }

  async currentResourceVersion(): Promise<string> {
    return String(this.state.revision);
  }

  async checkHealth(): Promise<void> {
    this.assertOpen('');
  }

  async close(): Promise<void> {
    this.closed = true;
    this.events.close();
  }

  private current(key: string, expectedResourceVersion: string | undefined): KubeObject {
    this.assertOpen(key);
    const current = this.state.objects[key];
    if (!current) throw new StorageError('NotFound', key);
    if (
      expectedResourceVersion !== undefined &&
      current.metadata.resourceVersion !== expectedResourceVersion
    ) {
      throw new StorageError('Conflict', key, 'the object has been modified');
    }
    return current;
  }

  /** Applies one change at the next revision, makes it durable, then tells the watches. */
  private commit(
    type: StorageEvent['type'],
    key: string,
    object: KubeObject,
    previous: KubeObject | undefined,
  ): KubeObject {
    const revision = this.state.revision + 1;
    const stored = this.copy({
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(revision) },
    })!;
    const objects = Object.assign(Object.create(null), this.state.objects) as Record<string, KubeObject>;
    if (type === 'DELETED') delete objects[key];
    else objects[key] = stored;
    this.persist({ revision, objects });
    this.state.revision = revision;
    this.state.objects = objects;
    this.events.record({ type, key, revision, object: stored, ...(previous ? { previous } : {}) });
    return this.copy(stored)!;
  }

  private persist(state: FileState): void {
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, JSON.stringify(state));
    const fd = openSync(temporary, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
  }

  private copy(object: KubeObject | undefined): KubeObject | undefined {
    return object === undefined ? undefined : (JSON.parse(JSON.stringify(object)) as KubeObject);
  }

  private assertOpen(key: string): void {
    if (this.closed) throw new StorageError('Unavailable', key, 'the storage is closed');
  }
}

export function openJsonFileStorage(path: string, options: StorageEventLogOptions = {}): JsonFileStorage {
  return JsonFileStorage.open(path, options);
}
