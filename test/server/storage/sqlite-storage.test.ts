import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { StorageError } from '../../../api/storage.js';
import { ApiError } from '../../../server/api/errors.js';
import { openSqliteStorage, type SqliteStorage } from '../../../server/storage/sqlite-storage.js';
import {
  describeStorageConformance,
  events,
  expectStorageError,
  revisionOf,
  rv,
  thing,
  withTimeout,
} from '../../../server/testing/index.js';
import { describeObjectSizeLimit } from './object-size-limit.js';

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '..', '..', '..');
const writerFixture = join(here, 'fixtures', 'sqlite-writer.ts');

let scratch: string;
let databases = 0;

/** A path for a database of its own, under the suite's scratch directory (nested: open creates it). */
function freshPath(): string {
  databases += 1;
  return join(scratch, `db-${databases}`, 'nested', 'storage.sqlite');
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'sqlite-storage-test-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describeStorageConformance('SqliteStorage', {
  open: (options) => openSqliteStorage({ path: freshPath(), historySize: options?.historySize }),
});

describeObjectSizeLimit('SqliteStorage', () => openSqliteStorage({ path: freshPath() }));

describe('SqliteStorage', () => {
  const watches = new AbortController();
  afterAll(() => watches.abort());

  it('starts at version 1 like etcd, so the first write is 2', async () => {
    const storage = await openSqliteStorage({ path: freshPath() });
    expect(await storage.currentResourceVersion()).toBe('1');
    expect(rv(await storage.create('/g/r/ns/a', thing('a')))).toBe('2');
    await storage.close();
  });

  it('keeps data, history and a monotonic revision across close and reopen', async () => {
    const path = freshPath();
    const first = await openSqliteStorage({ path });
    const a = await first.create('/g/r/ns/a', thing('a', { n: 1 }));
    const a2 = await first.update('/g/r/ns/a', thing('a', { n: 2 }), rv(a));
    await first.create('/g/r/ns/b', thing('b'));
    // Deleting the newest object must not let its revision be issued again.
    const deleted = await first.delete('/g/r/ns/b');
    await first.close();

    const second = await openSqliteStorage({ path });
    expect(await second.get('/g/r/ns/a')).toEqual(a2);
    expect(await second.get('/g/r/ns/b')).toBeUndefined();
    expect(await second.currentResourceVersion()).toBe(rv(deleted));
    const c = await second.create('/g/r/ns/c', thing('c'));
    expect(revisionOf(c)).toBe(revisionOf(deleted) + 1);

    // The event log survived too: a watch from before the restart replays it.
    const replayed = await events(second.watch('/g/', rv(a), watches.signal)).take(4);
    expect(replayed.map((e) => [e.type, e.key])).toEqual([
      ['MODIFIED', '/g/r/ns/a'],
      ['ADDED', '/g/r/ns/b'],
      ['DELETED', '/g/r/ns/b'],
      ['ADDED', '/g/r/ns/c'],
    ]);
    await second.close();
  });

  it('remembers compaction across reopen, also when the history size shrinks', async () => {
    const path = freshPath();
    const first = await openSqliteStorage({ path, historySize: 100 });
    const versions: string[] = [];
    for (let i = 0; i < 10; i++) versions.push(rv(await first.create(`/g/r/ns/o${i}`, thing(`o${i}`))));
    await first.close();

    const second = await openSqliteStorage({ path, historySize: 3 });
    await expectStorageError(firstEventOf(second, versions[5]), 'Expired');
    const kept = await events(second.watch('/g/', versions[6], watches.signal)).take(3);
    expect(kept.map((e) => e.resourceVersion)).toEqual(versions.slice(7));
    await second.close();

    const third = await openSqliteStorage({ path, historySize: 100 });
    await expectStorageError(firstEventOf(third, versions[5]), 'Expired');
    await third.close();
  });

  it('prunes the event log to the history size', async () => {
    const path = freshPath();
    const storage = await openSqliteStorage({ path, historySize: 4 });
    for (let i = 0; i < 20; i++) await storage.create(`/g/r/ns/o${i}`, thing(`o${i}`));
    await storage.close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT min(revision) AS oldest, count(*) AS kept FROM events').get()).toEqual({
      oldest: 18,
      kept: 4,
    });
    // Revisions 2 to 21 were written; 18 to 21 are kept.
    expect(db.prepare("SELECT value FROM meta WHERE name = 'compacted_revision'").pluck().get()).toBe(17);
    db.close();
  });

  it('uses WAL with synchronous=FULL', async () => {
    const path = freshPath();
    const storage = await openSqliteStorage({ path });
    await storage.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    // synchronous is per connection, so it is checked on the storage's own connection.
    const inspected = await openSqliteStorage({ path });
    expect(connectionOf(inspected).pragma('synchronous', { simple: true })).toBe(2);
    await inspected.close();
  });

  it('refuses a second process (or connection) on the same database', async () => {
    const path = freshPath();
    const owner = await openSqliteStorage({ path });
    await expect(openSqliteStorage({ path, lockTimeoutMs: 50 })).rejects.toThrow(
      /another process has it open/,
    );
    await owner.close();
    const next = await openSqliteStorage({ path, lockTimeoutMs: 50 });
    await next.close();
  });

  it('refuses a file that is not a database', async () => {
    const path = freshPath();
    await (await openSqliteStorage({ path })).close();
    writeFileSync(path, 'not a database '.repeat(500));
    await expect(openSqliteStorage({ path })).rejects.toThrow(/cannot open the sqlite storage/);
  });

  it('refuses a database whose revision counter is behind its data', async () => {
    const path = freshPath();
    const storage = await openSqliteStorage({ path });
    await storage.create('/g/r/ns/a', thing('a'));
    await storage.close();
    const db = new Database(path);
    db.prepare("UPDATE meta SET value = 0 WHERE name = 'revision'").run();
    db.close();
    await expect(openSqliteStorage({ path })).rejects.toThrow(/revision counter \(0\) is behind the data/);
  });

  it('reports failures after close as Unavailable', async () => {
    const storage = await openSqliteStorage({ path: freshPath() });
    await storage.close();
    await expectStorageError(storage.get('/g/r/ns/a'), 'Unavailable');
    await expectStorageError(storage.list('/g/'), 'Unavailable');
    await expectStorageError(storage.create('/g/r/ns/a', thing('a')), 'Unavailable');
    await expectStorageError(storage.checkHealth(), 'Unavailable');
    await expectStorageError(firstEventOf(storage, undefined), 'Unavailable');
  });

  it('releases watchers on abort', async () => {
    const storage = await openSqliteStorage({ path: freshPath() });
    const controller = new AbortController();
    storage.watch('/g/', undefined, controller.signal);
    storage.watch('/g/', undefined, controller.signal);
    expect(storage.activeWatchCount).toBe(2);
    controller.abort();
    expect(storage.activeWatchCount).toBe(0);
    await storage.close();
  });

  it('bounds the event log in bytes as well as in events, keeping the newest event', async () => {
    const path = freshPath();
    const big = 'x'.repeat(100 * 1024);
    const storage = await openSqliteStorage({ path, historyBytes: 1024 * 1024 });
    let current = await storage.create('/g/r/ns/a', thing('a', { big, n: 0 }));
    for (let n = 1; n <= 40; n++)
      current = await storage.update('/g/r/ns/a', thing('a', { big, n }), rv(current));
    await storage.close();
    const db = new Database(path, { readonly: true });
    const kept = db
      .prepare(
        'SELECT count(*) AS events, sum(length(value) + coalesce(length(previous), 0)) AS bytes FROM events',
      )
      .get() as { events: number; bytes: number };
    // Each update holds the object twice (before and after): about 200 KiB an event.
    expect(kept.events).toBeGreaterThan(0);
    expect(kept.events).toBeLessThan(10);
    expect(kept.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(db.prepare("SELECT value FROM meta WHERE name = 'history_bytes'").pluck().get()).toBe(kept.bytes);
    db.close();
    // A single event larger than the limit is still kept: the newest is always there.
    const tiny = await openSqliteStorage({ path, historyBytes: 1 });
    const updated = await tiny.update('/g/r/ns/a', thing('a', { big, n: 41 }), rv(current));
    const replay = await events(tiny.watch('/g/', String(revisionOf(updated) - 1), watches.signal)).take(1);
    expect(replay[0].resourceVersion).toBe(rv(updated));
    await tiny.close();
  });

  it('upgrades a database of the first schema, counting the bytes its log already holds', async () => {
    const path = freshPath();
    const storage = await openSqliteStorage({ path });
    await storage.create('/g/r/ns/a', thing('a', { text: 'é'.repeat(10) }));
    await storage.close();
    // Back to schema 1: no sizes, no byte counter.
    const old = new Database(path);
    old.exec(`ALTER TABLE events DROP COLUMN size; DELETE FROM meta WHERE name = 'history_bytes';`);
    old.pragma('user_version = 1');
    old.close();
    const upgraded = await openSqliteStorage({ path });
    await upgraded.close();
    const db = new Database(path, { readonly: true });
    const bytes = db.prepare('SELECT sum(length(CAST(value AS BLOB))) FROM events').pluck().get();
    expect(db.prepare("SELECT value FROM meta WHERE name = 'history_bytes'").pluck().get()).toBe(bytes);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    db.close();
  });

  describe('lists at a past resource version', () => {
    it('answers with the state at that version, on every page', async () => {
      const storage = await openSqliteStorage({ path: freshPath() });
      const a = await storage.create('/g/r/ns/a', thing('a', { n: 1 }));
      const b = await storage.create('/g/r/ns/b', thing('b', { n: 1 }));
      const c = await storage.create('/g/r/ns/c', thing('c', { n: 1 }));
      const then = await storage.currentResourceVersion();
      // After `then`: b changes, c goes, d and aa arrive.
      await storage.update('/g/r/ns/b', thing('b', { n: 2 }), rv(b));
      await storage.delete('/g/r/ns/c');
      await storage.create('/g/r/ns/d', thing('d'));
      await storage.create('/g/r/ns/aa', thing('aa'));

      const whole = await storage.list('/g/r/', { resourceVersion: then });
      expect(whole.resourceVersion).toBe(then);
      expect(whole.items).toEqual([a, b, c]);

      const first = await storage.list('/g/r/', { resourceVersion: then, limit: 2 });
      expect(first.items).toEqual([a, b]);
      expect(first.remainingItemCount).toBe(1);
      const second = await storage.list('/g/r/', {
        resourceVersion: then,
        limit: 2,
        startAfter: first.continueKey,
      });
      expect(second.items).toEqual([c]);
      expect(second.continueKey).toBeUndefined();

      const now = await storage.list('/g/r/');
      expect(now.items.map((o) => o.metadata.name)).toEqual(['a', 'aa', 'b', 'd']);
      await storage.close();
    });

    it('answers Expired once the log no longer reaches back to the version', async () => {
      const storage = await openSqliteStorage({ path: freshPath(), historySize: 3 });
      const first = await storage.create('/g/r/ns/a', thing('a'));
      for (let i = 0; i < 5; i++) await storage.create(`/g/r/ns/o${i}`, thing(`o${i}`));
      await expectStorageError(storage.list('/g/r/', { resourceVersion: rv(first) }), 'Expired');
      await storage.close();
    });

    it('answers 504 Too large resource version for a version not issued yet, as kube does', async () => {
      const storage = await openSqliteStorage({ path: freshPath() });
      const current = Number(await storage.currentResourceVersion());
      const error = await storage
        .list('/g/r/', { resourceVersion: String(current + 10) })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toMatchObject({
        code: 504,
        reason: 'Timeout',
        message: `Too large resource version: ${current + 10}, current: ${current}`,
      });
      await storage.close();
    });
  });

  it('fails writes as Unavailable and checkHealth once the database is full', async () => {
    const storage = await openSqliteStorage({ path: freshPath(), maxDatabaseBytes: 8 * 1024 * 1024 });
    await storage.checkHealth();
    const big = 'x'.repeat(256 * 1024);
    let failure: unknown;
    for (let i = 0; i < 100 && failure === undefined; i++) {
      await storage.create(`/g/r/ns/o${i}`, thing(`o${i}`, { big })).catch((error: unknown) => {
        failure = error;
      });
    }
    expect(failure).toBeInstanceOf(StorageError);
    expect(failure).toMatchObject({ code: 'Unavailable', message: 'embedded storage: the disk is full' });
    await expect(storage.checkHealth()).rejects.toThrow(/the embedded storage is full/);
    // Reads still work.
    expect((await storage.list('/g/r/')).items.length).toBeGreaterThan(0);
    await storage.close();
  });

  it('loses no acknowledged write when the process is killed with SIGKILL mid-write', async () => {
    const path = freshPath();
    const acknowledged = new Map<string, string>();
    // Several rounds on the same database: each child also recovers what the last one left.
    for (let round = 0; round < 3; round++) {
      const acknowledgedThisRound = await runWriterAndKill(path, `/kill/things/r${round}-`, 40 + round * 25);
      expect(acknowledgedThisRound.size).toBeGreaterThan(0);
      for (const [key, version] of acknowledgedThisRound) acknowledged.set(key, version);

      const storage = await openSqliteStorage({ path }); // runs the integrity check
      for (const [key, version] of acknowledged) {
        const stored = await storage.get(key);
        expect(stored?.metadata.name).toBe(key);
        expect(stored?.metadata.resourceVersion).toBe(version);
      }
      const current = Number(await storage.currentResourceVersion());
      const newestAcknowledged = Math.max(...[...acknowledged.values()].map(Number));
      expect(current).toBeGreaterThanOrEqual(newestAcknowledged);
      // Everything stored is consistent with the counter, acknowledged or not.
      const all = await storage.list('/kill/');
      expect(all.items.length).toBeGreaterThanOrEqual(acknowledged.size);
      for (const item of all.items) expect(revisionOf(item)).toBeLessThanOrEqual(current);
      const next = await storage.create(`/kill/after-round-${round}`, thing('after'));
      expect(revisionOf(next)).toBe(current + 1);
      await storage.close();
    }
  }, 60_000);
});

