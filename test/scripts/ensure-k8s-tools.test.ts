import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs scripts/ensure-k8s-tools.sh with a stand-in build script. */
function ensure(build: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ensure-k8s-tools-'));
  try {
    writeFileSync(join(dir, 'build.sh'), build);
    return spawnSync('bash', ['scripts/ensure-k8s-tools.sh'], {
      encoding: 'utf8',
      env: { ...process.env, K8S_TOOLS_BUILD: join(dir, 'build.sh'), K8S_TOOLS_PROGRESS_SECONDS: '1' },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('scripts/ensure-k8s-tools.sh', () => {
  test('shows progress while a long build runs, and prints nothing on stdout', () => {
    const result = ensure('echo "[build] step" >&2; sleep 3; echo /bin/dir\n');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('[build] step');
    expect(
      result.stderr.match(/still building the pinned Kubernetes components/g)?.length,
    ).toBeGreaterThanOrEqual(2);
  });

  test('fails when the build fails', () => {
    const result = ensure('echo "[build] go is not installed" >&2; exit 3\n');
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('go is not installed');
  });
});
