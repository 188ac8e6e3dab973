import { log, type BenchContext } from '../bench-context.js';
import type { UserId } from '../environment/bench-cluster.js';
import { median } from '../load/statistics.js';
import type { WatchEntry } from '../report/results.js';
import type { CeilingTarget } from '../targets/ceiling.js';
import type { Target } from '../targets/target.js';
import { NAMESPACES } from '../workloads.js';

/** Watch streams per HTTP/2 connection (sample-apiserver allows 1000 streams, this server too). */
const WATCHERS_PER_CONNECTION = 100;

/**
 * Watch fan-out: for each user and target, `watchers` watches of one namespace, then one round
 * per repetition of `watchEvents` creates, timing every event's arrival at every watch.
 */
export async function runWatchPhase(
  context: BenchContext,
  servers: readonly Target[],
  ceiling: CeilingTarget | undefined,
): Promise<WatchEntry[]> {
  const { options } = context;
  const entries: WatchEntry[] = [];
  const watch = async (target: Target, user: UserId): Promise<void> => {
    const result = await context.attempt(`watch ${user} ${target.id}`, () =>
      context.loadGenerator.run({
        type: 'watch',
        endpoint: context.endpoint(target, user),
        collectionPath: target.resource.collectionPath(NAMESPACES.watch),
        template: target.resource.object('', NAMESPACES.watch),
        namePrefix: `${user}-`,
        watchers: options.watchers,
        watchersPerConnection: WATCHERS_PER_CONNECTION,
        rounds: options.repetitions,
        events: options.watchEvents,
        intervalMs: options.watchIntervalMs,
        deliveryTimeoutMs: 30_000,
        observe: target.observe,
      }),
    );
    if (!result) return;
    const rounds = result.rounds;
    const entry: WatchEntry = {
      user,
      target: target.id,
      watchers: options.watchers,
      eventsPerRound: options.watchEvents,
      rounds,
      median: {
        p50FromAckMs: median(rounds.map((r) => r.fromAckMs.p50)),
        p99FromAckMs: median(rounds.map((r) => r.fromAckMs.p99)),
        p50FromSendMs: median(rounds.map((r) => r.fromSendMs.p50)),
        p99FromSendMs: median(rounds.map((r) => r.fromSendMs.p99)),
        writeP50Ms: median(rounds.map((r) => r.writeMs.p50)),
      },
      missing: rounds.reduce((sum, r) => sum + (r.expected - r.deliveries), 0),
      throttled: result.throttled,
      errors: result.errors,
      firstError: result.firstError,
      serverCores: result.cpu.server ?? Number.NaN,
      loadGeneratorCores: result.loadGenerator.cores,
    };
    entries.push(entry);
    log(
      `watch ${user} ${target.id}: p50 ${entry.median.p50FromAckMs.toFixed(1)} ms, p99 ` +
        `${entry.median.p99FromAckMs.toFixed(1)} ms from ack, ${entry.missing} missing, ` +
        `${entry.throttled} opens retried after 429` +
        (result.errors ? `, ${result.errors} errors (${result.firstError})` : ''),
    );
  };
  for (const user of options.users) for (const target of servers) await watch(target, user);
  // The ceiling answers the watch's initial list and its creates with a created object's bytes.
  const sample = context.samples.get('create') ?? context.samples.get('get');
  if (ceiling && sample) {
    await ceiling.answerWith(sample);
    await watch(ceiling, options.users[0]);
  }
  return entries;
}
