import { StoreUnavailableError } from './errors';
import { Pool, type PoolClient } from 'pg';

/** Where a store keeps its rows: a SQLite file (the embedded default) or a schema on a shared PostgreSQL server. */
export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly schema: string };

export interface PostgresPoolOptions {
  /** `postgres://user@host:port/database`; never logged or put in error messages. */
  readonly connectionString: string;
  /** The schema holding the store's tables; created on first open. */
  readonly schema: string;
  /** Shown in pg_stat_activity. */
  readonly applicationName: string;
  /** Connections in the pool. Default 4. */
  readonly poolSize?: number;
  /** How long a connect or a query may take before it fails (and a statement, server-side). Default 5 s and 30 s. */
  readonly connectTimeoutMs?: number;
  readonly queryTimeoutMs?: number;
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** `"schema"`, after checking the name is a plain identifier (it is put into SQL text). */
export function quotedSchema(schema: string): string {
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new Error(`PostgreSQL schema ${JSON.stringify(schema)} must match ${SCHEMA_PATTERN.source}`);
  }
  return `"${schema}"`;
}

/**
 * A pool whose every connection commits durably (synchronous_commit=on, whatever the server's default): a record
 * these stores answer for must not vanish in a crash while the events it reports stay.
 */
export function openPostgresPool(options: PostgresPoolOptions): Pool {
  const pool = new Pool({
    connectionString: options.connectionString,
    application_name: options.applicationName,
    max: options.poolSize ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    query_timeout: options.queryTimeoutMs ?? 30_000,
    statement_timeout: options.queryTimeoutMs ?? 30_000,
    keepAlive: true,
    options: '-c synchronous_commit=on',
  });
  survivePostgresErrors(pool);
  return pool;
}

/**
 * A connection the server ends (restart, crash, pg_terminate_backend) emits 'error': on the pool while it is idle
 * there, on its client while checked out between queries (a transaction's JavaScript between two statements). With no
 * listener either would end the process. The query in flight, if any, rejects on its own; the pool drops the dead
 * connection and opens a new one on the next request.
 */
export function survivePostgresErrors(pool: Pool): void {
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
}

/**
 * Runs `ddl` (CREATE … IF NOT EXISTS) under a transaction-scoped advisory lock per schema and store: two processes
 * opening the same store for the first time at once would otherwise race on the catalog and one would fail.
 */
export async function createTablesOnce(
  pool: Pool,
  schema: string,
  store: string,
  ddl: (client: PoolClient) => Promise<void>,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`ffb-hub ${store} ${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quotedSchema(schema)}`);
    await ddl(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Socket codes and SQLSTATEs that mean the server cannot be used right now, not that the statement is wrong. */
const UNAVAILABLE_CODES =
  /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|08...|53...|57P0[123]|25006)$/;
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Query read timeout|Client was closed|Cannot use a pool after calling end/i;

/**
 * The error a store raises for a driver error: StoreUnavailableError when PostgreSQL cannot be used right now, so the
 * HTTP edge answers 503 and the Kafka consumer, the relay and the rules retry (as for a busy SQLite file); any other
 * error unchanged. The message names the store and schema, never the connection string or a value.
 */
export function pgError(error: unknown, what: string): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if ((typeof code === 'string' && UNAVAILABLE_CODES.test(code)) || UNAVAILABLE_MESSAGES.test(message)) {
    return new StoreUnavailableError(`${what} is unavailable [${typeof code === 'string' ? code : 'no code'}]`, error);
  }
  return error;
}
