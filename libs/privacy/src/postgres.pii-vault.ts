import { erGyldigtCpr, kontrollerCpr } from '@hub/domain';
import { markHolds, SletningIGangError, type PiiVault, type PiiVaultOptions } from './pii-vault';
import { createTablesOnce, openPostgresPool, pgError, quotedSchema } from '@hub/event-store';
import {
  blindIndex,
  deriveVaultKeys,
  newBorgerSecrets,
  openCpr,
  opensVaultCheck,
  openText,
  sealText,
  sealVaultCheck,
  unwrapDataKey,
  wrongMasterKey,
} from './vault-crypto';

export interface PostgresPiiVaultOptions extends PiiVaultOptions {
  /** `postgres://user@host:port/database`; never logged or put in error messages. */
  readonly connectionString: string;
  /** The schema holding `pii_borger` and `pii_vault_check`; created on first open. */
  readonly schema: string;
  /** Connections in the pool. Default 4. */
  readonly poolSize?: number;
}

interface KeyRow {
  readonly data_key: Buffer | null;
  readonly cpr: Buffer | null;
  readonly erased_at: string | null;
  readonly erasing_since: string | null;
}

/** Attempts of register-or-find: a conflict is followed by a find, which misses only if that borger was erased since. */
const REGISTER_ATTEMPTS = 3;

/**
 * The PII vault in a PostgreSQL schema, shared by every hub instance: the same rows, keys and sealing as the SQLite
 * adapter. "Register once" rests on the UNIQUE blind-index column: `INSERT … ON CONFLICT DO NOTHING`, and when another
 * instance came first, the borgerId it stored. The master key is checked against the vault-check row on every open.
 *
 * Erasure nulls the wrapped key, the CPR and the index, then VACUUMs the table so the old row version is freed for
 * reuse. PostgreSQL has no secure_delete: the WAL archive and backups keep the wrapped key until they expire, as
 * SQLite backups would; the key is wrapped under the master key, so they are as sensitive as the master key.
 */
