import { parseGoDuration } from '../../api/go-duration.js';
import type { ResourceDefinition } from '../../api/resource-definition.js';
import type { KubeObject } from '../../api/types.js';
import { isApiError } from '../api/errors.js';
import type { Controller, ControllerContext } from '../controllers/controller.js';
import { Informer, objectKey } from '../controllers/informer.js';
import type { ResourceClient } from '../controllers/resource-client.js';
import { WorkQueue } from '../controllers/work-queue.js';
import type { AdmissionPlugin } from '../admission/admission-plugin.js';
import { flagTypes, FlagError, type FlagSpec } from '../options/flag-parser.js';
import { deepEqual } from '../registry/object-copy.js';
import { backoffDelay } from '../util/backoff.js';
import { ConcurrencyLimit } from '../util/concurrency-limit.js';
import { collectSnapshot, type Collection } from './collect-snapshot.js';
import { CollectorMetrics } from './collector-metrics.js';
import type { MetricSource, MetricSourcePlugin } from './metric-source.js';
import { statusAfter, type Condition, type SnapshotStatus } from './snapshot-status.js';
import { sourceValidation } from './source-validation.js';

const concurrencyFlag = flagTypes.integer(
  'collector-concurrency',
  10,
  'The most queries MetricSnapshot collection has in flight at once, over every source.',
);
const queryTimeoutFlag = flagTypes.duration(
  'collector-query-timeout',
  10_000,
  'How long one query to a MetricSnapshot source may take.',
);
const maxBackoffFlag = flagTypes.duration(
  'collector-max-backoff',
  300_000,
  'The longest wait before a MetricSnapshot that collected nothing is tried again; the waits double from its interval.',
);

/** The reason of the Ready condition of a snapshot whose source the server does not have. */
export const UnknownSource = 'UnknownSource';

/** How often a snapshot is collected when its interval cannot be read (the schema's default). */
const defaultIntervalMs = 60_000;
/** How many times a status write that lost a race is tried again, on a fresh read. */
const conflictRetries = 3;

interface SnapshotFields {
  spec?: { source?: unknown; metrics?: unknown; interval?: unknown };
  status?: SnapshotStatus;
}

/** What the collector remembers of a snapshot between collections (one object: one uid). */
interface Tracked {
  uid: string;
  /** The generation seen last. */
  generation: number;
  /** The newest generation a collection was made for (from Ready's observedGeneration, or our own). */
  collectedGeneration: number;
  /** The newest lastCollectionTime known, in epoch milliseconds: stale events cannot move it back. */
  lastCollectedMs: number;
  /** Collections in a row that read nothing. */
  failures: number;
  /** Not before this time (epoch milliseconds) after a failure. */
  retryAt: number;
}

export interface MetricSnapshotCollectorOptions {
  /** The resource to collect: MetricSnapshot, or a resource of the same shape in its storage version. */
  readonly resource: ResourceDefinition;
  /** The sources `spec.source` may name; any other is refused by admission. */
  readonly sources: readonly MetricSourcePlugin[];
}

/**
 * Collects MetricSnapshots: for each, every `spec.interval`, it reads each metric of
 * `spec.metrics` from `spec.source` at one instant and writes `status.data`,
 * `status.lastCollectionTime` and the Ready condition through the status subresource.
 *
 * Snapshots are followed through a watch, so a new or changed one is collected at once. The
 * next collection is due one interval after `status.lastCollectionTime`, so a replica that takes
 * over the leadership goes on where the last one stopped. The work is bounded: a fixed number of
 * queries in flight (--collector-concurrency) each with a timeout (--collector-query-timeout), at
 * most one pending collection per snapshot however late it runs (missed intervals are not caught
 * up), and a snapshot that collected nothing waits twice as long each time, with jitter, up to
 * --collector-max-backoff.
 */
export class MetricSnapshotCollector implements Controller {
  readonly name = 'metricsnapshot-collector';
  readonly flags: readonly FlagSpec<unknown>[];
  readonly admission: readonly AdmissionPlugin[];
  private readonly resource: ResourceDefinition;
  private readonly plugins: readonly MetricSourcePlugin[];
  private readonly sources = new Map<string, MetricSource>();
  private metrics: CollectorMetrics | undefined;
  private settings = { concurrency: 10, queryTimeoutMs: 10_000, maxBackoffMs: 300_000 };

