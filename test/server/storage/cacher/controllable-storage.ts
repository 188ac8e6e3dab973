import type { KubeObject } from '../../../../api/types.js';
import { MemoryStorage, type MemoryStorageOptions } from '../../../../server/storage/memory-storage.js';
import type { ListOptions, ListResult, Storage, StorageEvent } from '../../../../api/storage.js';

/**
 * A MemoryStorage that counts the calls a cache makes of it, and whose watches a test can hold
 * (events stay queued in the backend, as when a network stalls) and cut (the watch fails, as when
 * the connection drops), to put a watch cache in the situations it must survive.
 */
export class ControllableStorage implements Storage {
  readonly backend: MemoryStorage;
  readonly calls = { get: 0, list: 0, watch: 0 };
  private held: Promise<void> | undefined;
  private releaseHeld: (() => void) | undefined;
  private readonly cutters = new Set<(error: Error) => void>();
  private nextListHeld = false;

  constructor(options: MemoryStorageOptions = {}) {
    this.backend = new MemoryStorage(options);
  }

  /** Stops delivering watch events until `release`. */
  hold(): void {
    if (this.held) return;
    this.held = new Promise((resolve) => (this.releaseHeld = resolve));
  }

  /** Makes the next list wait until `release`, as a first list of many objects takes long. */
  holdNextList(): void {
    this.hold();
    this.nextListHeld = true;
  }

  release(): void {
    this.releaseHeld?.();
    this.held = undefined;
    this.releaseHeld = undefined;
  }

  /** Fails every open watch with `error`. */
  cutWatches(error: Error = new Error('connection lost')): void {
    for (const cut of [...this.cutters]) cut(error);
  }

  get(key: string): Promise<KubeObject | undefined> {
    this.calls.get += 1;
    return this.backend.get(key);
  }

  async list(prefix: string, options?: ListOptions): Promise<ListResult> {
    this.calls.list += 1;
    if (this.nextListHeld) {
      this.nextListHeld = false;
      await this.held;
    }
    return this.backend.list(prefix, options);
  }

  create(key: string, object: KubeObject): Promise<KubeObject> {
    return this.backend.create(key, object);
  }

  update(key: string, object: KubeObject, expectedResourceVersion: string): Promise<KubeObject> {
    return this.backend.update(key, object, expectedResourceVersion);
  }

  delete(key: string, expectedResourceVersion?: string): Promise<KubeObject> {
    return this.backend.delete(key, expectedResourceVersion);
  }

  watch(
    prefix: string,
    fromResourceVersion: string | undefined,
    signal: AbortSignal,
  ): AsyncIterable<StorageEvent> {
    this.calls.watch += 1;
    return this.controlled(this.backend.watch(prefix, fromResourceVersion, signal));
  }

  currentResourceVersion(): Promise<string> {
    return this.backend.currentResourceVersion();
  }

  checkHealth(): Promise<void> {
    return this.backend.checkHealth();
  }

  close(): Promise<void> {
    this.release();
    return this.backend.close();
  }

  private async *controlled(
    source: AsyncIterable<StorageEvent>,
  ): AsyncGenerator<StorageEvent, void, undefined> {
    const events = source[Symbol.asyncIterator]();
    let cut!: (error: Error) => void;
    const wasCut = new Promise<never>((_, reject) => (cut = reject));
    wasCut.catch(() => undefined);
    this.cutters.add(cut);
    try {
      for (;;) {
        const next = await Promise.race([events.next(), wasCut]);
        if (next.done) return;
        while (this.held) await Promise.race([this.held, wasCut]);
        yield next.value;
      }
    } finally {
      this.cutters.delete(cut);
      await events.return?.();
    }
  }
}
