import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/** Where audit lines go. */
export interface AuditLineWriter {
  write(line: string): void;
  close(): void;
}

export interface RotationOptions {
  /** Megabytes a file may grow to before it is rotated; 0 is kube's (lumberjack's) 100. */
  readonly maxSizeMegabytes: number;
  /** Rotated files to keep; 0 keeps them all (as far as maxAgeDays allows). */
  readonly maxBackups: number;
  /** Days to keep rotated files, by the time in their names; 0 keeps them whatever their age. */
  readonly maxAgeDays: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

const megabyte = 1024 * 1024;
const day = 24 * 60 * 60 * 1000;

/** `2006-01-02T15-04-05.000` in UTC, lumberjack's backup time format. */
function backupTime(date: Date): string {
  return date.toISOString().replace(/:/g, '-').replace(/Z$/, '');
}

function parseBackupTime(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})$/.exec(text);
  if (!match) return undefined;
  const time = Date.parse(`${match[1]}T${match[2]}:${match[3]}:${match[4]}.${match[5]}Z`);
  return Number.isNaN(time) ? undefined : time;
}

/**
 * The audit log file as kube-apiserver writes it with lumberjack: lines appended to `path`;
 * when the next line would pass the maximum size, the file is renamed to
 * `<name>-<UTC time>.<ext>` and a new one started, and rotated files beyond maxBackups or older
 * than maxAgeDays are removed. Writes are synchronous, so events stay in order and none is lost
 * in a buffer when the process ends (kube's default "blocking" mode).
 */
export class RotatingFileWriter implements AuditLineWriter {
  private fd: number | undefined;
  private size = 0;
  private readonly maxBytes: number;
  private readonly clock: () => Date;

  constructor(
    private readonly path: string,
    private readonly options: RotationOptions,
  ) {
    this.maxBytes = (options.maxSizeMegabytes > 0 ? options.maxSizeMegabytes : 100) * megabyte;
    this.clock = options.clock ?? (() => new Date());
  }

  write(line: string): void {
    const bytes = Buffer.from(line.endsWith('\n') ? line : `${line}\n`, 'utf8');
    // Opened at the first event, as lumberjack does, and appended to when it exists.
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a', 0o600);
      this.size = fstatSync(this.fd).size;
    }
    if (this.size > 0 && this.size + bytes.length > this.maxBytes) this.rotate(this.fd);
    writeSync(this.fd!, bytes);
    this.size += bytes.length;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private rotate(fd: number): void {
    closeSync(fd);
    const extension = extname(this.path);
    const stem = basename(this.path, extension);
    renameSync(this.path, join(dirname(this.path), `${stem}-${backupTime(this.clock())}${extension}`));
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = 0;
    this.removeOldBackups(stem, extension);
  }

  private removeOldBackups(stem: string, extension: string): void {
    const { maxBackups, maxAgeDays } = this.options;
    if (maxBackups <= 0 && maxAgeDays <= 0) return;
    const directory = dirname(this.path);
    const backups = readdirSync(directory)
      .filter((name) => name.startsWith(`${stem}-`) && name.endsWith(extension))
      .map((name) => ({
        name,
        time: parseBackupTime(name.slice(stem.length + 1, name.length - extension.length)),
      }))
      .filter((b): b is { name: string; time: number } => b.time !== undefined)
      .sort((a, b) => b.time - a.time);
    const cutoff = this.clock().getTime() - maxAgeDays * day;
    backups.forEach((backup, index) => {
      const tooMany = maxBackups > 0 && index >= maxBackups;
      const tooOld = maxAgeDays > 0 && backup.time < cutoff;
      if (tooMany || tooOld) rmSync(join(directory, backup.name), { force: true });
    });
  }
}

/** `--audit-log-path=-`: one line per event on standard output. */
export const stdoutWriter: AuditLineWriter = {
  write: (line) => void process.stdout.write(line.endsWith('\n') ? line : `${line}\n`),
  close: () => undefined,
};
