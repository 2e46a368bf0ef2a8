import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { PligtCommand } from '@hub/domain';
import { createTablesOnce, openPostgresPool, quotedSchema, StoreUnavailableError } from '@hub/event-store';
import { regelId } from './regel';
import type { RegelDoc } from './regel-tilstand';
import {
  afslutSendt,
  overhaledeFrister,
  RuleStateCheckpointMovedError,
  type BatchCheckpoint,
  type Beslutning,
  type FristRow,
  type FristStatus,
  type RuleStateCheckpoint,
  type RuleStateStatus,
  type RuleStateStore,
  type UdbakkeRow,
} from './rule-state';

export interface PostgresRuleStateOptions {
  readonly connectionString: string;
  /** The schema the tables live in; created when missing. Default `hub_rules`. */
  readonly schema?: string;
  /** Connections in the pool. The worker uses one at a time; status and metrics may ask beside it. Default 3. */
  readonly poolSize?: number;
}

/** Socket codes and SQLSTATEs that mean the connection failed, not the statement. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03']);
const CONNECTION_MESSAGES = /Connection terminated|connection error|timeout exceeded when trying to connect/i;

/**
 * The rules worker's durable state in PostgreSQL, shared by the instances that hold the rules lease in turn: the
 * instance that takes over continues from the same documents, deadlines, outbox and checkpoint. Same semantics as
 * `SqliteRuleState`; a batch commit is one transaction of a handful of statements whatever the batch's size (rows
 * travel as one JSON parameter per table, expanded by `json_to_recordset`).
 *
 * The tables are created on first use (guarded by an advisory lock, so instances starting together do not race);
 * a failed first use is tried again on the next call.
 */
export class PostgresRuleState implements RuleStateStore {
  readonly schema: string;
  private readonly pool: Pool;
  private ready: Promise<void> | undefined;
  private closed = false;
  private readonly t: Record<'doc' | 'frist' | 'udbakke' | 'afvist' | 'affyring' | 'checkpoint', string>;

  constructor(options: PostgresRuleStateOptions) {
    this.schema = options.schema ?? 'hub_rules';
    const schema = quotedSchema(this.schema);
    // A partition must end a request, not hang the worker: connect and query timeouts, TCP keepalive; an idle
    // connection the server ends does not take the process down (the shared support, @hub/event-store).
    this.pool = openPostgresPool({
      connectionString: options.connectionString,
      schema: this.schema,
      applicationName: 'ffb-hub rule state',
      poolSize: options.poolSize ?? 3,
      queryTimeoutMs: 60_000,
    });
    const q = (table: string) => `${schema}.${table}`;
    this.t = {
      doc: q('regel_doc'),
      frist: q('frist'),
      udbakke: q('udbakke'),
      afvist: q('afvist'),
      affyring: q('affyring'),
      checkpoint: q('checkpoint'),
    };
  }

  /** Creates the schema and tables when missing; every other call does this first. */
  init(): Promise<void> {
    this.ready ??= this.createTables().catch((error: unknown) => {
      this.ready = undefined;
      throw this.unavailable(error, 'opening');
    });
    return this.ready;
  }

  async checkpoint(): Promise<RuleStateCheckpoint> {
    const [row] = await this.query<{ position: string; event_id: string | null }>(
      'reading the checkpoint',
      `SELECT position, event_id FROM ${this.t.checkpoint} WHERE name = 'regler'`,
    );
    return { position: Number(row?.position ?? 0), eventId: row?.event_id ?? null };
  }

  async docs(ids: Iterable<string>): Promise<Map<string, RegelDoc>> {
    const wanted = [...new Set(ids)];
    const out = new Map<string, RegelDoc>();
    if (wanted.length === 0) return out;
    const rows = await this.query<{ bestilling_id: string; doc: RegelDoc }>(
      'reading rule state documents',
      `SELECT bestilling_id, doc FROM ${this.t.doc} WHERE bestilling_id = ANY($1::text[])`,
      [wanted],
    );
    for (const row of rows) out.set(row.bestilling_id, row.doc);
    return out;
  }

