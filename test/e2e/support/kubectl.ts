import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { k8sTool } from '../../support/k8s-tools.js';

export interface KubectlOptions {
  /** The kubeconfig to use (passed as --kubeconfig; $KUBECONFIG is ignored). */
  readonly kubeconfig: string;
  /** Written to kubectl's stdin (for `-f -`). */
  readonly stdin?: string;
  /** Killed (and reported as failed) after this long; default 60 s. */
  readonly timeoutMs?: number;
  /**
   * kubectl's discovery and HTTP cache. Defaults to `.kube-cache` next to the kubeconfig, so
   * runs never share (or litter) ~/.kube/cache.
   */
  readonly cacheDir?: string;
}

export interface KubectlResult {
  /** The exit code; null when kubectl was killed. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the pinned kubectl (`k8sTool('kubectl')`) and resolves with its exit code and output. */
export function runKubectl(args: readonly string[], options: KubectlOptions): Promise<KubectlResult> {
  const cacheDir = options.cacheDir ?? join(dirname(options.kubeconfig), '.kube-cache');
  const fullArgs = [`--kubeconfig=${options.kubeconfig}`, `--cache-dir=${cacheDir}`, ...args];
  const env = { ...process.env };
  delete env.KUBECONFIG;
  return new Promise<KubectlResult>((resolve, reject) => {
    const child = spawn(k8sTool('kubectl'), fullArgs, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // kubectl may exit before reading stdin
    child.stdin.end(options.stdin ?? '');
  });
}

/** Runs kubectl and resolves with its stdout; rejects with its stderr when it fails. */
export async function kubectl(args: readonly string[], options: KubectlOptions): Promise<string> {
  const result = await runKubectl(args, options);
  if (result.code !== 0) {
    throw new Error(
      `kubectl ${args.join(' ')} failed (exit code ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result.stdout;
}
