import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { errors, isApiError } from '../api/errors.js';
import type { KubeObject, WatchEvent } from '../../api/types.js';
import type { RequestScope } from '../registry/request-scope.js';
import { toPartialObjectMetadata, toTable } from '../registry/representations.js';
import type { Store, StoreWatch, StoreWatchEvent, WatchQuery } from '../registry/store.js';
import { destroyResponse, writeChunk, type Exchange } from './exchange.js';
import { parseAccept } from './media-type.js';
import { derivedValue } from '../util/derived-value.js';
import type { ServerMetrics } from './metrics.js';

export interface WatchSettings {
  /** Watches without timeoutSeconds end after a random time between this and twice this (kube's --min-request-timeout). */
  readonly minRequestTimeoutSeconds: number;
  /** How often a BOOKMARK is sent to clients that allow them. */
  readonly bookmarkIntervalMs: number;
}

const maxTimerMs = 2 ** 31 - 1;

/** How long an event may wait behind a connection the client does not read before the watch is closed. */
export const WATCH_STALL_TIMEOUT_MS = 15_000;

/** What the storage watch does while the handler waits on the client: its next event arrives, or it ends. */
interface UpstreamState {
  readonly arrived: Promise<void>;
  readonly ended: Promise<'ended'>;
}

/**
 * A promise that never settles. A fresh one each time: whatever waits on it is dropped with it,
 * where a shared one would collect a reaction per event for the life of the process.
 */
function never(): Promise<never> {
  return new Promise<never>(() => undefined);
}

function upstreamState(next: Promise<IteratorResult<StoreWatchEvent>>): UpstreamState {
  return {
    arrived: next.then(
      (result) => (result.done ? never() : undefined),
      () => never(),
    ),
    ended: next.then(
      (result) => (result.done ? ('ended' as const) : never()),
      () => 'ended' as const,
    ),
  };
}

type EventShape = 'object' | 'Table' | 'PartialObjectMetadata';

function eventShape(accept: string | undefined): { shape: EventShape; metaVersion: string } {
  for (const range of parseAccept(accept)) {
    if (!['application/json', '*/*', 'application/*'].includes(range.type)) continue;
    const as = range.params.as;
    if (!as) return { shape: 'object', metaVersion: 'v1' };
    const metaVersion = range.params.v ?? 'v1';
    if (range.params.g !== 'meta.k8s.io') continue;
    if (as === 'Table') return { shape: 'Table', metaVersion };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList')
      return { shape: 'PartialObjectMetadata', metaVersion };
  }
  throw errors.notAcceptable(accept ?? '', [
    'application/json',
    'application/json;as=Table;v=v1;g=meta.k8s.io',
  ]);
}

/**
 * The line of a change every watcher gets as it was stored, encoded once for all of them (a
 * thousand watchers of a resource write the same bytes, as kube's cachingObject serializes an
 * event once per encoding).
 */
function sharedLine(type: StoreWatchEvent['type'], encoded: NonNullable<StoreWatchEvent['encoded']>): Buffer {
  return derivedValue(encoded.change, `watch line ${type}`, () =>
    Buffer.from(`{"type":${JSON.stringify(type)},"object":${encoded.json}}\n`),
  );
}

function booleanParam(url: URL, name: string): boolean | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  return value === 'true' || value === '1';
}

/**
 * Streams watch events as kube-apiserver does: one JSON object a line, flushed at once; the
 * current state first when no resourceVersion is given; BOOKMARKs when allowed; a 410 ERROR
 * event when the requested version is too old; a clean end on timeout or shutdown.
 *
 * A client that does not read is not waited for forever. While a write waits for the
 * connection to drain, the next event is already being asked of the storage, whose queue is
 * bounded (see BoundedEventQueue). The watch is closed once its buffer is full: when that queue
 * overflows (the storage then ends the watch and drops what it queued), or when an event has
 * been waiting behind the full connection for WATCH_STALL_TIMEOUT_MS. The response is then torn
 * down rather than ended (an end could never be flushed), which frees everything the watch
 * held; the client re-watches from the last version it read, as it does whenever
 * kube-apiserver closes an unresponsive watcher.
 */
export class WatchHandler {
  constructor(
    private readonly settings: WatchSettings,
    private readonly metrics: ServerMetrics,
  ) {}

