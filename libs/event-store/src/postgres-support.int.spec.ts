import { Client } from 'pg';
import { openPostgresPool } from './postgres-support';
import { openPostgresReadDb } from '@hub/read-models';
import { dropSchema, freshSchema, PG_URL, requirePostgres } from './testing/postgres';

/** Ends a backend from another connection, as a server restart or a crash would. */
async function terminate(pid: number): Promise<void> {
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('PostgreSQL pools survive a server that ends their connections', () => {
  beforeAll(() => requirePostgres());

  // Found by the reliability campaign: PostgreSQL stopped under load ended the hub with an unhandled 'error' event
  // from a client that was checked out between two statements of a transaction.
  it('keeps the process alive when a checked-out connection is ended between queries, and serves the next query', async () => {
    const schema = await freshSchema();
    const pool = openPostgresPool({ connectionString: PG_URL, schema, applicationName: 'survive test' });
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      const client = await pool.connect();
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid as number;
      await terminate(pid);
      await settle();
      await expect(client.query('SELECT 1')).rejects.toThrow();
      client.release(true);
      expect(uncaught).toEqual([]);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
    } finally {
      process.off('uncaughtException', record);
      await pool.end();
      await dropSchema(schema);
    }
  });

  it('does the same for the read models’ pool (a transaction of the projector)', async () => {
    const schema = await freshSchema();
    const readDb = await openPostgresReadDb(PG_URL, schema);
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      await expect(
        readDb.db.transaction().execute(async (tx) => {
          const { rows } = await tx.executeQuery<{ pid: number }>({
            sql: 'SELECT pg_backend_pid() AS pid',
            parameters: [],
            query: { kind: 'RawNode' } as never,
            queryId: { queryId: 'pid' },
          } as never);
          await terminate(rows[0]?.pid as number);
          await settle();
        }),
      ).rejects.toThrow();
      expect(uncaught).toEqual([]);
      const { rows } = await readDb.db.executeQuery<{ one: number }>({
        sql: 'SELECT 1 AS one',
        parameters: [],
        query: { kind: 'RawNode' } as never,
        queryId: { queryId: 'one' },
      } as never);
      expect(rows[0]?.one).toBe(1);
    } finally {
      process.off('uncaughtException', record);
      await readDb.close();
      await dropSchema(schema);
    }
  });
});
