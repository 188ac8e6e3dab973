import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingFileWriter } from '../../../server/audit/audit-log-writer.js';

describe('RotatingFileWriter', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'audit-log-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const line = (n: number): string => `${JSON.stringify({ n, pad: 'x'.repeat(400 * 1024) })}`;

  test('appends lines to an existing file and rotates it, named as lumberjack names backups, past the maximum size', () => {
    const path = join(directory, 'audit.log');
    writeFileSync(path, 'earlier\n');
    let now = Date.parse('2026-01-02T03:04:05.678Z');
    const writer = new RotatingFileWriter(path, {
      maxSizeMegabytes: 1,
      maxBackups: 0,
      maxAgeDays: 0,
      clock: () => new Date(now),
    });
    for (let n = 0; n < 5; n++) {
      writer.write(line(n));
      now += 1000;
    }
    writer.close();
    expect(readdirSync(directory).sort()).toEqual([
      'audit-2026-01-02T03-04-07.678.log',
      'audit-2026-01-02T03-04-09.678.log',
      'audit.log',
    ]);
    const first = readFileSync(join(directory, 'audit-2026-01-02T03-04-07.678.log'), 'utf8').split('\n');
    expect(first[0]).toBe('earlier');
    expect(first.slice(1, -1).map((l) => (JSON.parse(l) as { n: number }).n)).toEqual([0, 1]);
    const current = readFileSync(path, 'utf8').trim().split('\n');
    expect(current.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual([4]);
  });

  test('keeps at most maxBackups rotated files, and none older than maxAgeDays', () => {
    const path = join(directory, 'audit.log');
    writeFileSync(join(directory, 'audit-2020-01-01T00-00-00.000.log'), 'ancient\n');
    writeFileSync(join(directory, 'unrelated.txt'), 'keep\n');
    let now = Date.parse('2026-01-02T00:00:00.000Z');
    const writer = new RotatingFileWriter(path, {
      maxSizeMegabytes: 1,
      maxBackups: 2,
      maxAgeDays: 30,
      clock: () => new Date(now),
    });
    for (let n = 0; n < 12; n++) {
      writer.write(line(n));
      now += 60_000;
    }
    writer.close();
    const files = readdirSync(directory).sort();
    expect(files.filter((f) => f.startsWith('audit-'))).toHaveLength(2);
    expect(files).toContain('unrelated.txt');
    expect(files).not.toContain('audit-2020-01-01T00-00-00.000.log');
  });
});