  async commit(
    docs: ReadonlyMap<string, RegelDoc>,
    beslutninger: readonly Beslutning[],
    checkpoint: BatchCheckpoint,
  ): Promise<number> {
    const overhalet = overhaledeFrister(beslutninger);
    const gaeldende = beslutninger.filter((_, index) => !overhalet.has(index));
    // The first cancellation of each rule and subject closes what fired for it; a later one in the batch finds nothing.
    const annulleringer = new Map<string, Beslutning & { udfald: { type: 'annuller' } }>();
    for (const b of gaeldende)
      if (b.udfald.type === 'annuller') {
        const key = `${b.regel.id}\n${b.udfald.subjekt}`;
        if (!annulleringer.has(key)) annulleringer.set(key, b as Beslutning & { udfald: { type: 'annuller' } });
      }
    return this.transaction('committing a batch', async (client) => {
      // Compare-and-set first: it also locks the checkpoint row, so two commits on this state never interleave.
      const cas = await client.query<{ position: string }>(
        `UPDATE ${this.t.checkpoint} SET position = $2, event_id = $3 WHERE name = 'regler' AND position = $1
         RETURNING position`,
        [checkpoint.after, checkpoint.position, checkpoint.eventId],
      );
      if (cas.rowCount !== 1) {
        const stored = await client.query<{ position: string }>(
          `SELECT position FROM ${this.t.checkpoint} WHERE name = 'regler'`,
        );
        throw new RuleStateCheckpointMovedError(checkpoint.after, Number(stored.rows[0]?.position ?? 0));
      }
      // Cancelled: pending deadlines are deleted, fired ones closed (their reminders are afsluttet below).
      const lukkede = new Map<string, PligtCommand[]>();
      if (annulleringer.size > 0) {
        const keys = [...annulleringer.values()].map((b) => ({ regel_id: b.regel.id, subjekt: b.udfald.subjekt }));
        const closed = await client.query<{ nr: string; regel_id: string; subjekt: string; kommando: PligtCommand }>(
          `WITH k AS (SELECT * FROM json_to_recordset($1::json) AS k (regel_id text, subjekt text)),
           slettet AS (
             DELETE FROM ${this.t.frist} f USING k
             WHERE f.regel_id = k.regel_id AND f.subjekt = k.subjekt AND f.status = 'afventer'
           )
           UPDATE ${this.t.frist} f SET status = 'afsluttet' FROM k
           WHERE f.regel_id = k.regel_id AND f.subjekt = k.subjekt AND f.status = 'udloest'
           RETURNING f.nr, f.regel_id, f.subjekt, f.kommando`,
          [JSON.stringify(keys)],
        );
        const sorted = [...closed.rows].sort((a, b) => Number(a.nr) - Number(b.nr));
        for (const row of sorted) {
          const key = `${row.regel_id}\n${row.subjekt}`;
          lukkede.set(key, [...(lukkede.get(key) ?? []), row.kommando]);
        }
      }
      const frister: object[] = [];
      const udbakke: PligtCommand[] = [];
      const affyret = new Map<string, number>();
      for (const b of gaeldende) {
        const u = b.udfald;
        if (u.type === 'kommando') {
          udbakke.push(u.kommando);
          affyret.set(b.regel.id, (affyret.get(b.regel.id) ?? 0) + 1);
        } else if (u.type === 'frist') {
          frister.push({
            id: regelId('frist', b.regel.id, u.subjekt, b.eventId),
            regel_id: b.regel.id,
            regel_version: b.regel.version,
            subjekt: u.subjekt,
            forfald: u.forfald,
            bestilling_id: b.bestillingId,
            kommando: u.kommando,
            aarsag: b.eventId,
            sat_position: b.position,
            n: frister.length,
          });
        } else {
          const key = `${b.regel.id}\n${u.subjekt}`;
          if (annulleringer.get(key) !== b) continue;
          for (const sendt of lukkede.get(key) ?? []) {
            const afslut = afslutSendt(sendt, b);
            if (afslut) udbakke.push(afslut);
          }
        }
      }
      // One statement for the rest; rows keep the batch's order (outbox seq and deadline nr follow it).
      await client.query(
        `WITH docs AS (
           INSERT INTO ${this.t.doc} (bestilling_id, doc)
           SELECT id, doc FROM json_to_recordset($1::json) AS d (id text, doc json)
           ON CONFLICT (bestilling_id) DO UPDATE SET doc = excluded.doc
         ), frister AS (
           INSERT INTO ${this.t.frist}
             (id, regel_id, regel_version, subjekt, forfald, bestilling_id, kommando, status, aarsag, sat_position)
           SELECT id, regel_id, regel_version, subjekt, forfald, bestilling_id, kommando, 'afventer', aarsag, sat_position
           FROM json_to_recordset($2::json) AS f (
             id text, regel_id text, regel_version integer, subjekt text, forfald text, bestilling_id text,
             kommando json, aarsag text, sat_position bigint, n bigint)
           ORDER BY n
           ON CONFLICT (id) DO NOTHING
         ), udbakke AS (
           INSERT INTO ${this.t.udbakke} (kommando)
           SELECT kommando FROM json_array_elements($3::json) WITH ORDINALITY AS u (kommando, n) ORDER BY n
         )
         INSERT INTO ${this.t.affyring} (regel_id, antal)
         SELECT regel_id, antal FROM json_to_recordset($4::json) AS a (regel_id text, antal bigint)
         ON CONFLICT (regel_id) DO UPDATE SET antal = ${this.t.affyring}.antal + excluded.antal`,
        [
          JSON.stringify([...docs].map(([id, doc]) => ({ id, doc }))),
          JSON.stringify(frister),
          JSON.stringify(udbakke),
          JSON.stringify([...affyret].map(([regel_id, antal]) => ({ regel_id, antal }))),
        ],
      );
      return udbakke.length;
    });
  }

