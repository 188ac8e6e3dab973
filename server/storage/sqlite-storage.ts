import Database from 'better-sqlite3';
import type { KubeObject } from '../../api/types.js';
import { DEFAULT_HISTORY_SIZE } from './event-history.js';
import { compareKeys, prefixRangeEnd } from './key-order.js';
import { pageSize } from './list-limit.js';
import { decodeObject, encodeObject, type RecordedEvent } from './object-encoding.js';
import {
  formatResourceVersion,
  futureResourceVersion,
  parseResourceVersion,
  parseWatchStart,
  tooOldResourceVersion,
} from './resource-version.js';
import { openDatabase } from './sqlite-database.js';
import {
  type ListOptions,
  type ListResult,
  type Storage,
  StorageError,
  type StorageEvent,
} from '../../api/storage.js';
import { failedWatch } from './watcher.js';
import { WatchHub } from './watch-hub.js';

const DEFAULT_LOCK_TIMEOUT_MS = 5_000;

export interface SqliteStorageOptions {
  /** The database file; its directory is created if missing. */
  readonly path: string;
  /** How many recent changes the event log keeps for watches that resume from a past version. */
  readonly historySize?: number;
  /** How many events one watch may have queued before it is ended (see Watcher). */
  readonly watchQueueLimit?: number;
  /**
   * How long opening waits for another process to release the database, e.g. the previous
   * server still shutting down during a rolling restart on the same volume.
   */
  readonly lockTimeoutMs?: number;
}

/** Opens the embedded backend at `options.path`, creating it if needed, after an integrity check. */
export async function openSqliteStorage(options: SqliteStorageOptions): Promise<SqliteStorage> {
  return SqliteStorage.open(options);
}

interface ObjectRow {
  readonly resourceVersion: number;
  readonly value: string;
}

interface KeyValueRow {
  readonly key: string;
  readonly value: string;
}

interface EventRow {
  readonly revision: number;
  readonly type: string;
  readonly key: string;
  readonly value: string;
  readonly previous: string | null;
}

/** Bounds of a key range query; `end` is bound only when the prefix has a range end. */
interface KeyRange {
  readonly lower: string;
  readonly end?: string;
}

type Change = (revision: number) => RecordedEvent;

/**
 * The default backend: one SQLite file on local disk, for a single server process.
 *
 * Durability: every write is one transaction (the object, its event and the revision counter
 * together) committed with WAL and synchronous=FULL, so a write is acknowledged only once it
 * is fsynced, and survives kill -9 and power loss. The revision counter lives in the database,
 * so revisions stay monotonic across restarts and are never reused, even for deleted keys.
 *
 * History: the event log keeps the last `historySize` events; older ones are pruned as new
 * ones arrive, and the newest pruned revision is recorded so that a watch from before it
 * gets Expired rather than a silent gap.
 *
 * Reads see only the present: lists are answered at the current revision whatever
 * `resourceVersion` asks for, as kube-apiserver does for non-exact reads. A continued list
 * may therefore include changes made between its pages.
 *
 * better-sqlite3 is synchronous: a write blocks the event loop for its fsync (around a
 * millisecond on local SSDs, more on network disks). In exchange nothing interleaves with a write,
 * and watchers are notified right after each commit, in commit order.
 */
