import Database from 'better-sqlite3';
import { createTablesOnce, openPostgresPool, quotedSchema, StoreUnavailableError } from '@hub/event-store';

/** A driver error as the port's StoreUnavailableError; the message carries the driver's code, never the URL. */
function unavailable(error: unknown): StoreUnavailableError {
  const code = (error as { code?: unknown } | null)?.code;
  return new StoreUnavailableError(
    `the relay checkpoint in PostgreSQL is unavailable [${typeof code === 'string' ? code : 'no code'}]`,
    error,
  );
}

/** A worker's durable position in the store's global log. */
export interface CheckpointStore {
  /** The last position handled; 0 before the first. */
  load(): Promise<number>;
  /** The id of the event at that position, when it was recorded: lets the relay check it still follows the same log. */
  loadEventId?(): Promise<string | null>;
  /**
   * Moves the checkpoint to `position`. With `previous`, only from that position (compare-and-set): when another
   * worker moved it meanwhile (a paused former lease holder and its successor), CheckpointMovedError, nothing written.
   */
  save(position: number, eventId?: string, previous?: number): Promise<void>;
  close(): Promise<void>;
}

/** The checkpoint is no longer where this worker left it: another instance of the worker is running. */
export class CheckpointMovedError extends Error {
  constructor(
    readonly worker: string,
    readonly expected: number,
  ) {
    super(`checkpoint ${worker}: no longer at ${expected}; another instance moved it`);
    this.name = 'CheckpointMovedError';
  }
}

/**
 * Checkpoints in a small SQLite table, one row per worker name. synchronous=NORMAL: after a power loss the row may
 * be a little behind, which only re-sends messages consumers already dedupe; it never runs ahead of what was sent,
 * because a row is written only after the broker acknowledged the messages up to it.
 */
export function openSqliteCheckpointStore(options: { readonly file: string; readonly name: string }): CheckpointStore {
  const db = new Database(options.file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS checkpoint (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  )`);
  // Added later: files from before have no event_id column; they gain it, and the check starts with the next save.
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(checkpoint)').all();
  if (!columns.some((c) => c.name === 'event_id')) db.exec('ALTER TABLE checkpoint ADD COLUMN event_id TEXT');
  const read = db.prepare<[string], number>('SELECT position FROM checkpoint WHERE name = ?').pluck();
  const readEventId = db.prepare<[string], string | null>('SELECT event_id FROM checkpoint WHERE name = ?').pluck();
  const write = db.prepare<[string, number, string | null, string]>(
    `INSERT INTO checkpoint (name, position, event_id, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET position = excluded.position, event_id = excluded.event_id, updated_at = excluded.updated_at`,
  );
  const load = (): number => read.get(options.name) ?? 0;
  const save = db.transaction((position: number, eventId: string | null, previous: number | undefined) => {
    if (previous !== undefined && load() !== previous) throw new CheckpointMovedError(options.name, previous);
    write.run(options.name, position, eventId, new Date().toISOString());
  });
  return {
    load: async () => load(),
    loadEventId: async () => readEventId.get(options.name) ?? null,
    save: async (position, eventId, previous) => {
      save.immediate(position, eventId ?? null, previous);
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
}

/**
 * Checkpoints in PostgreSQL (production, several instances): the same row per worker name. A compare-and-set save
 * locks the row, so of two instances saving from the same position one wins and the other gets CheckpointMovedError.
 */
export async function openPostgresCheckpointStore(options: {
  readonly connectionString: string;
  readonly schema?: string;
  readonly name: string;
  /** How long a connect or a statement may take. Default 5000 ms. */
  readonly timeoutMs?: number;
}): Promise<CheckpointStore> {
  const schema = options.schema ?? 'hub_relay';
  const table = `${quotedSchema(schema)}.checkpoint`;
  const timeoutMs = options.timeoutMs ?? 5000;
  const pool = openPostgresPool({
    connectionString: options.connectionString,
    schema,
    applicationName: 'ffb-hub relay checkpoint',
    poolSize: 2,
    connectTimeoutMs: timeoutMs,
    queryTimeoutMs: timeoutMs,
  });
  try {
    await createTablesOnce(pool, schema, 'relay checkpoint', async (client) => {
      await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
        name text PRIMARY KEY,
        position bigint NOT NULL,
        event_id text,
        updated_at timestamptz NOT NULL
      )`);
    });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw unavailable(error);
  }
  // Every driver error is the store being unavailable to the relay, which waits and retries on that (relay.ts).
  const query = <R extends object>(text: string, values: unknown[]) =>
    pool.query<R>(text, values).catch((error: unknown) => {
      throw unavailable(error);
    });
  const row = async () =>
    (
      await query<{ position: string; event_id: string | null }>(
        `SELECT position, event_id FROM ${table} WHERE name = $1`,
        [options.name],
      )
    ).rows[0];
  return {
    load: async () => Number((await row())?.position ?? 0),
    loadEventId: async () => (await row())?.event_id ?? null,
    save: async (position, eventId, previous) => {
      if (previous === undefined) {
        await query(
          `INSERT INTO ${table} (name, position, event_id, updated_at) VALUES ($1, $2, $3, now())
           ON CONFLICT (name) DO UPDATE SET position = excluded.position, event_id = excluded.event_id,
             updated_at = excluded.updated_at`,
          [options.name, position, eventId ?? null],
        );
        return;
      }
      // From `previous` only: no row counts as position 0, so only a save from 0 may insert it.
      const { rowCount } =
        previous === 0
          ? await query(
              `INSERT INTO ${table} AS c (name, position, event_id, updated_at) VALUES ($1, $2, $3, now())
               ON CONFLICT (name) DO UPDATE SET position = excluded.position, event_id = excluded.event_id,
                 updated_at = excluded.updated_at
               WHERE c.position = 0`,
              [options.name, position, eventId ?? null],
            )
          : await query(
              `UPDATE ${table} SET position = $2, event_id = $3, updated_at = now() WHERE name = $1 AND position = $4`,
              [options.name, position, eventId ?? null, previous],
            );
      if (rowCount !== 1) throw new CheckpointMovedError(options.name, previous);
    },
    close: () => pool.end(),
  };
}
