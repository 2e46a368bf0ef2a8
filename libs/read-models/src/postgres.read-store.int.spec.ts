import { sql } from 'kysely';
import { Client } from 'pg';
import { openPostgresReadDb } from './read-db';
import { dropSchema, freshSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import { describeReadStoreContract } from './testing/read-store.contract';

beforeAll(requirePostgres);

describeReadStoreContract(
  'PostgreSQL',
  async () => {
    const schema = freshSchema();
    const readDb = await openPostgresReadDb(PG_URL, schema);
    return { readDb, cleanup: async () => (await readDb.close(), await dropSchema(schema)) };
  },
  { runs: 12 },
);

describe('the PostgreSQL read store', () => {
  it('survives the server ending its idle connections, and the next query connects anew', async () => {
    const schema = freshSchema();
    const readDb = await openPostgresReadDb(PG_URL, schema);
    const admin = new Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      await sql`select 1`.execute(readDb.db);
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE application_name = 'ffb-hub read models' AND pid <> pg_backend_pid()`,
      );
      expect(rows[0]?.n).toBeGreaterThan(0);
      // The pool's idle clients see the termination as an 'error' event; the process must not end on it.
      await new Promise((r) => setTimeout(r, 300));
      const { rows: again } = await sql<{ ok: number }>`select 1 as ok`.execute(readDb.db);
      expect(again).toEqual([{ ok: 1 }]);
    } finally {
      await admin.end();
      await readDb.close();
      await dropSchema(schema);
    }
  });
});