  async serve(exchange: Exchange, store: Store, scope: RequestScope, query: WatchQuery): Promise<void> {
    const url = exchange.url;
    const { shape, metaVersion } = eventShape(exchange.req.headers.accept);
    const sendInitialEvents = query.sendInitialEvents;
    const allowBookmarks = booleanParam(url, 'allowWatchBookmarks') === true;
    if (
      sendInitialEvents !== undefined &&
      (!allowBookmarks || url.searchParams.get('resourceVersionMatch') !== 'NotOlderThan')
    ) {
      throw errors.invalid('ListOptions', 'meta.k8s.io', '', [
        {
          reason: 'FieldValueForbidden',
          field: 'sendInitialEvents',
          message:
            'Forbidden: sendInitialEvents requires setting allowWatchBookmarks=true and resourceVersionMatch=NotOlderThan',
        },
      ]);
    }
    const timeoutSeconds =
      Number(url.searchParams.get('timeoutSeconds') ?? '') || this.defaultTimeoutSeconds();

    const controller = new AbortController();
    const stop = (): void => controller.abort();
    exchange.signal.addEventListener('abort', stop, { once: true });
    // Node fires timers longer than 2^31-1 ms at once; such a watch runs for the longest it can.
    const timer = setTimeout(stop, Math.min(timeoutSeconds * 1000, maxTimerMs));
    const labelsForMetric = {
      verb: 'WATCH',
      group: store.definition.group,
      version: scope.version.name,
      resource: store.definition.plural,
    };
    this.metrics.watches.inc(labelsForMetric);

    const { res } = exchange;
    const render = (object: KubeObject): unknown => {
      if (shape === 'Table')
        return toTable(
          [object],
          { resourceVersion: object.metadata.resourceVersion },
          scope.version,
          metaVersion,
          'Metadata',
        );
      if (shape === 'PartialObjectMetadata') return toPartialObjectMetadata(object, metaVersion);
      return object;
    };
    /** The storage watch's next step, once it is opened. */
    let upcoming: Promise<IteratorResult<StoreWatchEvent>> | undefined;
    const send = async (event: WatchEvent<unknown> | Buffer): Promise<void> => {
      if (controller.signal.aborted || res.writableEnded) return;
      const line = Buffer.isBuffer(event) ? event : `${JSON.stringify(event)}\n`;
      if (writeChunk(res, line)) return;
      // Only behind a full connection is the storage watch's next step worth watching.
      const upstream: UpstreamState = upcoming
        ? upstreamState(upcoming)
        : { arrived: never(), ended: never() };
      // The listeners go when the wait is over, whichever way it ended.
      const waiting = new AbortController();
      let outcome: 'drained' | 'aborted' | 'ended' | 'stalled';
      try {
        outcome = await Promise.race([
          once(res, 'drain', { signal: waiting.signal }).then(
            () => 'drained' as const,
            () => 'aborted' as const,
          ),
          once(controller.signal, 'abort', { signal: waiting.signal }).then(
            () => 'aborted' as const,
            () => 'aborted' as const,
          ),
          upstream.ended,
          upstream.arrived.then(() =>
            sleep(WATCH_STALL_TIMEOUT_MS, undefined, { signal: waiting.signal }).then(
              () => 'stalled' as const,
              () => 'aborted' as const,
            ),
          ),
        ]);
      } finally {
        waiting.abort();
      }
      if (outcome === 'ended' || outcome === 'stalled') {
        // The client does not read and the watch's buffer is full: close it.
        destroyResponse(res);
        controller.abort();
      }
    };
    const bookmark = (rv: string, initialEventsEnd = false): WatchEvent<unknown> => ({
      type: 'BOOKMARK',
      object: {
        kind: store.definition.kind,
        apiVersion: `${store.definition.group}/${scope.version.name}`,
        metadata: {
          resourceVersion: rv,
          ...(initialEventsEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}),
        },
      },
    });

    let headersWritten = false;
    const writeHeaders = (): void => {
      if (headersWritten) return;
      headersWritten = true;
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-cache, private');
      res.writeHead(200);
      if ('flushHeaders' in res && typeof res.flushHeaders === 'function') res.flushHeaders();
    };

    let lastResourceVersion = query.resourceVersion ?? '0';
    let bookmarkTimer: NodeJS.Timeout | undefined;
    try {
      // Opened before answering, so a too-old version is a clean 410 event, not a hang.
      let watch: StoreWatch | undefined = await store.watch(scope, query, controller.signal);
      const events = watch.events;
      lastResourceVersion = watch.startResourceVersion;
      // Always one request ahead of the client: its end is noticed while a write waits (see send).
      let pending = events.next();
      pending.catch(() => undefined);
      upcoming = pending;
      writeHeaders();
      for (const object of watch.initial) await send({ type: 'ADDED', object: render(object) });
      // Let go of the first state: a long watch does not keep it alive.
      watch = undefined;
      if (sendInitialEvents) await send(bookmark(lastResourceVersion, true));
      if (allowBookmarks) {
        bookmarkTimer = setInterval(
          // A failed write ends the watch rather than becoming an unhandled rejection.
          () => void send(bookmark(lastResourceVersion)).catch(stop),
          this.settings.bookmarkIntervalMs,
        );
      }
      for (let next = await pending; !next.done; next = await pending) {
        pending = events.next();
        pending.catch(() => undefined);
        upcoming = pending;
        const event = next.value;
        lastResourceVersion = event.resourceVersion;
        if (event.encoded && shape === 'object') await send(sharedLine(event.type, event.encoded));
        else if (event.object) await send({ type: event.type, object: render(event.object) });
      }
    } catch (error) {
      if (!controller.signal.aborted) {
        // Before the stream starts (bad selectors, say) the answer is a plain Status response.
        if (!isApiError(error) || !headersWritten) throw error;
        writeHeaders();
        await send({ type: 'ERROR', object: error.status });
      }
    } finally {
      clearTimeout(timer);
      if (bookmarkTimer) clearInterval(bookmarkTimer);
      exchange.signal.removeEventListener('abort', stop);
      controller.abort();
      this.metrics.watches.dec(labelsForMetric);
      if (!res.writableEnded) res.end();
    }
  }

  private defaultTimeoutSeconds(): number {
    const min = this.settings.minRequestTimeoutSeconds;
    return min + Math.floor(Math.random() * min);
  }
}
