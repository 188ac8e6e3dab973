import type { KubeObject } from '../../api/types.js';
import { isApiError } from '../api/errors.js';
import { backoffDelay, sleep } from '../util/backoff.js';
import type { Logger } from '../util/logger.js';
import type { ResourceClient, ObjectSelection } from './resource-client.js';

/** What an informer tells its owner. Handlers run synchronously, in event order. */
export interface InformerHandler {
  /** An object appeared or changed, or was listed again after a relist. */
  upsert(object: KubeObject): void;
  /** An object is gone (deleted, or missing from a relist). */
  remove(object: KubeObject): void;
}

export interface InformerOptions extends ObjectSelection {
  readonly log: Logger;
  /** The first and the longest wait before a failed watch is opened again. @default 500 ms, 30 s */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
}

/** `namespace/name`, or `name` for cluster-scoped objects: how controllers key their work. */
export function objectKey(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

/**
 * A cache of one resource kept current by a watch, as client-go's reflector and informer: it
 * lists, then follows changes from that version; when the watch fails it resumes from the last
 * version it saw, and when that version is gone (410 Expired) it lists again and tells the
 * owner what changed in between. Failures are retried with a jittered backoff, never given up.
 */
export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private resolveSynced!: () => void;
  /** Resolves once the first list has been handed to the handler. */
  readonly synced = new Promise<void>((resolve) => (this.resolveSynced = resolve));

  constructor(
    private readonly client: ResourceClient,
    private readonly handler: InformerHandler,
    private readonly options: InformerOptions,
  ) {}

  /** The cached object of `key` (see objectKey). */
  get(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  get size(): number {
    return this.cache.size;
  }

  /** Follows the resource until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { log, retryBaseMs = 500, retryMaxMs = 30_000, ...select } = this.options;
    const resource = `${this.client.definition.plural}.${this.client.definition.group}`;
    let resourceVersion: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      const stop = new AbortController();
      const onAbort = (): void => stop.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const watch = await this.client.watch({ ...select, resourceVersion }, stop.signal);
        if (resourceVersion === undefined) {
          this.replace(watch.initial);
          this.resolveSynced();
        }
        resourceVersion = watch.startResourceVersion;
        for (;;) {
          const next = await watch.events.next();
          if (next.done) break;
          const event = next.value;
          resourceVersion = event.resourceVersion;
          failures = 0;
          if (!event.object) continue;
          if (event.type === 'DELETED') this.delete(event.object);
          else this.store(event.object);
        }
        // Watches end only on purpose; one that ended anyway is resumed, but not in a tight loop.
        await sleep(retryBaseMs, signal);
      } catch (error) {
        if (signal.aborted) break;
        // The version we resumed from has been compacted away: start over from a fresh list.
        if (isApiError(error) && error.code === 410) resourceVersion = undefined;
        failures++;
        log.info(failures > 1 ? 2 : 0, 'watch failed, retrying', {
          resource,
          error: error instanceof Error ? error.message : String(error),
          relist: resourceVersion === undefined,
        });
        await sleep(backoffDelay(failures, { baseMs: retryBaseMs, maxMs: retryMaxMs }), signal);
      } finally {
        signal.removeEventListener('abort', onAbort);
        stop.abort();
      }
    }
  }

  /** A fresh list: what it lacks is gone, everything in it is upserted. */
  private replace(objects: readonly KubeObject[]): void {
    const listed = new Set(objects.map(objectKey));
    for (const [key, object] of [...this.cache]) {
      if (listed.has(key)) continue;
      this.cache.delete(key);
      this.handler.remove(object);
    }
    for (const object of objects) this.store(object);
  }

  private store(object: KubeObject): void {
    this.cache.set(objectKey(object), object);
    this.handler.upsert(object);
  }

  private delete(object: KubeObject): void {
    this.cache.delete(objectKey(object));
    this.handler.remove(object);
  }
}
