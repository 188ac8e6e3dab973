import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultCpuLayout } from './environment/cpu-affinity.js';
import type { UserId } from './environment/bench-cluster.js';
import type { TargetId } from './targets/target.js';
import type { WorkloadSizes } from './workloads.js';

/** Everything a benchmark run can be told; `--small` (or BENCH_SMALL=1) picks CI-sized defaults. */
export interface BenchOptions extends WorkloadSizes {
  readonly small: boolean;
  readonly targets: readonly TargetId[];
  readonly users: readonly UserId[];
  /** Workload ids to run (all when empty); `watch` and `memory` name those phases. */
  readonly workloads: readonly string[];
  /** Each throughput workload's repetitions; medians are reported. @default 3 (small: 1) */
  readonly repetitions: number;
  /** @default 1000 (small: 150) */
  readonly warmupMs: number;
  /** @default 4000 (small: 500) */
  readonly durationMs: number;
  /** @default 1000 (small: 100) */
  readonly watchers: number;
  /** Writes per watch round; one round per repetition. @default 20 (small: 5) */
  readonly watchEvents: number;
  /** Pause between two watched writes. @default 50 */
  readonly watchIntervalMs: number;
  /** Objects stored when resident memory is read: @default [10000, 100000] (small: [500, 1500]) */
  readonly memorySizes: readonly [number, number];
  /** How long a server idles after loading before its memory is read. @default 10000 (small: 1000) */
  readonly settleMs: number;
  /** Restarts timed with the larger memory size stored. @default 3 (small: 1) */
  readonly readyRepetitions: number;
  readonly cpus: { readonly server: string; readonly client: string; readonly others: string };
  /** Where results.json and ratios.svg go (BENCHMARKS.md too, unless `report` says otherwise). */
  readonly outDir: string;
  /** Where BENCHMARKS.md goes. */
  readonly reportFile: string;
  /** A sentence about the machine for the report (shared, noisy, ...). */
  readonly machineNote: string;
  /** Compile the server first when build/ is older than its sources. @default true */
  readonly build: boolean;
  /** Only render BENCHMARKS.md and the chart again from this results.json. */
  readonly fromResults?: string;
  /**
   * Where this server's processes write V8 CPU profiles (`node --cpu-prof`), one file per process,
   * written when it stops. @default - not profiled
   */
  readonly cpuProfileDir?: string;
}

const ALL_TARGETS: readonly TargetId[] = ['embedded', 'etcd', 'sample-apiserver', 'ceiling'];
const ALL_USERS: readonly UserId[] = ['admin', 'user'];

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value.replace(/_/g, ''));
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new Error(`--${name}: expected a positive number, got "${value}"`);
  return parsed;
}

function oneOf<T extends string>(name: string, values: string[], allowed: readonly T[]): T[] {
  for (const value of values)
    if (!allowed.includes(value as T))
      throw new Error(`--${name}: "${value}" is not one of ${allowed.join(', ')}`);
  return values as T[];
}

export const USAGE = `Usage: npm run bench -- [options]

Runs this server (embedded store and etcd), sample-apiserver (Go) and a bare Node HTTP/2 server
side by side under the same load, and writes results.json, BENCHMARKS.md and ratios.svg.

  --small                  CI-sized run (also BENCH_SMALL=1): small collections, one repetition
  --targets a,b            ${ALL_TARGETS.join(', ')} (default: all)
  --users a,b              ${ALL_USERS.join(', ')} (default: both)
  --workloads a,b          workload ids, or watch / memory (default: all)
  --repetitions N          repetitions of each throughput workload (default 3)
  --warmup-ms N            (default 1000)       --duration-ms N   (default 4000)
  --list-sizes A,B         objects in the two listed collections (default 1000,10000)
  --page-size N            paged lists' limit (default 500)
  --watchers N             (default 1000)       --watch-events N  (default 20)
  --memory-sizes A,B       objects stored when memory is read (default 10000,100000)
  --ready-repetitions N    timed restarts with B objects stored (default 3)
  --server-cpus L          taskset list for the server under test (default 0)
  --client-cpus L          ... for the load generator (default 1)
  --other-cpus L           ... for etcd and kube-apiserver (default: unpinned on < 4 cores)
  --out DIR                results.json and ratios.svg (default bench/results; small: a temp dir)
  --report FILE            BENCHMARKS.md (default ./BENCHMARKS.md; small or --out: in DIR)
  --machine-note TEXT      a note on the machine for the report
  --no-build               do not compile the server even when build/ is stale
  --from-results FILE      only render BENCHMARKS.md and ratios.svg from a results.json
  --cpu-prof DIR           run this server with node --cpu-prof, writing its profiles into DIR
`;

