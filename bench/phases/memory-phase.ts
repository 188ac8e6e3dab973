import { setTimeout as sleep } from 'node:timers/promises';
import { log, type BenchContext } from '../bench-context.js';
import { processRssBytes } from '../environment/process-stats.js';
import { median } from '../load/statistics.js';
import type { MemoryEntry, ReadinessEntry } from '../report/results.js';
import type { ServerTarget } from '../targets/server-target.js';
import type { TargetId } from '../targets/target.js';
import { NAMESPACES } from '../workloads.js';

/**
 * Resident memory and start-up time, one fresh server at a time: load the smaller number of
 * objects through the API, idle, read VmRSS; load up to the larger number, idle, read it
 * again; then restart the server on that data and time how long it takes to be ready.
 */
export async function runMemoryPhase<Id extends TargetId>(
  context: BenchContext,
  targets: readonly Id[],
  start: (id: Id) => Promise<ServerTarget>,
): Promise<{ memory: MemoryEntry[]; readiness: ReadinessEntry[] }> {
  const { options } = context;
  const [fewer, more] = options.memorySizes;
  const memory: MemoryEntry[] = [];
  const readiness: ReadinessEntry[] = [];
  for (const id of targets) {
    log(`memory and start-up: ${id}`);
    await context.attempt(`memory and start-up of ${id}`, async () => {
      const target = await start(id);
      try {
        const set = { namespace: NAMESPACES.memory, namePrefix: 'stored-' };
        for (const [objects, from] of [
          [fewer, 0],
          [more, fewer],
        ] as const) {
          await context.seed(target, { ...set, count: objects }, from);
          await sleep(options.settleMs);
          const rssBytes = processRssBytes(target.serverPid);
          if (rssBytes === undefined) throw new Error(`${id} is not running`);
          memory.push({ target: id, objects, rssBytes });
          log(`${id}: ${Math.round(rssBytes / 2 ** 20)} MiB resident with ${objects} objects`);
        }
        const runs = [];
        for (let i = 0; i < options.readyRepetitions; i++) {
          const timing = await target.restart();
          runs.push(timing);
          log(
            `${id}: ready in ${(timing.readyMs / 1000).toFixed(1)} s, first page in ${(timing.firstPageMs / 1000).toFixed(1)} s`,
          );
        }
        readiness.push({
          target: id,
          objects: more,
          runs,
          median: {
            readyMs: median(runs.map((r) => r.readyMs)),
            firstPageMs: median(runs.map((r) => r.firstPageMs)),
          },
        });
      } finally {
        await target.stop();
      }
    });
  }
  return { memory, readiness };
}
