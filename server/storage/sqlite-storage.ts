import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MAX_OBJECT_BYTES } from '../api/request-limits.js';
import type { KubeObject } from '../../api/types.js';
import { DEFAULT_HISTORY_BYTES, DEFAULT_HISTORY_SIZE } from './event-history.js';
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
import { errors } from '../api/errors.js';
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
/** Bytes of live events a watch may have queued beyond a replay of the whole history. */
const LIVE_QUEUE_BYTES = 16 * 1024 * 1024;

export interface SqliteStorageOptions {
  /** The database file; its directory is created if missing. */
  readonly path: string;
  /** How many recent changes the event log keeps for watches that resume from a past version. */
  readonly historySize?: number;
  /**
   * How many bytes of objects the event log keeps (each event holds the object before and after
   * the change), whatever `historySize` allows: large objects written often would otherwise
   * fill the disk with history. The newest event is always kept.
   * @default 64 MiB
   */
  readonly historyBytes?: number;
  /**
   * The most the database may hold, in bytes, like etcd's --quota-backend-bytes: past it writes
   * fail with 503 and /readyz reports the storage full. Unset: as much as the disk holds.
   */
  readonly maxDatabaseBytes?: number;
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

interface EventSizeRow {
  readonly revision: number;
  readonly size: number;
}

/**
 * Room a write may need beyond the data already stored: the largest object twice (its row and
 * its event, which also holds the previous state) plus pages of indexes and the log.
 */
const WRITE_RESERVE_BYTES = 2 * MAX_OBJECT_BYTES + 1024 * 1024;

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
 * History: the event log keeps the last `historySize` events and at most `historyBytes` of
 * them; older ones are pruned as new ones arrive, and the newest pruned revision is recorded so
 * that a watch or a read from before it gets Expired rather than a silent gap.
 *
 * Reads at a past version: a list with `resourceVersion` is answered with the state at that
 * version, rebuilt from the present and the event log (each event holds the state before it),
 * or Expired when the log no longer reaches back that far, as etcd answers a read at a
 * compacted revision. A continued list therefore sees the same state on every page.
 *
 * A full disk (or `maxDatabaseBytes` reached) fails writes with Unavailable and makes
 * `checkHealth` (so /readyz) fail until there is room again.
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
    private readonly directory: string,
    private readonly historySize: number,
    private readonly historyBytes: number,
    private readonly maxDatabaseBytes: number | undefined,
    watchQueueLimit: number | undefined,
  ) {
    // Room for a replay of the whole history, in bytes too, plus live events.
    this.hub = new WatchHub(watchQueueLimit, historyBytes + LIVE_QUEUE_BYTES);
    this.statements = prepareStatements(db);
    this.writeTransaction = db.transaction((change: Change): RecordedEvent => {
      const revision = this.readCounter('revision') + 1;
      const event = change(revision);
      const size =
        Buffer.byteLength(event.objectJson) +
        (event.previousJson === undefined ? 0 : Buffer.byteLength(event.previousJson));
      this.statements.insertEvent.run(
        event.revision,
        event.type,
        event.key,
        event.objectJson,
        event.previousJson ?? null,
        size,
      );
      this.statements.setCounter.run(revision, 'revision');
      this.statements.setCounter.run(this.readCounter('history_bytes') + size, 'history_bytes');
      this.pruneHistory(revision);
      return event;
    });
  }

  static async open(options: SqliteStorageOptions): Promise<SqliteStorage> {
    const historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    if (!Number.isSafeInteger(historySize) || historySize < 1) {
      throw new RangeError(`history size must be a positive integer, got ${historySize}`);
    }
    const historyBytes = options.historyBytes ?? DEFAULT_HISTORY_BYTES;
    if (!Number.isSafeInteger(historyBytes) || historyBytes < 1) {
      throw new RangeError(`history bytes must be a positive integer, got ${historyBytes}`);
    }
    const db = openDatabase(options.path, {
      lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      maxBytes: options.maxDatabaseBytes,
    });
    try {
      const storage = new SqliteStorage(
        db,
        dirname(options.path),
        historySize,
        historyBytes,
        options.maxDatabaseBytes,
        options.watchQueueLimit,
      );
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
    const readAt = listRevision(prefix, options.resourceVersion);
    // Start at the prefix, or just after the previous page when that is further on.
    const afterPrevious = startAfter !== undefined && compareKeys(startAfter, prefix) >= 0;
    const range: KeyRange = {
      lower: afterPrevious ? startAfter : prefix,
      ...(end !== undefined ? { end } : {}),
    };
    const page = this.read(prefix, () =>
      // One read transaction: the rows, the count, the log and the revision are one snapshot.
      this.db
        .transaction((): Page => {
          const current = this.readCounter('revision');
          if (readAt === undefined || readAt === current) {
            return { ...this.presentPage(range, afterPrevious, limit), revision: current };
          }
          // kube-apiserver's answer (504) for a version it has not reached.
          if (readAt > current) throw errors.tooLargeResourceVersion(String(readAt), String(current));
          const compacted = this.readCounter('compacted_revision');
          if (readAt < compacted) throw tooOldResourceVersion(prefix, readAt, compacted);
          return { ...this.pastPage(prefix, range, afterPrevious, limit, readAt), revision: readAt };
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

  /** A page of the present objects in `range`; runs inside a read transaction. */
  private presentPage(range: KeyRange, afterPrevious: boolean, limit: number | undefined): PageRows {
    const bounded = range.end !== undefined;
    const rows = this.statements.listObjects(afterPrevious, bounded).all({ ...range, limit: limit ?? -1 });
    const last = rows.at(-1);
    const remaining =
      limit !== undefined && last && rows.length === limit
        ? (this.statements.countAfter(bounded).get({ ...range, lower: last.key }) ?? 0)
        : 0;
    return { rows, remaining };
  }

  /**
   * A page of the objects in `range` as they were at `revision`: the present, except for the
   * keys changed since, whose state then is the state before their first change since (absent
   * if that change created them). Only those keys are looked at beyond the page itself, so a
   * page costs what the changes since `revision` cost, not what the whole collection does.
   * Runs inside a read transaction.
   */
  private pastPage(
    prefix: string,
    range: KeyRange,
    afterPrevious: boolean,
    limit: number | undefined,
    revision: number,
  ): PageRows {
    const thenByKey = new Map<string, string | null>();
    for (const event of this.readEventsAfter(prefix, revision)) {
      if (!thenByKey.has(event.key)) thenByKey.set(event.key, event.previous);
    }
    if (thenByKey.size === 0) return this.presentPage(range, afterPrevious, limit);
    const inRange = (key: string): boolean =>
      (afterPrevious ? compareKeys(key, range.lower) > 0 : compareKeys(key, range.lower) >= 0) &&
      (range.end === undefined || compareKeys(key, range.end) < 0);
    const changedThen: KeyValueRow[] = [];
    for (const [key, value] of thenByKey) {
      if (value !== null && inRange(key)) changedThen.push({ key, value });
    }
    // Enough present rows that, once the changed keys are set aside, `limit` remain if they exist.
    const bounded = range.end !== undefined;
    const fetch = limit === undefined ? -1 : limit + thenByKey.size;
    const unchanged = this.statements
      .listObjects(afterPrevious, bounded)
      .all({ ...range, limit: fetch })
      .filter((row) => !thenByKey.has(row.key));
    const merged = [...unchanged, ...changedThen].sort((a, b) => compareKeys(a.key, b.key));
    const rows = limit === undefined ? merged : merged.slice(0, limit);
    const last = rows.at(-1);
    if (limit === undefined || !last || rows.length < limit) return { rows, remaining: 0 };
    // After the last key: the present count, less the changed keys present now, plus those present then.
    let remaining = this.statements.countAfter(bounded).get({ ...range, lower: last.key }) ?? 0;
    for (const [key, value] of thenByKey) {
      if (compareKeys(key, last.key) <= 0 || !inRange(key)) continue;
      if (this.statements.selectObject.get(key)) remaining--;
      if (value !== null) remaining++;
    }
    return { rows, remaining };
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

  /**
   * Fails when the database cannot be read, or when the disk (or `maxDatabaseBytes`) leaves less
   * room than a write of the largest object may need: writes then fail, or soon will.
   */
  async checkHealth(): Promise<void> {
    this.read('', () => this.statements.ping.get());
    const room = this.room();
    if (room < WRITE_RESERVE_BYTES) {
      throw new Error(
        `the embedded storage is full: ${Math.max(0, room)} bytes free, a write may need ${WRITE_RESERVE_BYTES}`,
      );
    }
  }

  /** Bytes a write can still use: the least of the disk's free space and the size limit's. */
  private room(): number {
    const disk = statfsSync(this.directory);
    let room = Number(disk.bavail) * Number(disk.bsize);
    if (this.maxDatabaseBytes !== undefined) {
      const pageSize = Number(this.db.pragma('page_size', { simple: true }));
      const pages = Number(this.db.pragma('page_count', { simple: true }));
      const free = Number(this.db.pragma('freelist_count', { simple: true }));
      room = Math.min(room, this.maxDatabaseBytes - (pages - free) * pageSize);
    }
    return room;
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
        return this.readEventsAfter(prefix, revision).map(toRecordedEvent);
      })
      .deferred();
  }

  /** The logged events under `prefix` after `revision`, oldest first (the caller checks compaction). */
  private readEventsAfter(prefix: string, revision: number): EventRow[] {
    const end = prefixRangeEnd(prefix);
    return this.statements
      .eventsAfter(end !== undefined)
      .all({ after: revision, lower: prefix, ...(end !== undefined ? { end } : {}) });
  }

  /**
   * Drops the events beyond the history size, then the oldest ones while the log holds more
   * than `historyBytes` (keeping the newest event); runs inside a write transaction.
   */
  private pruneHistory(revision: number): void {
    const compacted = this.readCounter('compacted_revision');
    let newestToDrop = Math.max(compacted, revision - this.historySize);
    let bytes = this.readCounter('history_bytes');
    if (newestToDrop > compacted) bytes -= this.statements.sizeBetween.get(compacted, newestToDrop) ?? 0;
    // Oldest first, a batch at a time: each write drops about as many bytes as it adds.
    while (bytes > this.historyBytes && newestToDrop < revision - 1) {
      const batch = this.statements.oldestSizes.all(newestToDrop, revision);
      if (batch.length === 0) break;
      for (const event of batch) {
        if (bytes <= this.historyBytes) break;
        bytes -= event.size;
        newestToDrop = event.revision;
      }
    }
    if (newestToDrop <= compacted) return;
    this.statements.deleteEventsThrough.run(newestToDrop);
    this.statements.setCounter.run(newestToDrop, 'compacted_revision');
    this.statements.setCounter.run(bytes, 'history_bytes');
  }

  private readCounter(name: 'revision' | 'compacted_revision' | 'history_bytes'): number {
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
    insertEvent: db.prepare<[number, string, string, string, string | null, number]>(
      'INSERT INTO events (revision, type, key, value, previous, size) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    deleteEventsThrough: db.prepare<[number]>('DELETE FROM events WHERE revision <= ?'),
    sizeBetween: db
      .prepare<[number, number], number>(
        'SELECT coalesce(sum(size), 0) FROM events WHERE revision > ? AND revision <= ?',
      )
      .pluck(),
    // The oldest events after the first argument, below the newest (the second): never the newest.
    oldestSizes: db.prepare<[number, number], EventSizeRow>(
      'SELECT revision, size FROM events WHERE revision > ? AND revision < ? ORDER BY revision LIMIT 256',
    ),
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

interface PageRows {
  readonly rows: KeyValueRow[];
  /** How many objects follow the page. */
  readonly remaining: number;
}

interface Page extends PageRows {
  readonly revision: number;
}

/** The revision a list asks to be read at, or undefined for the present (unset, "" or "0"). */
function listRevision(prefix: string, resourceVersion: string | undefined): number | undefined {
  if (resourceVersion === undefined || resourceVersion === '' || resourceVersion === '0') return undefined;
  const revision = parseResourceVersion(resourceVersion);
  if (revision === undefined)
    throw errors.badRequest(`invalid resource version "${resourceVersion}" for ${prefix}`);
  return revision;
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

/**
 * SQLite failures (disk full, I/O errors) become Unavailable; storage errors pass through. The
 * message reaches clients, so it names the failure by its code, not in SQLite's own words.
 */
function asStorageError(error: unknown, key: string): unknown {
  const code = sqliteCode(error);
  if (code === undefined) return error;
  const why = code === 'SQLITE_FULL' ? 'the disk is full' : `the database failed (${code})`;
  return new StorageError('Unavailable', key, `embedded storage: ${why}`);
}

/**
 * The SQLite result code of a better-sqlite3 error (SQLITE_FULL: the disk, or the size limit,
 * has no room). Matched by shape, not instanceof: the native addon keeps the error class of the
 * first copy of the module that loaded it, whose prototypes may even belong to another realm
 * (jest runs each test file in a context of its own), so neither its class nor Error matches.
 */
function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code } = error as { name?: unknown; code?: unknown };
  return name === 'SqliteError' && typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}