  constructor(options: MetricSnapshotCollectorOptions) {
    this.resource = options.resource;
    this.plugins = options.sources;
    const names = this.plugins.map((p) => p.name);
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice) throw new Error(`the source ${twice} is given twice`);
    this.flags = [
      concurrencyFlag,
      queryTimeoutFlag,
      maxBackoffFlag,
      ...this.plugins.flatMap((p) => p.flags ?? []),
    ];
    this.admission = [sourceValidation(this.resource, names)];
  }

  /** The names `spec.source` may take. */
  get sourceNames(): string[] {
    return this.plugins.map((p) => p.name).sort();
  }

  async setup(context: ControllerContext): Promise<void> {
    const concurrency = context.flag(concurrencyFlag);
    if (concurrency < 1) throw new FlagError('--collector-concurrency: must be at least 1');
    const queryTimeoutMs = context.flag(queryTimeoutFlag);
    if (queryTimeoutMs <= 0) throw new FlagError('--collector-query-timeout: must be greater than zero');
    this.settings = { concurrency, queryTimeoutMs, maxBackoffMs: context.flag(maxBackoffFlag) };
    this.metrics = new CollectorMetrics(context.metrics);
    for (const plugin of this.plugins) {
      this.sources.set(
        plugin.name,
        await plugin.open({ flag: (spec) => context.flag(spec), log: context.log }),
      );
    }
  }

  async run(context: ControllerContext, signal: AbortSignal): Promise<void> {
    const metrics = this.metrics;
    if (!metrics) throw new Error('the collector runs before its setup');
    const client = context.client(this.resource);
    const queue = new WorkQueue();
    const limit = new ConcurrencyLimit(this.settings.concurrency);
    const tracked = new Map<string, Tracked>();
    const schedule = (object: KubeObject): void => {
      const key = objectKey(object);
      queue.addAt(key, this.dueTime(object, track(tracked, object)));
    };
    const informer = new Informer(
      client,
      {
        upsert: (object) => {
          schedule(object);
          metrics.tracked.set(tracked.size);
        },
        remove: (object) => {
          const key = objectKey(object);
          tracked.delete(key);
          queue.forget(key);
          metrics.tracked.set(tracked.size);
        },
      },
      { log: context.log },
    );
    const collect = async (key: string): Promise<void> => {
      const object = informer.get(key);
      const state = tracked.get(key);
      if (!object || !state || object.metadata.deletionTimestamp || !context.isLeader()) return;
      let latest = object;
      try {
        latest = await this.collect(object, state, client, context, limit, signal);
      } catch (error) {
        // A write that failed (storage down, say) waits like a failed read, never in a tight loop.
        this.recordFailure(state, object);
        throw error;
      } finally {
        // Whatever happened, the snapshot stays scheduled (unless it is gone or was replaced).
        const current = informer.get(key);
        if (!signal.aborted && current)
          schedule(current.metadata.uid === latest.metadata.uid ? latest : current);
      }
    };
    const onError = (key: string, error: unknown): void =>
      context.log.error('collecting a MetricSnapshot failed', { snapshot: key, error: String(error) });
    try {
      await Promise.all([
        informer.run(signal),
        queue.run(collect, this.settings.concurrency, signal, onError),
      ]);
    } finally {
      metrics.tracked.set(0);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.sources.values()].map((s) => s.close?.()));
  }

  /** When a snapshot is next due: now for a spec never collected, else one interval after the last. */
  private dueTime(object: KubeObject, state: Tracked): number {
    if (state.collectedGeneration < state.generation) return Date.now();
    return Math.max(state.lastCollectedMs + intervalOf(object), state.retryAt);
  }

  /** Collects one snapshot and writes its status; answers the newest object seen. */
  private async collect(
    object: KubeObject,
    state: Tracked,
    client: ResourceClient,
    context: ControllerContext,
    limit: ConcurrencyLimit,
    signal: AbortSignal,
  ): Promise<KubeObject> {
    const { spec } = object as KubeObject & SnapshotFields;
    const metricList = Array.isArray(spec?.metrics) ? spec.metrics.filter((m) => typeof m === 'string') : [];
    const sourceName = typeof spec?.source === 'string' ? spec.source : '';
    const source = this.sources.get(sourceName);
    const sourceLabel = source ? sourceName : 'unknown';
    const time = new Date(Math.floor(Date.now() / 1000) * 1000);
    const metrics = this.metrics!;
    const collection: Collection = source
      ? await collectSnapshot(metricList, source, {
          time,
          timeoutMs: this.settings.queryTimeoutMs,
          signal,
          limit,
          observe: (seconds) => metrics.queryDuration.observe({ source: sourceLabel }, seconds),
        })
      : {
          time,
          values: new Map(),
          failures: metricList.map((metric) => ({
            metric,
            reason: UnknownSource,
            message: `the server has no source ${JSON.stringify(sourceName)}; it has ${this.sourceNames
              .map((s) => JSON.stringify(s))
              .join(', ')}`,
          })),
        };
    if (signal.aborted) return object;
    metrics.collections.inc({ source: sourceLabel });
    if (collection.failures.length > 0)
      metrics.failures.inc({ source: sourceLabel, reason: collection.failures[0].reason });

    // Bookkeeping first: the write's own watch event schedules the next collection with it.
    const generation = object.metadata.generation ?? 0;
    state.collectedGeneration = Math.max(state.collectedGeneration, generation);
    if (collection.values.size > 0) {
      state.lastCollectedMs = Math.max(state.lastCollectedMs, time.getTime());
      state.failures = 0;
      state.retryAt = 0;
    } else if (collection.failures.length > 0) {
      this.recordFailure(state, object);
    }
    return this.writeStatus(object, collection, metricList.length, client, context, signal);
  }

  /** One more failure in a row: the next try waits twice as long as the last, from one interval up. */
  private recordFailure(state: Tracked, object: KubeObject): void {
    state.collectedGeneration = Math.max(state.collectedGeneration, object.metadata.generation ?? 0);
    state.failures++;
    const interval = intervalOf(object);
    state.retryAt =
      Date.now() +
      backoffDelay(state.failures, {
        baseMs: interval,
        maxMs: Math.max(interval, this.settings.maxBackoffMs),
      });
  }

  /**
   * Writes the status a collection leads to, through the status subresource with the
   * resourceVersion read: on a conflict it reads again and retries, unless the object was
   * replaced, its spec changed (the collection is then stale and a new one is due), or a newer
   * collection is already stored (another replica's). Answers the newest object seen.
   */
  private async writeStatus(
    collected: KubeObject,
    collection: Collection,
    metricCount: number,
    client: ResourceClient,
    context: ControllerContext,
    signal: AbortSignal,
  ): Promise<KubeObject> {
    let live = collected;
    for (let attempt = 0; attempt <= conflictRetries; attempt++) {
      if (signal.aborted || !context.isLeader()) return live;
      if (
        live.metadata.uid !== collected.metadata.uid ||
        live.metadata.generation !== collected.metadata.generation
      )
        return live;
      const current = (live as KubeObject & SnapshotFields).status;
      const generation = collected.metadata.generation ?? 0;
      const storedTime = Date.parse(current?.lastCollectionTime ?? '');
      const storedGeneration = current?.conditions?.find((c) => c.type === 'Ready')?.observedGeneration ?? 0;
      // Another replica already stored a collection of this spec at this instant or later.
      if (
        collection.values.size > 0 &&
        storedGeneration >= generation &&
        storedTime >= collection.time.getTime()
      )
        return live;
      const status = statusAfter(current, collection, metricCount, generation, new Date());
      if (deepEqual(status, current ?? {})) return live;
      try {
        return await client.updateStatus({ ...live, status });
      } catch (error) {
        if (!isApiError(error)) throw error;
        if (error.code === 404) return live;
        if (error.reason !== 'Conflict' || attempt === conflictRetries) throw error;
        live = await client.get(live.metadata.namespace, live.metadata.name ?? '');
      }
    }
    return live;
  }
}

