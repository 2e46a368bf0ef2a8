import { createTablesOnce, openPostgresPool, pgError, quotedSchema } from '@hub/event-store';
import {
  IDEMPOTENCY_DEFAULTS,
  type IdempotencyOptions,
  type IdempotencyStart,
  type IdempotencyStore,
} from './idempotency.store';

export interface PostgresIdempotencyOptions extends IdempotencyOptions {
  /** `postgres://user@host:port/database`; never logged or put in error messages. */
  readonly connectionString: string;
  /** The schema holding the `idempotency` table; created on first open. */
  readonly schema: string;
  /** Connections in the pool. Default 4. */
  readonly poolSize?: number;
}

interface Row {
  readonly request_hash: string;
  readonly status: number | null;
  readonly body: string | null;
  readonly headers: string | null;
  /** bigint: pg returns it as text. */
  readonly created_at: string;
}

/** Claims whose row vanished between the failed insert and the read (given back, or purged) are tried again. */
const CLAIM_ATTEMPTS = 3;

/**
 * The idempotency store in a PostgreSQL schema, shared by every API instance. A claim is `INSERT … ON CONFLICT DO
 * NOTHING` on the (scope, key) primary key: of two concurrent claims PostgreSQL lets one insert and makes the other
 * wait for it and find its row. A stale claim is taken over by a compare-and-set on its created_at.
 */
export async function openPostgresIdempotencyStore(options: PostgresIdempotencyOptions): Promise<IdempotencyStore> {
  const clock = options.clock ?? Date.now;
  const retentionMs = options.retentionMs ?? IDEMPOTENCY_DEFAULTS.retentionMs;
  const staleClaimMs = options.staleClaimMs ?? IDEMPOTENCY_DEFAULTS.staleClaimMs;
  const table = `${quotedSchema(options.schema)}.idempotency`;
  const pool = openPostgresPool({
    connectionString: options.connectionString,
    schema: options.schema,
    applicationName: 'ffb-hub idempotency',
    ...(options.poolSize ? { poolSize: options.poolSize } : {}),
  });
  const run = async <T>(action: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      throw pgError(error, `The idempotency store in PostgreSQL schema ${options.schema} (${action})`);
    }
  };
  const purge = () => pool.query(`DELETE FROM ${table} WHERE created_at < $1`, [clock() - retentionMs]);

  try {
    await run('open', () =>
      createTablesOnce(pool, options.schema, 'idempotency', async (client) => {
        await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
          scope text NOT NULL, key text NOT NULL, request_hash text NOT NULL,
          status integer, body text, headers text, created_at bigint NOT NULL,
          PRIMARY KEY (scope, key))`);
        await client.query(`CREATE INDEX IF NOT EXISTS idempotency_created ON ${table} (created_at)`);
      }),
    );
    await run('purge', purge);
  } catch (error) {
    await pool.end();
    throw error;
  }
  // Every instance purges; the deletes are idempotent. A failed purge is tried again at the next tick.
  const purgeTimer = setInterval(() => {
    if (!pool.ended) purge().catch(() => undefined);
  }, IDEMPOTENCY_DEFAULTS.purgeEveryMs).unref();

  const claimOnce = async (scope: string, key: string, requestHash: string): Promise<IdempotencyStart | null> => {
    const now = clock();
    const claimed = await pool.query(
      `INSERT INTO ${table} (scope, key, request_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [scope, key, requestHash, now],
    );
    if (claimed.rowCount === 1) return { kind: 'new' };
    const row = (
      await pool.query<Row>(
        `SELECT request_hash, status, body, headers, created_at FROM ${table} WHERE scope = $1 AND key = $2`,
        [scope, key],
      )
    ).rows[0];
    if (!row) return null;
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.status === null) {
      if (now - Number(row.created_at) > staleClaimMs) {
        const taken = await pool.query(
          `UPDATE ${table} SET created_at = $1 WHERE scope = $2 AND key = $3 AND status IS NULL AND created_at = $4`,
          [now, scope, key, row.created_at],
        );
        if (taken.rowCount === 1) return { kind: 'new' };
      }
      return { kind: 'in_progress' };
    }
    return {
      kind: 'replay',
      response: {
        status: row.status,
        body: row.body ?? '',
        headers: JSON.parse(row.headers ?? '{}') as Record<string, string>,
      },
    };
  };

  return {
    begin: (scope, key, requestHash) =>
      run('begin', async () => {
        for (let attempt = 1; attempt < CLAIM_ATTEMPTS; attempt++) {
          const start = await claimOnce(scope, key, requestHash);
          if (start) return start;
        }
        return (await claimOnce(scope, key, requestHash)) ?? { kind: 'in_progress' };
      }),
    finish: (scope, key, response) =>
      run('finish', async () => {
        await pool.query(`UPDATE ${table} SET status = $1, body = $2, headers = $3 WHERE scope = $4 AND key = $5`, [
          response.status,
          response.body,
          JSON.stringify(response.headers),
          scope,
          key,
        ]);
      }),
    abandon: (scope, key) =>
      run('abandon', async () => {
        await pool.query(`DELETE FROM ${table} WHERE scope = $1 AND key = $2 AND status IS NULL`, [scope, key]);
      }),
    async close() {
      clearInterval(purgeTimer);
      if (!pool.ended) await pool.end();
    },
  };
}
