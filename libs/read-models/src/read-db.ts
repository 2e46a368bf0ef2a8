import { survivePostgresErrors } from '@hub/event-store';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Pool } from 'pg';

/**
 * The read store port: a Kysely instance (one query builder for both engines, no SQL strings built by hand) plus
 * what differs between them. SQLite is the embedded default, in a file beside the event log; PostgreSQL is the
 * production read store. Read models are rebuildable from the log, so SQLite runs with synchronous=NORMAL: a power
 * loss can only roll a read model and its checkpoint back together, and the runner replays from there.
 */
export interface ReadDb {
  readonly kind: 'sqlite' | 'postgres';
  // Tables are created per generation at run time, so the schema is not a static type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  close(): Promise<void>;
}

export function openSqliteReadDb(file: string): ReadDb {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('cache_size = -65536');
  const db = new Kysely({ dialect: new SqliteDialect({ database }) });
  return { kind: 'sqlite', db, close: () => db.destroy() };
}

/** `schema` keeps a test's or a tenant's tables apart inside one database. */
export async function openPostgresReadDb(url: string, schema = 'public'): Promise<ReadDb> {
  const pool = new Pool({
    connectionString: url,
    max: 4,
    options: `-c search_path=${schema}`,
    application_name: 'ffb-hub read models',
    connectionTimeoutMillis: 5000,
    keepAlive: true,
  });
  // A connection the server ends, idle in the pool or checked out by a transaction, must not end the process.
  survivePostgresErrors(pool);
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return { kind: 'postgres', db, close: () => db.destroy() };
}

/** SQLite binds at most 32,766 variables per statement; stay well below for any engine. */
export function chunks<T>(items: readonly T[], columnsPerRow: number, maxVariables = 30_000): T[][] {
  const size = Math.max(1, Math.floor(maxVariables / Math.max(1, columnsPerRow)));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
