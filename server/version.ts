import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: Record<string, string> | undefined;

/** The package's own package.json, found from this file whether it runs from source or from build/. */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'aggregated-apiserver' && pkg.version) return pkg.version;
    }
  }
  return '0.0.0';
}

/** The `/version` document, in the shape of k8s.io/apimachinery's version.Info. */
export function versionInfo(): Record<string, string> {
  if (cached) return cached;
  const version = packageVersion();
  const [major, minor] = version.split('.');
  cached = {
    major,
    minor,
    gitVersion: `v${version}`,
    gitCommit: process.env.AGGREGATED_APISERVER_COMMIT ?? 'unknown',
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'node',
    platform: `${process.platform}/${process.arch}`,
  };
  return cached;
}
