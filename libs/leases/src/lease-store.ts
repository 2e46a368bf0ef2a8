import Database from 'better-sqlite3';
import { createTablesOnce, openPostgresPool, quotedSchema } from '@hub/event-store';

/**
 * Leases for single-active workers (design.md §1, docs/adr/0011). A lease has a name (the worker role), a holder (the
 * instance), a fencing token that rises each time the lease changes hands, and an expiry kept by the store's clock,
 * so instances with skewed clocks still agree on who holds it.
 */
export interface LeaseGrant {
  readonly token: number;
}

export interface LeaseInfo {
  readonly holder: string;
  readonly token: number;
  readonly expiresAt: string;
  readonly acquiredAt: string;
}

export interface LeaseStore {
  /**
   * Takes the lease when it is free or expired, or renews it when `holder` has it, for `ttlMs` from the store's now.
   * Null when another holder has an unexpired lease. The token stays the same across renewals and rises when the
   * lease changes hands or lapsed.
   */
  acquire(name: string, holder: string, ttlMs: number): Promise<LeaseGrant | null>;
  /** Gives the lease up at once (a clean shutdown), so a standby need not wait for it to expire. */
  release(name: string, holder: string): Promise<void>;
  current(name: string): Promise<LeaseInfo | null>;
  close(): Promise<void>;
}

/**
 * The embedded default: a table in a SQLite file beside the event log (several processes on one machine sharing a
 * data directory). The clock is the machine's, which every process on it shares.
 */
export function openSqliteLeaseStore(options: { readonly file: string; readonly now?: () => number }): LeaseStore {
  const now = options.now ?? Date.now;
  const db = new Database(options.file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE IF NOT EXISTS lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    token INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    acquired_at INTEGER NOT NULL
  )`);
  const take = db.prepare<[{ name: string; holder: string; now: number; ttl: number }]>(
    `INSERT INTO lease (name, holder, token, expires_at, acquired_at) VALUES (@name, @holder, 1, @now + @ttl, @now)
     ON CONFLICT (name) DO UPDATE SET
       token = CASE WHEN lease.holder = excluded.holder AND lease.expires_at > @now
                    THEN lease.token ELSE lease.token + 1 END,
       acquired_at = CASE WHEN lease.holder = excluded.holder AND lease.expires_at > @now
                    THEN lease.acquired_at ELSE @now END,
       holder = excluded.holder,
       expires_at = excluded.expires_at
     WHERE lease.holder = excluded.holder OR lease.expires_at <= @now
     RETURNING token`,
  );
  const give = db.prepare<[{ name: string; holder: string; now: number }]>(
    'UPDATE lease SET expires_at = @now WHERE name = @name AND holder = @holder',
  );
  const read = db.prepare<[string], { holder: string; token: number; expires_at: number; acquired_at: number }>(
    'SELECT holder, token, expires_at, acquired_at FROM lease WHERE name = ?',
  );
  return {
    acquire: async (name, holder, ttlMs) => {
      const row = take.get({ name, holder, now: now(), ttl: ttlMs }) as { token: number } | undefined;
      return row ? { token: row.token } : null;
    },
    release: async (name, holder) => {
      give.run({ name, holder, now: now() });
    },
    current: async (name) => {
      const row = read.get(name);
      return row
        ? {
            holder: row.holder,
            token: row.token,
            expiresAt: new Date(row.expires_at).toISOString(),
            acquiredAt: new Date(row.acquired_at).toISOString(),
          }
        : null;
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
}

/** Production: a table in PostgreSQL; expiry by the server's clock (`clock_timestamp()`), never the instances'. */
export async function openPostgresLeaseStore(options: {
  readonly connectionString: string;
  readonly schema?: string;
  /** How long a connect or a statement may take; keep it well under the leases' TTL. Default 3000 ms. */
  readonly timeoutMs?: number;
}): Promise<LeaseStore> {
  const schema = options.schema ?? 'hub_leases';
  const timeoutMs = options.timeoutMs ?? 3000;
  // A partition must end a request, not hang it: connect, query and server-side statement timeouts, and TCP
  // keepalive so a dead peer is noticed (SingleActive also gives up on an answer that comes too late).
  const pool = openPostgresPool({
    connectionString: options.connectionString,
    schema,
    applicationName: 'ffb-hub leases',
    poolSize: 2,
    connectTimeoutMs: timeoutMs,
    queryTimeoutMs: timeoutMs,
  });
  const table = `${quotedSchema(schema)}.lease`;
  try {
    await createTablesOnce(pool, schema, 'leases', async (client) => {
      await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
        name text PRIMARY KEY,
        holder text NOT NULL,
        token bigint NOT NULL,
        expires_at timestamptz NOT NULL,
        acquired_at timestamptz NOT NULL
      )`);
    });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return {
    acquire: async (name, holder, ttlMs) => {
      const { rows } = await pool.query<{ token: string }>(
        `INSERT INTO ${table} AS lease (name, holder, token, expires_at, acquired_at)
         VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 millisecond', clock_timestamp())
         ON CONFLICT (name) DO UPDATE SET
           token = CASE WHEN lease.holder = excluded.holder AND lease.expires_at > clock_timestamp()
                        THEN lease.token ELSE lease.token + 1 END,
           acquired_at = CASE WHEN lease.holder = excluded.holder AND lease.expires_at > clock_timestamp()
                        THEN lease.acquired_at ELSE clock_timestamp() END,
           holder = excluded.holder,
           expires_at = excluded.expires_at
         WHERE lease.holder = excluded.holder OR lease.expires_at <= clock_timestamp()
         RETURNING token`,
        [name, holder, ttlMs],
      );
      const row = rows[0];
      return row ? { token: Number(row.token) } : null;
    },
    release: async (name, holder) => {
      await pool.query(`UPDATE ${table} SET expires_at = clock_timestamp() WHERE name = $1 AND holder = $2`, [
        name,
        holder,
      ]);
    },
    current: async (name) => {
      const { rows } = await pool.query<{ holder: string; token: string; expires_at: Date; acquired_at: Date }>(
        `SELECT holder, token, expires_at, acquired_at FROM ${table} WHERE name = $1`,
        [name],
      );
      const row = rows[0];
      return row
        ? {
            holder: row.holder,
            token: Number(row.token),
            expiresAt: row.expires_at.toISOString(),
            acquiredAt: row.acquired_at.toISOString(),
          }
        : null;
    },
    close: () => pool.end(),
  };
}