/** The snapshot's tracked state, renewed when the object was replaced, updated from what it says. */
function track(tracked: Map<string, Tracked>, object: KubeObject): Tracked {
  const key = objectKey(object);
  const uid = object.metadata.uid ?? '';
  const generation = object.metadata.generation ?? 0;
  let state = tracked.get(key);
  if (!state || state.uid !== uid) {
    state = { uid, generation, collectedGeneration: 0, lastCollectedMs: 0, failures: 0, retryAt: 0 };
    tracked.set(key, state);
  }
  if (generation > state.generation) {
    // A new spec starts afresh: collected at once, without the old spec's backoff.
    state.generation = generation;
    state.failures = 0;
    state.retryAt = 0;
  }
  const { status } = object as KubeObject & SnapshotFields;
  const ready = status?.conditions?.find((c: Condition) => c.type === 'Ready');
  state.collectedGeneration = Math.max(state.collectedGeneration, ready?.observedGeneration ?? 0);
  const last = Date.parse(status?.lastCollectionTime ?? '');
  if (Number.isFinite(last)) state.lastCollectedMs = Math.max(state.lastCollectedMs, last);
  return state;
}

/** `spec.interval` in milliseconds, within the schema's bounds. */
function intervalOf(object: KubeObject): number {
  const interval = (object as KubeObject & SnapshotFields).spec?.interval;
  const ms = typeof interval === 'string' ? parseGoDuration(interval) : undefined;
  if (ms === undefined || !Number.isFinite(ms)) return defaultIntervalMs;
  return Math.min(Math.max(ms, 1_000), 86_400_000);
}
