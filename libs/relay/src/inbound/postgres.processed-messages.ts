import { createTablesOnce, openPostgresPool, pgError, quotedSchema } from '@hub/event-store';
import type { BeginResult, ProcessedMessages, ProcessedState } from './processed-messages';

export interface PostgresProcessedMessagesOptions {
  /** `postgres://user@host:port/database`; never logged or put in error messages. */
  readonly connectionString: string;
  /** The schema holding the `processed_message` table; created on first open. */
  readonly schema: string;
  readonly now?: () => string;
  /** Connections in the pool. Default 2: the consumer handles one message at a time per partition. */
  readonly poolSize?: number;
}

/** Begins whose row vanished between the failed insert and the read (pruned meanwhile) are tried again. */
const BEGIN_ATTEMPTS = 3;

/**
 * The processed message ids in a PostgreSQL schema, shared by every API instance's consumer. `begin` inserts the id
 * as pending with `ON CONFLICT DO NOTHING`: of two consumers beginning one id PostgreSQL lets one insert (`new`) and
 * makes the other wait for it and then count an attempt on its pending row (`unfinished`). Commits are durable
 * (synchronous_commit=on on every connection), as the SQLite adapter's synchronous=FULL. An unavailable server is a
 * StoreUnavailableError, so the consumer retries instead of dead-lettering.
 */
export async function openPostgresProcessedMessages(
  options: PostgresProcessedMessagesOptions,
): Promise<ProcessedMessages> {
  const now = options.now ?? (() => new Date().toISOString());
  const schema = quotedSchema(options.schema);
  const table = `${schema}.processed_message`;
  const pool = openPostgresPool({
    connectionString: options.connectionString,
    schema: options.schema,
    applicationName: 'ffb-hub processed messages',
    poolSize: options.poolSize ?? 2,
  });
  const what = `The processed message store in PostgreSQL schema ${options.schema}`;
  const run = async <T>(action: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      throw pgError(error, `${what} (${action})`);
    }
  };

  try {
    await run('open', () =>
      createTablesOnce(pool, options.schema, 'processed messages', async (client) => {
        await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
          topic text NOT NULL,
          message_id text NOT NULL,
          state text NOT NULL CHECK (state IN ('pending', 'done', 'dead')),
          code text,
          attempts integer NOT NULL,
          updated_at text NOT NULL,
          PRIMARY KEY (topic, message_id))`);
      }),
    );
  } catch (error) {
    await pool.end();
    throw error;
  }

  const beginOnce = async (topic: string, messageId: string): Promise<BeginResult | null> => {
    const inserted = await pool.query(
      `INSERT INTO ${table} (topic, message_id, state, attempts, updated_at) VALUES ($1, $2, 'pending', 1, $3)
       ON CONFLICT DO NOTHING`,
      [topic, messageId, now()],
    );
    if (inserted.rowCount === 1) return 'new';
    const again = await pool.query(
      `UPDATE ${table} SET attempts = attempts + 1, updated_at = $1
       WHERE topic = $2 AND message_id = $3 AND state = 'pending'`,
      [now(), topic, messageId],
    );
    if (again.rowCount === 1) return 'unfinished';
    const row = (
      await pool.query<{ state: ProcessedState }>(`SELECT state FROM ${table} WHERE topic = $1 AND message_id = $2`, [
        topic,
        messageId,
      ])
    ).rows[0];
    return row && row.state !== 'pending' ? row.state : null;
  };

  return {
    begin: (topic, messageId) =>
      run('begin', async () => {
        for (let attempt = 1; attempt <= BEGIN_ATTEMPTS; attempt++) {
          const result = await beginOnce(topic, messageId);
          if (result) return result;
        }
        // Seen, but its row keeps changing under us: handle it as possibly applied (the handler checks the store).
        return 'unfinished';
      }),
    finish: (topic, messageId, state, code) =>
      run('finish', async () => {
        await pool.query(
          `UPDATE ${table} SET state = $1, code = $2, updated_at = $3 WHERE topic = $4 AND message_id = $5`,
          [state, code, now(), topic, messageId],
        );
      }),
    prune: (olderThan) =>
      run('prune', async () => {
        const pruned = await pool.query(`DELETE FROM ${table} WHERE state != 'pending' AND updated_at < $1`, [
          olderThan,
        ]);
        return pruned.rowCount ?? 0;
      }),
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}
