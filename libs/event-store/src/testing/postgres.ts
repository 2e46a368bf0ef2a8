import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The test server of these machines (env-notes.md); HUB_PG_URL overrides it. */
export const PG_URL = process.env['HUB_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Fails with a clear message when no PostgreSQL answers: the production stores are tested against the real
 * server, never skipped.
 */
export async function requirePostgres(): Promise<void> {
  const client = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is needed for these tests at ${PG_URL} (user postgres, trust auth) and did not answer: ${(error as Error).message}. ` +
        'Install and start it (Debian: apt-get install -y postgresql && pg_ctlcluster 15 main start), or set HUB_PG_URL.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh schema per test keeps tests apart; dropped afterwards. */
export const freshSchema = (): string => `test_${randomBytes(6).toString('hex')}`;

export async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
