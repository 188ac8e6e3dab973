import { log, type BenchContext } from '../bench-context.js';
import type { UserId } from '../environment/bench-cluster.js';
import type { ThroughputResult } from '../load/protocol.js';
import { summarize, type ThroughputEntry, type ThroughputRun } from '../report/results.js';
import type { CeilingTarget } from '../targets/ceiling.js';
import type { Target } from '../targets/target.js';
import type { ThroughputWorkload } from '../workloads.js';

const percent = (cores: number | undefined): string =>
  cores === undefined ? '?' : `${Math.round(cores * 100)} %`;

function describe(result: ThroughputResult): string {
  return (
    `${Math.round(result.throughput)} req/s, p50 ${result.latencyMs.p50.toFixed(1)} ms, ` +
    `p99 ${result.latencyMs.p99.toFixed(1)} ms, server ${percent(result.cpu.server)}, ` +
    `client ${percent(result.loadGenerator.cores)}` +
    (result.errors ? `, ${result.errors} errors (${result.firstError})` : '')
  );
}

/**
 * Every workload against every target, repetition by repetition and workload by workload, the
 * targets one after the other (so that the machine's load changes hit them alike). The ceiling
 * runs each workload once per repetition, after the servers, answering with the bytes the
 * first server answered.
 */
export async function runThroughputPhase(
  context: BenchContext,
  servers: readonly Target[],
  ceiling: CeilingTarget | undefined,
  workloads: readonly ThroughputWorkload[],
): Promise<ThroughputEntry[]> {
  const { options } = context;
  const runs = new Map<string, ThroughputRun[]>();
  const key = (workload: string, user: UserId, target: string): string => `${workload}|${user}|${target}`;
  const measure = async (target: Target, workload: ThroughputWorkload, user: UserId, keepSample: boolean) => {
    const job = {
      type: 'throughput',
      endpoint: context.endpoint(target, user),
      plan: workload.plan(target.resource),
      concurrency: workload.concurrency,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
      keepSample,
      observe: target.observe,
    } as const;
    const result = await context.attempt(`${workload.id} ${user} ${target.id}`, () =>
      context.loadGenerator.run(job),
    );
    if (!result) return undefined;
    const id = key(workload.id, user, target.id);
    runs.set(id, [
      ...(runs.get(id) ?? []),
      {
        throughput: result.throughput,
        latencyMs: result.latencyMs,
        errors: result.errors,
        firstError: result.firstError,
        bytesPerResponse: result.bytesPerResponse,
        cpu: result.cpu,
        loadGeneratorCores: result.loadGenerator.cores,
      },
    ]);
    log(`${workload.id} ${user} ${target.id}: ${describe(result)}`);
    return result;
  };

  for (let repetition = 1; repetition <= options.repetitions; repetition++) {
    log(`throughput, repetition ${repetition} of ${options.repetitions}`);
    for (const workload of workloads) {
      for (const user of options.users) {
        for (const target of servers) {
          const keepSample = !context.samples.has(workload.id) && target === servers[0];
          const result = await measure(target, workload, user, keepSample);
          if (keepSample && result?.sample) context.samples.set(workload.id, result.sample);
        }
      }
      const sample = context.samples.get(workload.id);
      if (ceiling && sample) {
        await ceiling.answerWith(sample);
        await measure(ceiling, workload, options.users[0], false);
      }
    }
  }

  const entries: ThroughputEntry[] = [];
  for (const workload of workloads) {
    for (const user of options.users) {
      for (const target of [...servers, ...(ceiling ? [ceiling] : [])]) {
        if (target.id === 'ceiling' && user !== options.users[0]) continue;
        const measured = runs.get(key(workload.id, user, target.id));
        if (!measured) continue;
        entries.push({
          workload: workload.id,
          title: workload.title,
          kind: workload.kind,
          itemsPerRequest: workload.itemsPerRequest,
          user,
          target: target.id,
          concurrency: `${workload.concurrency.connections}x${workload.concurrency.streams}`,
          runs: measured,
          median: summarize(measured),
        });
      }
    }
  }
  return entries;
}
