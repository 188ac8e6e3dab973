import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { startEtcd, type RunningEtcd } from '../../test/e2e/support/etcd.js';
import type { ProcessGroup } from '../../test/e2e/support/processes.js';
import type { BenchCluster } from '../environment/bench-cluster.js';
import { pin } from '../environment/cpu-affinity.js';

/** What every target is started with. */
export interface TargetEnvironment {
  readonly cluster: BenchCluster;
  /** Supervises every process the benchmark starts; logs go to its logs directory. */
  readonly group: ProcessGroup;
  /** Scratch space; each target makes its own directory in it. */
  readonly workDir: string;
  readonly cpus: {
    /** The server under test (taskset list). */
    readonly server: string;
    /** etcd and kube-apiserver; empty: unpinned. */
    readonly others: string;
  };
  /** Where this server's processes write CPU profiles (`node --cpu-prof`). @default - none */
  readonly cpuProfileDir?: string;
}

/** A fresh directory for one target's files. */
export function targetDir(environment: TargetEnvironment, name: string): string {
  mkdirSync(environment.workDir, { recursive: true });
  return mkdtempSync(join(environment.workDir, `${name}-`));
}

/**
 * A fresh etcd (the pinned 3.6 build, as the tests use it: one member, no fsync) for one
 * target, so no target sees another's data or pays for its compactions.
 */
export async function startTargetEtcd(environment: TargetEnvironment, dir: string): Promise<RunningEtcd> {
  const etcd = await startEtcd(environment.group, { dataDir: join(dir, 'etcd') });
  if (etcd.process.pid !== undefined) pin(etcd.process.pid, environment.cpus.others);
  return etcd;
}
