import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The packages the server needs at run time beyond the package's own dependencies: the
 * `server-runtime` workspace's dependencies, which the published package lists as optional peers
 * (test/server/runtime-packages.test.ts keeps the three lists equal).
 */
export const SERVER_RUNTIME_PACKAGES: readonly { readonly name: string; readonly range: string }[] = [
  { name: '@kubernetes/client-node', range: '~1.4.0' },
  { name: 'better-sqlite3', range: '^12.0.0' },
  { name: 'etcd3', range: '^1.1.2' },
  { name: 'fast-json-patch', range: '^3.1.1' },
  { name: 'prom-client', range: '^15.1.3' },
  { name: 'yaml', range: '^2.9.1' },
];

/**
 * Whether a package is installed where Node looks for it from this module: a `node_modules/<name>`
 * in this directory or above (package `exports` may hide both its entry and its package.json
 * from require.resolve).
 */
function installed(name: string): boolean {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', name, 'package.json'))) return true;
    if (dirname(dir) === dir) return false;
  }
}

/** The server runtime packages that are not installed. */
export function missingServerRuntime(resolve: (name: string) => boolean = installed): string[] {
  return SERVER_RUNTIME_PACKAGES.map((p) => p.name).filter((name) => !resolve(name));
}
