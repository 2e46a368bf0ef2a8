import Database from 'better-sqlite3';
import { OpenSubscriptions } from '../open-subscriptions';
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { DuplicateEventIdError, StoreUnavailableError, WrongExpectedRevisionError } from '../errors';
import type {
  AppendResult,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port';
import { NO_STREAM_REVISION } from '../event-store.port';
import { DEFAULT_POLL_INTERVAL_MS, startPollingSubscription } from '../polling-subscription';
import { validateAppend, type ValidatedEvent } from '../validate-append';
import { driverCode, driverMessageOf, toStoreError } from './sqlite-errors';

export interface SqliteEventStoreOptions {
  /** Path of the database file; created with its schema when missing. Several processes may open the same file. */
  readonly file: string;
  /**
   * FULL (default): WAL is synced on every commit, so an acknowledged append survives power loss, at the cost of
   * one fsync per append. NORMAL syncs only at checkpoints: several times faster for small appends and still
   * consistent after a crash, but the last appends acknowledged before a power loss (not a process crash) may be
   * gone, which would break the promise that an acknowledged command happened.
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** How often a caught-up subscription looks for appends made by other processes. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** How long a writer waits for another connection's write lock before giving up. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** The clock for `recordedAt`. Default: the real clock. */
  readonly now?: () => Date;
}

/** Bumped with every migration; a file written by a newer adapter is refused rather than misread. */
export const SQLITE_SCHEMA_VERSION = 1;

// `position` is the rowid: SQLite assigns max(rowid) + 1 and rows are never deleted, so positions are 1-based and
// gap-free (a rolled-back append leaves no trace). Only one writer holds the lock at a time, so positions also follow
// commit order, which subscriptions rely on: a reader never sees position n + 1 before position n.
/** The events table of schema version 1 (also what the benchmark's raw-SQLite baseline writes into). */
export const EVENTS_TABLE_V1 = `CREATE TABLE events (
  position INTEGER PRIMARY KEY,
  stream_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  UNIQUE (stream_id, revision)
)`;

const MIGRATIONS: readonly string[] = [EVENTS_TABLE_V1];

interface EventRow {
  readonly position: number;
  readonly stream_id: string;
  readonly revision: number;
  readonly event_id: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  readonly recorded_at: string;
}

interface StoredIdRow {
  readonly event_id: string;
  readonly stream_id: string;
  readonly revision: number;
  readonly position: number;
}

const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at';

// Wakes caught-up subscriptions of every store in this process that has the same file open. It carries no events.
const appendNotifier = new EventEmitter();
appendNotifier.setMaxListeners(0);

/** Opens (and creates or migrates) an event store in a SQLite file. Throws StoreUnavailableError when it cannot. */
export function openSqliteEventStore(options: SqliteEventStoreOptions): EventStore {
  const file = options.file;
  const now = options.now ?? (() => new Date());
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const notifyKey = file === ':memory:' ? Symbol(file) : resolve(file);
  const db = openDatabase(options);

  const statements = {
    currentRevision: db
      .prepare<[string], number | null>('SELECT max(revision) FROM events WHERE stream_id = ?')
      .pluck(),
    insert: db.prepare<[string, number, string, string, string, string, string]>(
      'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    storedIds: db.prepare<[string], StoredIdRow>(
      'SELECT event_id, stream_id, revision, position FROM events WHERE event_id IN (SELECT value FROM json_each(?))',
    ),
    readStream: db.prepare<[string, number], EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision`,
    ),
    readAll: db.prepare<[number, number], EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`,
    ),
    head: db.prepare<[], number>('SELECT coalesce(max(position), 0) FROM events').pluck(),
  };

  /** The result of the original write when every id is stored in this stream, in order and contiguous. */
  const findDuplicate = (streamId: string, events: readonly ValidatedEvent[]): AppendResult | null => {
    const rows = statements.storedIds.all(JSON.stringify(events.map((event) => event.eventId)));
    if (rows.length === 0) return null;
    const byId = new Map(rows.map((row) => [row.event_id, row]));
    const first = byId.get(events[0]?.eventId ?? '');
    const sameWrite =
      rows.length === events.length &&
      first !== undefined &&
      events.every((event, index) => {
        const row = byId.get(event.eventId);
        return row !== undefined && row.stream_id === streamId && row.revision === first.revision + index;
      });
    if (!sameWrite) {
      const clash = events.find((event) => byId.has(event.eventId)) ?? events[0];
      throw new DuplicateEventIdError(streamId, clash?.eventId ?? '');
    }
    const last = byId.get(events[events.length - 1]?.eventId ?? '') as StoredIdRow;
    return { nextRevision: last.revision, lastPosition: last.position, duplicate: true };
  };

  const append = db.transaction(
    (streamId: string, events: readonly ValidatedEvent[], expected: ExpectedRevision): AppendResult => {
      const current = statements.currentRevision.get(streamId) ?? NO_STREAM_REVISION;
      if (!revisionMatches(expected, current)) {
        // Idempotency wins over the revision check: a retry usually carries a revision the original write made stale.
        const duplicate = findDuplicate(streamId, events);
        if (duplicate) return duplicate;
        throw new WrongExpectedRevisionError(streamId, String(expected), current);
      }
      const recordedAt = now().toISOString();
      let revision = current;
      let position = 0;
      for (const event of events) {
        revision += 1;
        const result = statements.insert.run(
          streamId,
          revision,
          event.eventId,
          event.type,
          event.dataJson,
          event.metadataJson,
          recordedAt,
        );
        position = Number(result.lastInsertRowid);
      }
      return { nextRevision: revision, lastPosition: position, duplicate: false };
    },
  );

  let closed = false;
  let closing: Promise<void> | undefined;
  const subscriptions = new OpenSubscriptions();

  const guard = <T>(action: string, work: () => T): T => {
    if (closed) throw new StoreUnavailableError(`Event store at ${file} is closed (${action})`);
    try {
      return work();
    } catch (error) {
      throw toStoreError(error, file, action);
    }
  };

  const readAllRows = (after: number, maxCount: number): RecordedEvent[] =>
    guard('readAll', () => statements.readAll.all(after, maxCount).map(toRecordedEvent));

  return {
    async appendToStream(streamId, events, { expectedRevision }) {
      const validated = validateAppend(streamId, events, expectedRevision);
      const result = guard('append', () => {
        try {
          // The happy path runs no idempotency query: the UNIQUE index on event_id catches a stored id, the
          // transaction rolls back and the duplicate is classified below. Stored events never change, so reading
          // them after the rollback gives the same answer as inside the transaction.
          return append.immediate(streamId, validated, expectedRevision);
        } catch (error) {
          if (isEventIdConflict(error)) {
            const duplicate = findDuplicate(streamId, validated);
            if (duplicate) return duplicate;
            throw new DuplicateEventIdError(streamId, validated[0]?.eventId ?? '');
          }
          throw error;
        }
      });
      if (!result.duplicate) appendNotifier.emit(notifyKey);
      return result;
    },

    async readStream(streamId, readOptions) {
      const fromRevision = readOptions?.fromRevision ?? 0;
      assertNonNegativeInteger('fromRevision', fromRevision);
      return guard('readStream', () => statements.readStream.all(streamId, fromRevision).map(toRecordedEvent));
    },

    async readAll(readOptions?: ReadAllOptions) {
      const after = readOptions?.after ?? 0;
      const maxCount = readOptions?.maxCount ?? -1;
      assertNonNegativeInteger('after', after);
      if (readOptions?.maxCount !== undefined) assertNonNegativeInteger('maxCount', maxCount);
      return readAllRows(after, maxCount);
    },

    async headPosition() {
      return guard('headPosition', () => statements.head.get() ?? 0);
    },

    subscribeToAll(subscribeOptions: SubscribeOptions): Subscription {
      if (closed) throw new StoreUnavailableError(`Event store at ${file} is closed (subscribeToAll)`);
      const subscription = startPollingSubscription({
        ...subscribeOptions,
        pollIntervalMs,
        readBatch: readAllRows,
        onWake: (listener) => {
          appendNotifier.on(notifyKey, listener);
          return () => appendNotifier.off(notifyKey, listener);
        },
      });
      return subscriptions.track(subscription);
    },

    close() {
      closing ??= (async () => {
        closed = true;
        // Each stop() waits for its handler's batch in flight; a handler must therefore not await close() itself.
        await subscriptions.stopAll();
        db.close();
      })();
      return closing;
    },
  };
}

