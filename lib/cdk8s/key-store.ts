import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A directory of PEM files kept outside the manifests (which only ever receive the serving
 * material through the Secret). Private keys are written with mode 0600 in a 0700 directory,
 * atomically (write then rename), and the directory gets a `.gitignore` that ignores everything
 * in it, so a key store placed inside a repository is never committed by accident.
 */
export class KeyStore {
  /** Absolute path of the directory. */
  public readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The file's content, or undefined if it does not exist. */
  public read(file: string): string | undefined {
    const path = join(this.dir, file);
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  }

  /** Whether the file exists. */
  public has(file: string): boolean {
    return existsSync(join(this.dir, file));
  }

  /** Writes a file (mode 0600), creating the directory (mode 0700) and its .gitignore first. */
  public write(file: string, content: string): void {
    this.ensureDir();
    const path = join(this.dir, file);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, content, { mode: 0o600 });
    renameSync(tmp, path);
  }

  /** Path of a file in the store. */
  public path(file: string): string {
    return join(this.dir, file);
  }

  private ensureDir(): void {
    if (!existsSync(this.dir)) {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      chmodSync(this.dir, 0o700);
    }
    const gitignore = join(this.dir, '.gitignore');
    if (!existsSync(gitignore)) {
      writeFileSync(gitignore, '# private keys: never commit\n*\n', { mode: 0o600 });
    }
  }
}