export async function openPostgresPiiVault(options: PostgresPiiVaultOptions): Promise<PiiVault> {
  const now = options.now ?? (() => new Date().toISOString());
  const keys = deriveVaultKeys(options.masterKey);
  const s = quotedSchema(options.schema);
  const borger = `${s}.pii_borger`;
  const where = `in PostgreSQL schema ${options.schema}`;
  const pool = openPostgresPool({
    connectionString: options.connectionString,
    schema: options.schema,
    applicationName: 'ffb-hub pii vault',
    ...(options.poolSize ? { poolSize: options.poolSize } : {}),
  });
  const run = async <T>(action: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      throw pgError(error, `The PII vault ${where} (${action})`);
    }
  };

  try {
    await run('open', () =>
      createTablesOnce(pool, options.schema, 'pii vault', async (client) => {
        await client.query(`CREATE TABLE IF NOT EXISTS ${borger} (
          borger_id   text PRIMARY KEY,
          cpr_index   bytea UNIQUE,
          data_key    bytea,
          cpr         bytea,
          created_at  text NOT NULL,
          erased_at   text,
          erasing_since text
        )`);
        // Vaults from before erasure marks get the column.
        await client.query(`ALTER TABLE ${borger} ADD COLUMN IF NOT EXISTS erasing_since text`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${s}.pii_vault_check (
          id integer PRIMARY KEY CHECK (id = 1), sealed bytea NOT NULL)`);
        await client.query(`INSERT INTO ${s}.pii_vault_check (id, sealed) VALUES (1, $1) ON CONFLICT DO NOTHING`, [
          sealVaultCheck(keys),
        ]);
      }),
    );
    const check = await pool.query<{ sealed: Buffer }>(`SELECT sealed FROM ${s}.pii_vault_check WHERE id = 1`);
    if (!opensVaultCheck(keys, check.rows[0]?.sealed ?? Buffer.alloc(0))) throw wrongMasterKey(where);
  } catch (error) {
    await pool.end();
    throw error;
  }

  const findByIndex = async (index: Buffer): Promise<string | null> =>
    (await pool.query<{ borger_id: string }>(`SELECT borger_id FROM ${borger} WHERE cpr_index = $1`, [index])).rows[0]
      ?.borger_id ?? null;
  const keyRow = async (borgerId: string): Promise<KeyRow | undefined> =>
    (
      await pool.query<KeyRow>(`SELECT data_key, cpr, erased_at, erasing_since FROM ${borger} WHERE borger_id = $1`, [
        borgerId,
      ])
    ).rows[0];
  const dataKey = async (borgerId: string): Promise<Buffer | null> =>
    unwrapDataKey(keys, borgerId, (await keyRow(borgerId))?.data_key ?? null);

  return {
    findBorger: (cpr) => run('findBorger', async () => (erGyldigtCpr(cpr) ? findByIndex(blindIndex(keys, cpr)) : null)),
    async registrerBorger(cpr, newId) {
      kontrollerCpr(cpr);
      const index = blindIndex(keys, cpr);
      return run('registrerBorger', async () => {
        for (let attempt = 1; attempt <= REGISTER_ATTEMPTS; attempt++) {
          const existing = await findByIndex(index);
          if (existing && markHolds((await keyRow(existing))?.erasing_since, Date.now()))
            throw new SletningIGangError(existing);
          if (existing) return { borgerId: existing, ny: false };
          const borgerId = newId();
          const secrets = newBorgerSecrets(keys, borgerId, cpr);
          const inserted = await pool.query(
            `INSERT INTO ${borger} (borger_id, cpr_index, data_key, cpr, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (cpr_index) DO NOTHING RETURNING borger_id`,
            [borgerId, index, secrets.dataKey, secrets.cpr, now()],
          );
          if (inserted.rowCount === 1) return { borgerId, ny: true };
        }
        throw new Error(
          `The PII vault ${where} could not register a borger: the CPR index changed under every attempt`,
        );
      });
    },
    laesCpr: (borgerId) =>
      run('laesCpr', async () => {
        const row = await keyRow(borgerId);
        const key = unwrapDataKey(keys, borgerId, row?.data_key ?? null);
        return row?.cpr && key ? openCpr(key, borgerId, row.cpr) : null;
      }),
    krypter: (borgerId, plaintext) =>
      run('krypter', async () => {
        const key = await dataKey(borgerId);
        return key ? sealText(key, borgerId, plaintext) : null;
      }),
    dekrypter: (borgerId, ciphertext) =>
      run('dekrypter', async () => {
        const key = await dataKey(borgerId);
        return key ? openText(key, borgerId, ciphertext) : null;
      }),
    krypterMange: (borgerId, plaintexts) =>
      run('krypter', async () => {
        const row = await keyRow(borgerId);
        if (markHolds(row?.erasing_since, Date.now())) throw new SletningIGangError(borgerId);
        const key = unwrapDataKey(keys, borgerId, row?.data_key ?? null);
        return key ? plaintexts.map((text) => sealText(key, borgerId, text)) : null;
      }),
    dekrypterMange: (items) =>
      run('dekrypter', async () => {
        if (items.length === 0) return [];
        const ids = [...new Set(items.map((i) => i.borgerId))];
        const rows = await pool.query<{ borger_id: string; data_key: Buffer | null }>(
          `SELECT borger_id, data_key FROM ${borger} WHERE borger_id = ANY($1::text[])`,
          [ids],
        );
        const keyOf = new Map(rows.rows.map((r) => [r.borger_id, unwrapDataKey(keys, r.borger_id, r.data_key)]));
        return items.map(({ borgerId, ciphertext }) => {
          const key = keyOf.get(borgerId);
          return key ? openText(key, borgerId, ciphertext) : null;
        });
      }),
    paabegyndSletning: (borgerId) =>
      run('paabegyndSletning', async () => {
        const marked = await pool.query(
          `UPDATE ${borger} SET erasing_since = $1 WHERE borger_id = $2 AND erased_at IS NULL`,
          // Real time, like markHolds: the mark is about this process's work, not the hub's (possibly simulated) clock.
          [new Date().toISOString(), borgerId],
        );
        return marked.rowCount === 1;
      }),
    afbrydSletning: (borgerId) =>
      run('afbrydSletning', async () => {
        await pool.query(`UPDATE ${borger} SET erasing_since = NULL WHERE borger_id = $1`, [borgerId]);
      }),
    slet: (borgerId) =>
      run('slet', async () => {
        const erased = await pool.query(
          `UPDATE ${borger} SET cpr_index = NULL, data_key = NULL, cpr = NULL, erased_at = $1
           WHERE borger_id = $2 AND erased_at IS NULL`,
          [now(), borgerId],
        );
        if (erased.rowCount === 1) {
          // Frees the row version that still holds the wrapped key, so later writes overwrite it.
          await pool.query(`VACUUM ${borger}`);
          return true;
        }
        return (await keyRow(borgerId)) !== undefined;
      }),
    erSlettet: (borgerId) => run('erSlettet', async () => (await keyRow(borgerId))?.erased_at != null),
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}