function openDatabase(options: SqliteEventStoreOptions): Database.Database {
  const { file } = options;
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  let db: Database.Database | undefined;
  try {
    const connection = new Database(file, { timeout: busyTimeoutMs });
    db = connection;
    // Switching a new file to WAL fails at once with SQLITE_BUSY while another process does the same (SQLite does
    // not call the busy handler there), so opening retries on its own. Every step is idempotent.
    retryWhileBusy(busyTimeoutMs, () => {
      const mode = connection.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal' && file !== ':memory:') {
        throw new StoreUnavailableError(`Event store at ${file} could not switch to WAL (journal_mode is ${mode})`);
      }
      connection.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      migrate(connection, file);
    });
    return connection;
  } catch (error) {
    db?.close();
    throw toStoreError(error, file, 'open');
  }
}

/** Runs `work` again after a short synchronous back-off while it fails with SQLITE_BUSY, until the timeout. */
function retryWhileBusy(timeoutMs: number, work: () => void): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      work();
      return;
    } catch (error) {
      if (!driverCode(error)?.startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw error;
      // Opening is synchronous, so the back-off is too; it only happens while several processes open one file.
      Atomics.wait(pause, 0, 0, Math.min(100, 2 ** attempt));
    }
  }
}

function migrate(db: Database.Database, file: string): void {
  const readVersion = (): number => db.pragma('user_version', { simple: true }) as number;
  const check = (version: number): void => {
    if (version > SQLITE_SCHEMA_VERSION) {
      throw new StoreUnavailableError(
        `Event store at ${file} has schema version ${version}, newer than this adapter's ${SQLITE_SCHEMA_VERSION}`,
      );
    }
  };
  const found = readVersion();
  check(found);
  if (found === SQLITE_SCHEMA_VERSION) return;
  // Under the write lock, so two processes opening a new file at once migrate it once.
  db.transaction(() => {
    const version = readVersion();
    check(version);
    for (let next = version; next < SQLITE_SCHEMA_VERSION; next++) db.exec(MIGRATIONS[next] as string);
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
  }).immediate();
}

function revisionMatches(expected: ExpectedRevision, current: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === NO_STREAM_REVISION;
    case 'stream_exists':
      return current !== NO_STREAM_REVISION;
    default:
      return expected === current;
  }
}

function isEventIdConflict(error: unknown): boolean {
  return driverCode(error) === 'SQLITE_CONSTRAINT_UNIQUE' && driverMessageOf(error).includes('events.event_id');
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as EventMetadata,
    streamId: row.stream_id,
    revision: row.revision,
    position: row.position,
    recordedAt: row.recorded_at,
  };
}

function assertNonNegativeInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be an integer >= 0, got ${value}`);
}
