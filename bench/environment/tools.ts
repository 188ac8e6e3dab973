import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';

const root = process.cwd();

/** Runs one of the scripts/build-*.sh and returns the bin directory it prints last. */
function buildScript(script: string): string {
  const output = execFileSync('bash', [join(root, 'scripts', script)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return output.trim().split('\n').pop() ?? '';
}

/**
 * The pinned kube-apiserver and etcd (scripts/build-k8s-tools.sh, a cache hit once built);
 * points the test support code at them.
 */
export function ensureKubernetesTools(): string {
  const bin = process.env.AGGREGATED_APISERVER_TOOLS_BIN || buildScript('build-k8s-tools.sh');
  process.env.AGGREGATED_APISERVER_TOOLS_BIN = bin;
  return bin;
}

/** The sample-apiserver binary (scripts/build-sample-apiserver.sh, a cache hit once built). */
export function sampleApiServerBinary(): string {
  return join(buildScript('build-sample-apiserver.sh'), 'sample-apiserver');
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Compiles the server (`tsc -p tsconfig.build.json`, as `npm run build`) when `built` is
 * missing or older than a source file of server/ or api/, unless told not to.
 */
export function ensureServerBuilt(built: string, allowed: boolean): void {
  const stale =
    !existsSync(built) ||
    Math.max(newestSource(join(root, 'server')), newestSource(join(root, 'api'))) > statSync(built).mtimeMs;
  if (!stale) return;
  if (!allowed) throw new Error(`${built} is missing or older than the sources; run npm run build`);
  process.stderr.write('[bench] compiling the server (npm run build)\n');
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}

/** The Go version a binary was built with (`go version <binary>`), or "Go (unknown)". */
export function goVersionOf(binary: string): string {
  try {
    const output = execFileSync('go', ['version', binary], { encoding: 'utf8' });
    return output.slice(output.lastIndexOf(':') + 1).trim();
  } catch {
    return 'Go (unknown)';
  }
}

export function machineBasics(): {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  load: number;
} {
  const all = cpus();
  return {
    cpuModel: all[0]?.model.trim() ?? 'unknown CPU',
    cores: all.length,
    memoryGiB: totalmem() / 2 ** 30,
    kernel: release(),
    node: process.version,
    load: loadavg()[0],
  };
}