/**
 * Starts the writer fixture, lets it acknowledge `acknowledgements` writes (plus whatever it
 * manages while the kill is on its way), kills it with SIGKILL and returns what it acknowledged.
 */
async function runWriterAndKill(
  path: string,
  prefix: string,
  acknowledgements: number,
): Promise<Map<string, string>> {
  const child = spawn(process.execPath, ['--import', 'tsx', writerFixture, path, prefix], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );

  const acknowledged = new Map<string, string>();
  const lines = createInterface({ input: child.stdout });
  const linesClosed = new Promise<void>((resolve) => lines.once('close', resolve));
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => {
        if (line === 'ready') return;
        const [key, version] = line.split(' ');
        acknowledged.set(key, version);
        if (acknowledged.size === acknowledgements) {
          // Kill mid-stream: the child is busy with its next write.
          child.kill('SIGKILL');
          resolve();
        }
      });
      void exited.then(() => reject(new Error(`the writer exited early: ${stderr}`)));
    }),
    'the writer to acknowledge writes',
    30_000,
  );
  expect(await exited).toBe('SIGKILL');
  // Lines already in the pipe when the kill landed were acknowledged too.
  await linesClosed;
  return acknowledged;
}

async function firstEventOf(storage: SqliteStorage, from: string | undefined): Promise<unknown> {
  return storage.watch('/g/', from, new AbortController().signal)[Symbol.asyncIterator]().next();
}

/** The storage's own connection, for checks of per-connection settings. */
function connectionOf(storage: SqliteStorage): Database.Database {
  return (storage as unknown as { db: Database.Database }).db;
}