export class SqliteStorage implements Storage {
  private readonly hub: WatchHub;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly writeTransaction: Database.Transaction<(change: Change) => RecordedEvent>;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly historySize: number,
    watchQueueLimit: number | undefined,
  ) {
    this.hub = new WatchHub(watchQueueLimit);
    this.statements = prepareStatements(db);
    this.writeTransaction = db.transaction((change: Change): RecordedEvent => {
      const revision = this.readCounter('revision') + 1;
      const event = change(revision);
      this.statements.insertEvent.run(
        event.revision,
        event.type,
        event.key,
        event.objectJson,
        event.previousJson ?? null,
      );
      this.statements.setCounter.run(revision, 'revision');
      this.pruneHistory(revision);
      return event;
    });
  }

  static async open(options: SqliteStorageOptions): Promise<SqliteStorage> {
    const historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    if (!Number.isSafeInteger(historySize) || historySize < 1) {
      throw new RangeError(`history size must be a positive integer, got ${historySize}`);
    }
    const db = openDatabase(options.path, {
      lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    });
    try {
      const storage = new SqliteStorage(db, historySize, options.watchQueueLimit);
      // The history size may have shrunk since the last run.
      db.transaction(() => storage.pruneHistory(storage.readCounter('revision'))).immediate();
      return storage;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** How many watches are open. */
  get activeWatchCount(): number {
    return this.hub.size;
  }

  async get(key: string): Promise<KubeObject | undefined> {
    const row = this.read(key, () => this.statements.selectObject.get(key));
    return row && decodeObject(row.value);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const limit = pageSize(options.limit);
    const end = prefixRangeEnd(prefix);
    const startAfter = options.startAfter;
    // Start at the prefix, or just after the previous page when that is further on.
    const afterPrevious = startAfter !== undefined && compareKeys(startAfter, prefix) >= 0;
    const range: KeyRange = {
      lower: afterPrevious ? startAfter : prefix,
      ...(end !== undefined ? { end } : {}),
    };
    const page = this.read(prefix, () =>
      // One read transaction: the rows, the count and the revision are one snapshot.
      this.db
        .transaction(() => {
          const rows = this.statements
            .listObjects(afterPrevious, end !== undefined)
            .all({ ...range, limit: limit ?? -1 });
          const last = rows.at(-1);
          const remaining =
            limit !== undefined && last && rows.length === limit
              ? this.statements.countAfter(end !== undefined).get({ ...range, lower: last.key })
              : 0;
          return { rows, remaining: remaining ?? 0, revision: this.readCounter('revision') };
        })
        .deferred(),
    );
    const last = page.rows.at(-1);
    return {
      items: page.rows.map((row) => decodeObject(row.value)),
      resourceVersion: formatResourceVersion(page.revision),
      ...(last && page.remaining > 0 ? { continueKey: last.key, remainingItemCount: page.remaining } : {}),
    };
  }

  async create(key: string, object: KubeObject): Promise<KubeObject> {
    const event = this.write(key, (revision) => {
      if (this.statements.selectObject.get(key)) throw new StorageError('KeyExists', key);
      const objectJson = encodeObject(object, revision);
      this.statements.insertObject.run(key, revision, objectJson);
      return { type: 'ADDED', key, revision, objectJson };
    });
    return decodeObject(event.objectJson);
  }

  async update(key: string, object: KubeObject, expectedResourceVersion: string): Promise<KubeObject> {
    const event = this.write(key, (revision) => {
      const current = this.currentObject(key, expectedResourceVersion);
      const objectJson = encodeObject(object, revision);
      this.statements.replaceObject.run(revision, objectJson, key);
      return { type: 'MODIFIED', key, revision, objectJson, previousJson: current.value };
    });
    return decodeObject(event.objectJson);
  }

  async delete(key: string, expectedResourceVersion?: string): Promise<KubeObject> {
    const event = this.write(key, (revision) => {
      const current = this.currentObject(key, expectedResourceVersion);
      this.statements.deleteObject.run(key);
      const objectJson = encodeObject(decodeObject(current.value), revision);
      return { type: 'DELETED', key, revision, objectJson, previousJson: current.value };
    });
    return decodeObject(event.objectJson);
  }

  watch(
    prefix: string,
    fromResourceVersion: string | undefined,
    signal: AbortSignal,
  ): AsyncIterable<StorageEvent> {
    try {
      this.assertOpen(prefix);
      const requested = parseWatchStart(fromResourceVersion);
      const current = this.read(prefix, () => this.readCounter('revision'));
      if (requested === undefined) {
        const watcher = this.hub.open(prefix, current, signal);
        watcher.replayThenGoLive([]);
        return watcher;
      }
      if (requested > current) throw futureResourceVersion(prefix, requested, current);
      // Subscribe before reading the log; the watcher stitches the two (see Watcher).
      const watcher = this.hub.open(prefix, requested, signal);
      try {
        watcher.replayThenGoLive(this.read(prefix, () => this.readHistory(prefix, requested)));
      } catch (error) {
        watcher.stop();
        throw error;
      }
      return watcher;
    } catch (error) {
      return failedWatch(error);
    }
  }

  async currentResourceVersion(): Promise<string> {
    return formatResourceVersion(this.read('', () => this.readCounter('revision')));
  }

  async checkHealth(): Promise<void> {
    this.read('', () => this.statements.ping.get());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.stopAll();
    // Checkpoints the WAL into the database file and removes it.
    this.db.close();
  }

  /** Runs one write transaction, then tells the watchers: only committed changes are seen. */
  private write(key: string, change: Change): RecordedEvent {
    this.assertOpen(key);
    let event: RecordedEvent;
    try {
      // IMMEDIATE takes the write lock up front rather than upgrading a read lock midway.
      event = this.writeTransaction.immediate(change);
    } catch (error) {
      throw asStorageError(error, key);
    }
    this.hub.publish(event);
    return event;
  }

  private read<T>(key: string, query: () => T): T {
    this.assertOpen(key);
    try {
      return query();
    } catch (error) {
      throw asStorageError(error, key);
    }
  }

  /** The row at `key`, checked against the caller's expected version when there is one. */
  private currentObject(key: string, expectedResourceVersion: string | undefined): ObjectRow {
    const current = this.statements.selectObject.get(key);
    if (!current) throw new StorageError('NotFound', key);
    if (
      expectedResourceVersion !== undefined &&
      parseResourceVersion(expectedResourceVersion) !== current.resourceVersion
    ) {
      throw new StorageError(
        'Conflict',
        key,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    return current;
  }

  /** The logged events under `prefix` after `revision`, or Expired if some were pruned. */
  private readHistory(prefix: string, revision: number): RecordedEvent[] {
    return this.db
      .transaction(() => {
        const compacted = this.readCounter('compacted_revision');
        if (revision < compacted) throw tooOldResourceVersion(prefix, revision, compacted);
        const end = prefixRangeEnd(prefix);
        const rows = this.statements
          .eventsAfter(end !== undefined)
          .all({ after: revision, lower: prefix, ...(end !== undefined ? { end } : {}) });
        return rows.map(toRecordedEvent);
      })
      .deferred();
  }

  /** Drops events beyond the history size; runs inside a write transaction. */
  private pruneHistory(revision: number): void {
    const newestToDrop = revision - this.historySize;
    if (newestToDrop <= this.readCounter('compacted_revision')) return;
    this.statements.deleteEventsThrough.run(newestToDrop);
    this.statements.setCounter.run(newestToDrop, 'compacted_revision');
  }

  private readCounter(name: 'revision' | 'compacted_revision'): number {
    const value = this.statements.selectCounter.get(name);
    if (value === undefined) throw new Error(`sqlite storage: counter ${name} is missing`);
    return value;
  }

  private assertOpen(key: string): void {
    if (this.closed) throw new StorageError('Unavailable', key, 'the storage is closed');
  }
}

function prepareStatements(db: Database.Database) {
  /** `key` within a range, from `@lower` (inclusive, or exclusive after a previous page) to `@end`. */
  const keyRange = (lowerExclusive: boolean, bounded: boolean): string =>
    `key ${lowerExclusive ? '>' : '>='} @lower${bounded ? ' AND key < @end' : ''}`;
  // Statements whose shape depends on the query are prepared on first use, then reused.
  type Parameters = Record<string, string | number>;
  const cache = new Map<string, Database.Statement<[Parameters], unknown>>();
  /** `singleColumn`: rows are the first column's value rather than objects. */
  const cached = <Row>(sql: string, singleColumn = false): Database.Statement<[Parameters], Row> => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare<[Parameters], unknown>(sql).pluck(singleColumn);
      cache.set(sql, statement);
    }
    return statement as Database.Statement<[Parameters], Row>;
  };
  return {
    ping: db.prepare<[], unknown>('SELECT 1'),
    selectCounter: db.prepare<[string], number>('SELECT value FROM meta WHERE name = ?').pluck(),
    setCounter: db.prepare<[number, string]>('UPDATE meta SET value = ? WHERE name = ?'),
    selectObject: db.prepare<[string], ObjectRow>(
      'SELECT resource_version AS resourceVersion, value FROM objects WHERE key = ?',
    ),
    insertObject: db.prepare<[string, number, string]>(
      'INSERT INTO objects (key, resource_version, value) VALUES (?, ?, ?)',
    ),
    replaceObject: db.prepare<[number, string, string]>(
      'UPDATE objects SET resource_version = ?, value = ? WHERE key = ?',
    ),
    deleteObject: db.prepare<[string]>('DELETE FROM objects WHERE key = ?'),
    insertEvent: db.prepare<[number, string, string, string, string | null]>(
      'INSERT INTO events (revision, type, key, value, previous) VALUES (?, ?, ?, ?, ?)',
    ),
    deleteEventsThrough: db.prepare<[number]>('DELETE FROM events WHERE revision <= ?'),
    // A separate statement per shape keeps every bound in the index range: an optional
    // bound written as `(@end IS NULL OR key < @end)` would make SQLite scan to the end.
    listObjects: (lowerExclusive: boolean, bounded: boolean) =>
      cached<KeyValueRow>(
        `SELECT key, value FROM objects WHERE ${keyRange(lowerExclusive, bounded)} ORDER BY key LIMIT @limit`,
      ),
    countAfter: (bounded: boolean) =>
      cached<number>(`SELECT count(*) FROM objects WHERE ${keyRange(true, bounded)}`, true),
    eventsAfter: (bounded: boolean) =>
      cached<EventRow>(
        `SELECT revision, type, key, value, previous FROM events
         WHERE revision > @after AND ${keyRange(false, bounded)} ORDER BY revision`,
      ),
  };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    // The table's CHECK constraint admits only the three event types.
    type: row.type as RecordedEvent['type'],
    key: row.key,
    revision: row.revision,
    objectJson: row.value,
    ...(row.previous !== null ? { previousJson: row.previous } : {}),
  };
}

/** SQLite failures (disk full, I/O errors) become Unavailable; storage errors pass through. */
function asStorageError(error: unknown, key: string): unknown {
  if (error instanceof Database.SqliteError) {
    return new StorageError('Unavailable', key, `sqlite storage: ${error.code}: ${error.message}`);
  }
  return error;
}
