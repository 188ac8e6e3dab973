import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * The command line that runs `command` on the cores `cpus` (a taskset list: "0", "1,3",
 * "2-3"), or `command` unchanged when `cpus` is empty. taskset execs the command, so the
 * process keeps taskset's pid and every thread it starts inherits the affinity.
 */
export function pinned(cpus: string, command: readonly string[]): string[] {
  return cpus ? ['taskset', '--cpu-list', cpus, ...command] : [...command];
}

/** Moves a running process and all its threads onto `cpus` (a taskset list). */
export function pin(pid: number, cpus: string): void {
  if (cpus)
    execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus, String(pid)], { stdio: 'ignore' });
}

/** How many cores a taskset list names ("0" -> 1, "2-3" -> 2, "0,2-3" -> 3). */
export function coreCount(cpus: string): number {
  if (!cpus) return availableParallelism();
  return cpus.split(',').reduce((sum, part) => {
    const [from, to] = part.split('-').map(Number);
    return sum + (to === undefined ? 1 : to - from + 1);
  }, 0);
}

/**
 * Where things run by default: the server under test on core 0, the load generator on core 1,
 * and with four or more cores, etcd and kube-apiserver on the rest (on two cores they float).
 */
export function defaultCpuLayout(): { server: string; client: string; others: string } {
  const cores = availableParallelism();
  if (cores < 2) return { server: '', client: '', others: '' };
  return { server: '0', client: '1', others: cores >= 4 ? `2-${cores - 1}` : '' };
}
