import { createTablesOnce, openPostgresPool, pgError, quotedSchema } from '@hub/event-store';
import { AUDIT_COLUMNS, checkEntry, fromRow, toRow, type AuditLog, type AuditRow } from './audit-log';

export interface PostgresAuditLogOptions {
  /** `postgres://user@host:port/database`; never logged or put in error messages. */
  readonly connectionString: string;
  /** The schema holding the `audit` table; created on first open. */
  readonly schema: string;
  readonly poolSize?: number;
}

/**
 * The audit log in a PostgreSQL schema shared by every API instance. A batch is one `INSERT … SELECT FROM unnest(…)`
 * (one statement whatever the number of entries), committed with synchronous_commit=on.
 */
export async function openPostgresAuditLog(options: PostgresAuditLogOptions): Promise<AuditLog> {
  const table = `${quotedSchema(options.schema)}.audit`;
  const pool = openPostgresPool({
    connectionString: options.connectionString,
    schema: options.schema,
    applicationName: 'ffb-hub audit',
    ...(options.poolSize ? { poolSize: options.poolSize } : {}),
  });
  const run = async <T>(action: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      throw pgError(error, `The audit log in PostgreSQL schema ${options.schema} (${action})`);
    }
  };
  try {
    await run('open', () =>
      createTablesOnce(pool, options.schema, 'audit', async (client) => {
        // `at` is kept as the ISO text the entry carries (millisecond UTC), so it reads back byte-equal and sorts.
        await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          at text NOT NULL, party text NOT NULL, subject text NOT NULL, kommunekode text, tilbud_id text,
          borger_id text NOT NULL, action text NOT NULL, channel text NOT NULL, purpose text NOT NULL,
          correlation_id text NOT NULL)`);
        await client.query(`CREATE INDEX IF NOT EXISTS audit_borger ON ${table} (borger_id, at, seq)`);
        await client.query(`CREATE INDEX IF NOT EXISTS audit_at ON ${table} (at)`);
      }),
    );
  } catch (error) {
    await pool.end();
    throw error;
  }
  const columns = AUDIT_COLUMNS.join(', ');
  const unnest = AUDIT_COLUMNS.map((_, i) => `$${i + 1}::text[]`).join(', ');
  return {
    async append(entries) {
      if (entries.length === 0) return;
      entries.forEach(checkEntry);
      const rows = entries.map(toRow);
      await run('append', async () => {
        await pool.query(
          `INSERT INTO ${table} (${columns})
           SELECT ${columns} FROM unnest(${unnest}) WITH ORDINALITY AS u(${columns}, n) ORDER BY n`,
          AUDIT_COLUMNS.map((c) => rows.map((r: AuditRow) => r[c])),
        );
      });
    },
    forBorger: (borgerId) =>
      run('forBorger', async () => {
        const { rows } = await pool.query<AuditRow>(
          `SELECT ${columns} FROM ${table} WHERE borger_id = $1 ORDER BY at, seq`,
          [borgerId],
        );
        return rows.map(fromRow);
      }),
    purge: (olderThan) =>
      run(
        'purge',
        async () => (await pool.query(`DELETE FROM ${table} WHERE at < $1`, [olderThan.toISOString()])).rowCount ?? 0,
      ),
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}
