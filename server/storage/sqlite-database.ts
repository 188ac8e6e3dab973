import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { INITIAL_REVISION } from './resource-version.js';

/**
 * Opening the embedded backend's SQLite database: durability settings, the single-process
 * lock, the schema, and an integrity check before anything is served from it.
 */

/** Bumped whenever the schema changes; a database from a newer version is refused. */
const SCHEMA_VERSION = 2;

const SCHEMA = `
  -- Counters that must survive restarts: 'revision' is the last issued revision (starting
  -- at 1, as etcd does, before any write), never reused even after deletes; 'compacted_revision' is the newest revision pruned from the
  -- event log, so watches from before it are answered with Expired; 'history_bytes' is the
  -- sum of the events' sizes, so the log can be bounded in bytes as well as in events.
  CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  INSERT INTO meta (name, value)
    VALUES ('revision', ${INITIAL_REVISION}), ('compacted_revision', 0), ('history_bytes', 0);

  -- The current objects; value is JSON whose metadata.resourceVersion equals
  -- resource_version, which is kept as a column for compare-and-swap without parsing.
  -- TEXT keys compare with BINARY collation: UTF-8 byte order, the order lists return.
  CREATE TABLE objects (
    key TEXT PRIMARY KEY,
    resource_version INTEGER NOT NULL,
    value TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;

  -- One row per revision, for watches that resume from a past version; pruned to a bounded
  -- history. For DELETED, value is the last state stamped with the deletion's revision.
  -- size is the bytes of value and previous.
  CREATE TABLE events (
    revision INTEGER PRIMARY KEY,
    type TEXT NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    previous TEXT,
    size INTEGER NOT NULL DEFAULT 0
  ) STRICT;
`;

/** Version 1 to 2: events record their size, and the log's total is a counter. */
const MIGRATE_1_TO_2 = `
  ALTER TABLE events ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
  UPDATE events
    SET size = length(CAST(value AS BLOB)) + coalesce(length(CAST(previous AS BLOB)), 0);
  INSERT INTO meta (name, value) VALUES ('history_bytes', (SELECT coalesce(sum(size), 0) FROM events));
`;

export interface OpenDatabaseOptions {
  /** How long to wait for another process to release the database before failing. */
  readonly lockTimeoutMs: number;
  /**
   * The most the database file may hold, in bytes (SQLite's max_page_count): past it a write
   * fails as on a full disk. Undefined: as much as the disk holds.
   */
  readonly maxBytes?: number;
}

/** Opens (creating if needed) the database at `path`, ready for SqliteStorage. */
export function openDatabase(path: string, options: OpenDatabaseOptions): Database.Database {
  mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: options.lockTimeoutMs });
    configureDurability(db);
    if (options.maxBytes !== undefined) limitSize(db, options.maxBytes);
    migrate(db);
    checkIntegrity(db);
    return db;
  } catch (error) {
    db?.close();
    throw new Error(`cannot open the sqlite storage at ${path}: ${describeOpenFailure(error)}`, {
      cause: error,
    });
  }
}

function configureDurability(db: Database.Database): void {
  // One process owns the database: watchers are notified in-process, so a second writer's
  // changes would never reach them, and its revisions would interleave with ours. EXCLUSIVE
  // makes a second server on the same file (two replicas on one volume) fail at startup. Set
  // before the first read, it also keeps the WAL index in process memory rather than in a
  // shared-memory file, which network filesystems often do not support.
  db.pragma('locking_mode = EXCLUSIVE');
  // WAL: a commit is one append to the log, and readers never see a half-written page.
  const journalMode = db.pragma('journal_mode = WAL', { simple: true });
  if (journalMode !== 'wal')
    throw new Error(`the filesystem does not support WAL (journal mode is ${String(journalMode)})`);
  // FULL: fsync the log on every commit, so an acknowledged write survives not just the
  // process being killed (the OS has the data once write() returns) but power loss as well.
  // NORMAL would only sync at checkpoints and could lose the last commits on power loss.
  db.pragma('synchronous = FULL');
  // On macOS fsync does not reach the platter; F_FULLFSYNC does. No effect elsewhere.
  db.pragma('fullfsync = ON');
  db.pragma('checkpoint_fullfsync = ON');
  // A checkpointed WAL is truncated back to this size rather than keeping its high-water mark.
  db.pragma('journal_size_limit = 67108864');
}

function limitSize(db: Database.Database, maxBytes: number): void {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
    throw new RangeError(`the database size limit must be a positive integer, got ${maxBytes}`);
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  db.pragma(`max_page_count = ${Math.max(1, Math.floor(maxBytes / pageSize))}`);
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true });
  if (version === SCHEMA_VERSION) return;
  if (version === 1) {
    db.transaction(() => {
      db.exec(MIGRATE_1_TO_2);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
    return;
  }
  if (version !== 0) {
    throw new Error(
      `schema version ${String(version)} is not supported (this build knows ${SCHEMA_VERSION})`,
    );
  }
  db.transaction(() => {
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** SQLite's own check, then the invariants the storage relies on. */
function checkIntegrity(db: Database.Database): void {
  // integrity_check reads every page: linear in the database size, which for the objects of
  // one aggregated API server is small, and it runs once per start.
  const problems = db.pragma('integrity_check') as { integrity_check: string }[];
  if (problems.length !== 1 || problems[0].integrity_check !== 'ok') {
    throw new Error(`integrity check failed: ${problems.map((row) => row.integrity_check).join('; ')}`);
  }
  const counters = db
    .prepare<
      [],
      { revision: number | null; compacted: number | null; newestObject: number; newestEvent: number }
    >(
      `SELECT
         (SELECT value FROM meta WHERE name = 'revision') AS revision,
         (SELECT value FROM meta WHERE name = 'compacted_revision') AS compacted,
         (SELECT coalesce(max(resource_version), 0) FROM objects) AS newestObject,
         (SELECT coalesce(max(revision), 0) FROM events) AS newestEvent`,
    )
    .get();
  if (!counters || counters.revision === null || counters.compacted === null) {
    throw new Error('the revision counters are missing');
  }
  const { revision, compacted, newestObject, newestEvent } = counters;
  if (newestObject > revision || newestEvent > revision || compacted > revision) {
    throw new Error(
      `the revision counter (${revision}) is behind the data (newest object ${newestObject}, newest event ${newestEvent}, compacted ${compacted})`,
    );
  }
}

function describeOpenFailure(error: unknown): string {
  // Matched by code, not instanceof: the error class may come from another module instance.
  if ((error as { code?: unknown } | undefined)?.code === 'SQLITE_BUSY') {
    return 'another process has it open (the embedded storage serves one server process; use etcd for replicas)';
  }
  return error instanceof Error ? error.message : String(error);
}