  async fireDue(now: string, limit: number): Promise<number> {
    // One statement: a deadline is marked fired in the same transaction its command enters the outbox.
    const [row] = await this.query<{ n: number }>(
      'firing due deadlines',
      `WITH due AS (
         SELECT nr, id, regel_id, kommando, forfald, sat_position FROM ${this.t.frist}
         WHERE status = 'afventer' AND forfald <= $1
         ORDER BY forfald, sat_position, nr
         LIMIT $2
         FOR UPDATE
       ), udloest AS (
         UPDATE ${this.t.frist} f SET status = 'udloest', udloest = $1 FROM due WHERE f.id = due.id
       ), udbakke AS (
         INSERT INTO ${this.t.udbakke} (kommando) SELECT kommando FROM due ORDER BY forfald, sat_position, nr
       ), affyret AS (
         INSERT INTO ${this.t.affyring} (regel_id, antal) SELECT regel_id, count(*) FROM due GROUP BY regel_id
         ON CONFLICT (regel_id) DO UPDATE SET antal = ${this.t.affyring}.antal + excluded.antal
       )
       SELECT count(*)::int AS n FROM due`,
      [now, limit],
    );
    return row?.n ?? 0;
  }

  async nextDue(): Promise<string | null> {
    const [row] = await this.query<{ forfald: string | null }>(
      'reading the next deadline',
      `SELECT min(forfald) AS forfald FROM ${this.t.frist} WHERE status = 'afventer'`,
    );
    return row?.forfald ?? null;
  }

