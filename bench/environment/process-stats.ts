import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicksPerSecond: number | undefined;

/** The kernel's clock tick rate, the unit of the CPU times in /proc/<pid>/stat. */
function ticksPerSecond(): number {
  clockTicksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return clockTicksPerSecond;
}

/**
 * CPU time (user + system, every thread) a process has used so far, in seconds, from
 * /proc/<pid>/stat; undefined once the process is gone.
 */
export function processCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces: count after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime) of the whole line are 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
}

/** A process's resident set size in bytes (VmRSS of /proc/<pid>/status); undefined once it is gone. */
export function processRssBytes(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** CPU use of several processes between two moments, in cores (1 = one core busy all along). */
export class CpuMeter {
  private readonly start: ReadonlyMap<string, number | undefined>;
  private readonly startedAt = performance.now();
  private readonly ownStart = process.cpuUsage();

  constructor(private readonly pids: Readonly<Record<string, number>>) {
    this.start = new Map(Object.entries(pids).map(([name, pid]) => [name, processCpuSeconds(pid)]));
  }

  /** Cores used since construction: this process's (`self`) and each observed process's. */
  read(): { self: number; observed: Record<string, number> } {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const own = process.cpuUsage(this.ownStart);
    const observed: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const before = this.start.get(name);
      const after = processCpuSeconds(pid);
      if (before !== undefined && after !== undefined) observed[name] = (after - before) / seconds;
    }
    return { self: (own.user + own.system) / 1e6 / seconds, observed };
  }
}
