import { once } from 'node:events';
import { errors, isApiError } from '../api/errors.js';
import type { KubeObject, WatchEvent } from '../../api/types.js';
import type { RequestScope } from '../registry/request-scope.js';
import { toPartialObjectMetadata, toTable } from '../registry/representations.js';
import type { Store, WatchQuery } from '../registry/store.js';
import { writeChunk, type Exchange } from './exchange.js';
import { parseAccept } from './media-type.js';
import type { ServerMetrics } from './metrics.js';

export interface WatchSettings {
  /** Watches without timeoutSeconds end after a random time between this and twice this (kube's --min-request-timeout). */
  readonly minRequestTimeoutSeconds: number;
  /** How often a BOOKMARK is sent to clients that allow them. */
  readonly bookmarkIntervalMs: number;
}

const maxTimerMs = 2 ** 31 - 1;

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

function booleanParam(url: URL, name: string): boolean | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  return value === 'true' || value === '1';
}

/**
 * Streams watch events as kube-apiserver does: one JSON object a line, flushed at once; the
 * current state first when no resourceVersion is given; BOOKMARKs when allowed; a 410 ERROR
 * event when the requested version is too old; a clean end on timeout or shutdown.
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
    const send = async (event: WatchEvent<unknown>): Promise<void> => {
      if (controller.signal.aborted || res.writableEnded) return;
      if (!writeChunk(res, `${JSON.stringify(event)}\n`)) {
        await Promise.race([once(res, 'drain'), once(controller.signal, 'abort')]);
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
      const watch = await store.watch(scope, query, controller.signal);
      lastResourceVersion = watch.startResourceVersion;
      const firstEvent = watch.events.next();
      firstEvent.catch(() => undefined);
      writeHeaders();
      for (const object of watch.initial) await send({ type: 'ADDED', object: render(object) });
      if (sendInitialEvents) await send(bookmark(lastResourceVersion, true));
      if (allowBookmarks) {
        bookmarkTimer = setInterval(
          // A failed write ends the watch rather than becoming an unhandled rejection.
          () => void send(bookmark(lastResourceVersion)).catch(stop),
          this.settings.bookmarkIntervalMs,
        );
      }
      for (let next = await firstEvent; !next.done; next = await watch.events.next()) {
        const event = next.value;
        lastResourceVersion = event.resourceVersion;
        if (event.object) await send({ type: event.type, object: render(event.object) });
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