export function parseBenchOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  tmpOut: () => string,
): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      small: { type: 'boolean', default: false },
      targets: { type: 'string' },
      users: { type: 'string' },
      workloads: { type: 'string' },
      repetitions: { type: 'string' },
      'warmup-ms': { type: 'string' },
      'duration-ms': { type: 'string' },
      'list-sizes': { type: 'string' },
      'page-size': { type: 'string' },
      watchers: { type: 'string' },
      'watch-events': { type: 'string' },
      'watch-interval-ms': { type: 'string' },
      'memory-sizes': { type: 'string' },
      'settle-ms': { type: 'string' },
      'ready-repetitions': { type: 'string' },
      'server-cpus': { type: 'string' },
      'client-cpus': { type: 'string' },
      'other-cpus': { type: 'string' },
      out: { type: 'string' },
      report: { type: 'string' },
      'machine-note': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      'from-results': { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
    strict: true,
  });
  const small = values.small || env.BENCH_SMALL === '1' || env.BENCH_SMALL === 'true';
  const listSizes = list(values['list-sizes']).map((v) => positive('list-sizes', v, 0));
  const memorySizes = list(values['memory-sizes']).map((v) => positive('memory-sizes', v, 0));
  if (listSizes.length && listSizes.length !== 2) throw new Error('--list-sizes: expected two sizes');
  if (memorySizes.length && (memorySizes.length !== 2 || memorySizes[0] >= memorySizes[1]))
    throw new Error('--memory-sizes: expected two sizes, the smaller first');
  const layout = defaultCpuLayout();
  const outDir = values.out ?? (small ? tmpOut() : 'bench/results');
  return {
    small,
    targets: values.targets ? oneOf('targets', list(values.targets), ALL_TARGETS) : ALL_TARGETS,
    users: values.users ? oneOf('users', list(values.users), ALL_USERS) : ALL_USERS,
    workloads: list(values.workloads),
    repetitions: positive('repetitions', values.repetitions, small ? 1 : 3),
    warmupMs: positive('warmup-ms', values['warmup-ms'], small ? 150 : 1000),
    durationMs: positive('duration-ms', values['duration-ms'], small ? 500 : 4000),
    listSmall: listSizes[0] ?? (small ? 200 : 1000),
    listLarge: listSizes[1] ?? (small ? 1000 : 10000),
    pageSize: positive('page-size', values['page-size'], small ? 100 : 500),
    watchers: positive('watchers', values.watchers, small ? 100 : 1000),
    watchEvents: positive('watch-events', values['watch-events'], small ? 5 : 20),
    watchIntervalMs: positive('watch-interval-ms', values['watch-interval-ms'], 50),
    memorySizes: [memorySizes[0] ?? (small ? 500 : 10000), memorySizes[1] ?? (small ? 1500 : 100000)],
    settleMs: positive('settle-ms', values['settle-ms'], small ? 1000 : 10000),
    readyRepetitions: positive('ready-repetitions', values['ready-repetitions'], small ? 1 : 3),
    cpus: {
      server: values['server-cpus'] ?? layout.server,
      client: values['client-cpus'] ?? layout.client,
      others: values['other-cpus'] ?? layout.others,
    },
    outDir,
    reportFile: values.report ?? (values.out || small ? `${outDir}/BENCHMARKS.md` : 'BENCHMARKS.md'),
    machineNote: values['machine-note'] ?? env.BENCH_MACHINE_NOTE ?? '',
    build: !values['no-build'],
    fromResults: values['from-results'],
    cpuProfileDir: values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined,
  };
}
