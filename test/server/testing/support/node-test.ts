import { spawn } from 'node:child_process';

export interface NodeTestRun {
  readonly exitCode: number | null;
  /** The TAP report. */
  readonly stdout: string;
  readonly stderr: string;
  /** Names of the cases that passed and failed (suites excluded). */
  readonly passed: string[];
  readonly failed: string[];
}

/** Runs one file under `node --test` (TypeScript through tsx), from the repository root. */
export function runNodeTest(file: string, env: Record<string, string> = {}): Promise<NodeTestRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', file], {
      cwd: process.cwd(),
      env: { ...process.env, NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      // TAP: `ok N - name` / `not ok N - name`, followed by a YAML block saying `type: 'suite'` for suites.
      const lines = stdout.split('\n');
      const passed: string[] = [];
      const failed: string[] = [];
      lines.forEach((line, index) => {
        const match = /^\s*(not ok|ok) \d+ - (.*)$/.exec(line);
        if (!match) return;
        const block = lines.slice(index + 1, index + 8).join('\n');
        if (/type: 'suite'/.test(block.split(/^\s*\.\.\.$/m)[0])) return;
        (match[1] === 'ok' ? passed : failed).push(match[2]);
      });
      resolve({ exitCode, stdout, stderr, passed, failed });
    });
  });
}