  async outbox(limit: number): Promise<UdbakkeRow[]> {
    const rows = await this.query<{ seq: string; kommando: PligtCommand }>(
      'reading the outbox',
      `SELECT seq, kommando FROM ${this.t.udbakke} ORDER BY seq LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), kommando: r.kommando }));
  }

  async done(seq: number): Promise<void> {
    await this.query('emptying the outbox', `DELETE FROM ${this.t.udbakke} WHERE seq = $1`, [seq]);
  }

  async reject(row: UdbakkeRow, code: string, message: string, now: string): Promise<void> {
    await this.query(
      'recording a refused command',
      `WITH udfoert AS (DELETE FROM ${this.t.udbakke} WHERE seq = $1)
       INSERT INTO ${this.t.afvist} (seq, kommando, code, message, afvist) VALUES ($1, $2::json, $3, $4, $5)`,
      [row.seq, JSON.stringify(row.kommando), code, message, now],
    );
  }

  async frister(bestillingId: string): Promise<FristRow[]> {
    const rows = await this.query<{
      id: string;
      regel_id: string;
      regel_version: number;
      subjekt: string;
      forfald: string;
      bestilling_id: string;
      kommando: PligtCommand;
      status: FristStatus;
    }>(
      'reading deadlines',
      `SELECT id, regel_id, regel_version, subjekt, forfald, bestilling_id, kommando, status FROM ${this.t.frist}
       WHERE bestilling_id = $1 ORDER BY forfald, sat_position, nr`,
      [bestillingId],
    );
    return rows.map((r) => ({
      id: r.id,
      regelId: r.regel_id,
      regelVersion: r.regel_version,
      subjekt: r.subjekt,
      forfald: r.forfald,
      bestillingId: r.bestilling_id,
      kommando: r.kommando,
      status: r.status,
    }));
  }

  async status(now: string): Promise<RuleStateStatus> {
    const [row] = await this.query<{
      position: string | null;
      event_id: string | null;
      afventer: number;
      forfaldne: number;
      udbakke: number;
      afviste: number;
      affyringer: Record<string, number>;
    }>(
      'reading the status',
      `SELECT c.position, c.event_id,
         (SELECT count(*)::int FROM ${this.t.frist} WHERE status = 'afventer') AS afventer,
         (SELECT count(*)::int FROM ${this.t.frist} WHERE status = 'afventer' AND forfald <= $1) AS forfaldne,
         (SELECT count(*)::int FROM ${this.t.udbakke}) AS udbakke,
         (SELECT count(*)::int FROM ${this.t.afvist}) AS afviste,
         (SELECT coalesce(json_object_agg(regel_id, antal), '{}'::json) FROM ${this.t.affyring}) AS affyringer
       FROM (SELECT 1) AS one LEFT JOIN ${this.t.checkpoint} c ON c.name = 'regler'`,
      [now],
    );
    return {
      checkpoint: Number(row?.position ?? 0),
      checkpointEventId: row?.event_id ?? null,
      fristerAfventer: row?.afventer ?? 0,
      fristerForfaldne: row?.forfaldne ?? 0,
      udbakke: row?.udbakke ?? 0,
      afviste: row?.afviste ?? 0,
      affyringer: row?.affyringer ?? {},
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async createTables(): Promise<void> {
    // Instances opening a new schema together: one creates, the others wait and then find the tables.
    await createTablesOnce(this.pool, this.schema, 'rule state', async (client) => {
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.t.doc} (bestilling_id text PRIMARY KEY, doc json NOT NULL);
        CREATE TABLE IF NOT EXISTS ${this.t.frist} (
          id text PRIMARY KEY,
          nr bigint GENERATED ALWAYS AS IDENTITY,
          regel_id text NOT NULL,
          regel_version integer NOT NULL,
          subjekt text NOT NULL,
          forfald text NOT NULL,
          bestilling_id text NOT NULL,
          kommando json NOT NULL,
          status text NOT NULL,
          aarsag text NOT NULL,
          sat_position bigint NOT NULL,
          udloest text
        );
        CREATE INDEX IF NOT EXISTS frist_due ON ${this.t.frist} (forfald, sat_position, nr) WHERE status = 'afventer';
        CREATE INDEX IF NOT EXISTS frist_subjekt ON ${this.t.frist} (regel_id, subjekt, status);
        CREATE INDEX IF NOT EXISTS frist_bestilling ON ${this.t.frist} (bestilling_id);
        CREATE TABLE IF NOT EXISTS ${this.t.udbakke} (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kommando json NOT NULL
        );
        CREATE TABLE IF NOT EXISTS ${this.t.afvist} (
          seq bigint PRIMARY KEY, kommando json NOT NULL, code text NOT NULL, message text NOT NULL, afvist text NOT NULL
        );
        CREATE TABLE IF NOT EXISTS ${this.t.affyring} (regel_id text PRIMARY KEY, antal bigint NOT NULL);
        CREATE TABLE IF NOT EXISTS ${this.t.checkpoint} (name text PRIMARY KEY, position bigint NOT NULL, event_id text);
        INSERT INTO ${this.t.checkpoint} (name, position, event_id) VALUES ('regler', 0, NULL) ON CONFLICT DO NOTHING;
      `);
    });
  }

  private async query<R extends QueryResultRow>(action: string, text: string, values?: unknown[]): Promise<R[]> {
    await this.init();
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (error) {
      throw this.unavailable(error, action);
    }
  }

  private async transaction<T>(action: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    await this.init();
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.unavailable(error, action);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw this.unavailable(error, action);
    } finally {
      client.release(broken);
    }
  }

  /**
   * A lost connection becomes StoreUnavailableError (the worker waits and tries again); anything else passes as it is.
   * The message names the schema, never the connection string (it may hold a password).
   */
  private unavailable(error: unknown, action: string): unknown {
    if (error instanceof RuleStateCheckpointMovedError || error instanceof StoreUnavailableError) return error;
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : String(error);
    const lost =
      (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) ||
      CONNECTION_MESSAGES.test(message);
    if (!lost) return error;
    return new StoreUnavailableError(
      `Rule state in PostgreSQL schema ${this.schema} is unavailable (${action}): ${String(code ?? message)}`,
      error,
    );
  }
}

/** Opens the rule state in PostgreSQL and creates its tables; fails at once when the server does not answer. */
export async function openPostgresRuleState(options: PostgresRuleStateOptions): Promise<PostgresRuleState> {
  const state = new PostgresRuleState(options);
  try {
    await state.init();
  } catch (error) {
    await state.close();
    throw error;
  }
  return state;
}
