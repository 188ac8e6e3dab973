import type { UserId } from '../environment/bench-cluster.js';
import type { CpuUse, Percentiles } from '../load/protocol.js';
import { median } from '../load/statistics.js';
import type { TargetId } from '../targets/target.js';

/** The machine a run was measured on. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  /** The Go version sample-apiserver was built with. */
  readonly go: string;
  /** 1-minute load average when the run started and when it ended. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly cpus: { readonly server: string; readonly client: string; readonly others: string };
  readonly note: string;
}

/** One repetition of a throughput workload. */
export interface ThroughputRun {
  readonly throughput: number;
  readonly latencyMs: Percentiles;
  readonly errors: number;
  readonly firstError?: string;
  readonly bytesPerResponse: number;
  readonly cpu: CpuUse;
  readonly loadGeneratorCores: number;
}

/** The medians over a workload's repetitions. */
export interface ThroughputSummary {
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly bytesPerResponse: number;
  /** Cores the server used while measured (1 = its whole core). */
  readonly serverCores: number;
  readonly loadGeneratorCores: number;
  /** Summed over the repetitions. */
  readonly errors: number;
}

export interface ThroughputEntry {
  readonly workload: string;
  readonly title: string;
  readonly kind: 'read' | 'write';
  readonly itemsPerRequest: number;
  /** The ceiling is measured once, with the first user's headers (it ignores them). */
  readonly user: UserId;
  readonly target: TargetId;
  readonly concurrency: string;
  readonly runs: readonly ThroughputRun[];
  readonly median: ThroughputSummary;
}

export interface WatchEntry {
  readonly user: UserId;
  readonly target: TargetId;
  readonly watchers: number;
  readonly eventsPerRound: number;
  readonly rounds: readonly {
    readonly deliveries: number;
    readonly expected: number;
    readonly fromAckMs: Percentiles;
    readonly fromSendMs: Percentiles;
    readonly writeMs: Percentiles;
  }[];
  /** Medians over the rounds. */
  readonly median: {
    readonly p50FromAckMs: number;
    readonly p99FromAckMs: number;
    readonly p50FromSendMs: number;
    readonly p99FromSendMs: number;
    readonly writeP50Ms: number;
  };
  /** Deliveries that never arrived, summed over the rounds. */
  readonly missing: number;
  /** Watch opens answered 429 Too Many Requests and retried (priority and fairness). */
  readonly throttled: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly serverCores: number;
  readonly loadGeneratorCores: number;
}

export interface MemoryEntry {
  readonly target: TargetId;
  readonly objects: number;
  readonly rssBytes: number;
}

export interface ReadinessEntry {
  readonly target: TargetId;
  readonly objects: number;
  readonly runs: readonly { readonly readyMs: number; readonly firstPageMs: number }[];
  readonly median: { readonly readyMs: number; readonly firstPageMs: number };
}

/** How one of this server's targets compares, for one workload and user. */
export interface RatioEntry {
  readonly workload: string;
  readonly user: UserId;
  readonly target: TargetId;
  /** Throughput over sample-apiserver's (> 1: faster). */
  readonly throughputToGo?: number;
  /** p99 latency over sample-apiserver's (< 1: better). */
  readonly p99ToGo?: number;
  /** Throughput over the ceiling's. */
  readonly throughputToCeiling?: number;
}

export interface BenchResults {
  readonly date: string;
  readonly mode: 'full' | 'small';
  readonly machine: MachineInfo;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly targets: readonly {
    readonly id: TargetId;
    readonly title: string;
    readonly resource: string;
    /** Bytes of the JSON a GET of the benchmark's object answers. */
    readonly objectBytes?: number;
    readonly notes: string;
  }[];
  readonly throughput: readonly ThroughputEntry[];
  readonly watch: readonly WatchEntry[];
  readonly memory: readonly MemoryEntry[];
  readonly readiness: readonly ReadinessEntry[];
  readonly ratios: readonly RatioEntry[];
  /** Measurements that failed (the run reports the others). */
  readonly failures: readonly string[];
  /** Seconds the whole run took. */
  readonly seconds: number;
}

export function summarize(runs: readonly ThroughputRun[]): ThroughputSummary {
  return {
    throughput: median(runs.map((r) => r.throughput)),
    p50Ms: median(runs.map((r) => r.latencyMs.p50)),
    p99Ms: median(runs.map((r) => r.latencyMs.p99)),
    bytesPerResponse: median(runs.map((r) => r.bytesPerResponse)),
    serverCores: median(runs.map((r) => r.cpu.server ?? Number.NaN)),
    loadGeneratorCores: median(runs.map((r) => r.loadGeneratorCores)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
  };
}

/** Every ratio of this server's targets (and sample-apiserver's to the ceiling). */
export function ratios(entries: readonly ThroughputEntry[]): RatioEntry[] {
  const find = (workload: string, user: UserId, target: TargetId): ThroughputEntry | undefined =>
    entries.find(
      (e) => e.workload === workload && e.target === target && (target === 'ceiling' || e.user === user),
    );
  const result: RatioEntry[] = [];
  for (const entry of entries) {
    if (entry.target === 'ceiling') continue;
    const go = find(entry.workload, entry.user, 'sample-apiserver');
    const ceiling = find(entry.workload, entry.user, 'ceiling');
    const ratio = (a: number, b: number | undefined): number | undefined =>
      b && Number.isFinite(a) && Number.isFinite(b) ? a / b : undefined;
    result.push({
      workload: entry.workload,
      user: entry.user,
      target: entry.target,
      throughputToGo:
        entry.target === 'sample-apiserver'
          ? undefined
          : ratio(entry.median.throughput, go?.median.throughput),
      p99ToGo: entry.target === 'sample-apiserver' ? undefined : ratio(entry.median.p99Ms, go?.median.p99Ms),
      throughputToCeiling: ratio(entry.median.throughput, ceiling?.median.throughput),
    });
  }
  return result;
}
