import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Files that mark the root of a cdk8s app. */
const APP_ROOT_MARKERS = ['cdk8s.yaml', 'package.json'] as const;

/**
 * The directory of the running cdk8s app: the nearest directory holding `cdk8s.yaml` (else
 * `package.json`) above the app's entry script, whatever the working directory. Relative key
 * store paths resolve against it, so running the same app from another directory, or from a
 * script that changes directory, finds the same key store. Falls back to the working directory
 * when there is no entry script (a REPL).
 *
 * @param entry the app's entry script @default process.argv[1]
 */
export function appDirectory(entry: string | undefined = process.argv[1]): string {
  if (!entry) return process.cwd();
  const start = dirname(resolve(entry));
  for (const marker of APP_ROOT_MARKERS) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, marker))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  return start;
}
