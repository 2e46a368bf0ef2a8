import Database from 'better-sqlite3';
import type { PoolClient } from 'pg';
import { createTablesOnce, openPostgresPool, pgError, quotedSchema } from '@hub/event-store';
import { deriveVaultKeys, opensVaultCheck } from './vault-crypto';

/**
 * Copying the PII vault from the embedded SQLite file (`pii.sqlite`: tables `borger`, `vault_check`) to the
 * PostgreSQL vault schema (`<HUB_PG_SCHEMA>_vault`: `pii_borger`, `pii_vault_check`) when a hub moves to the production
 * topology. Rows are copied byte for byte: wrapped data key, sealed CPR, blind index, created/erased timestamps. The
 * master key is not needed for that (nothing is unsealed or sealed again), only to prove that a target vault whose
 * check row is not the source's own was made with the same master key.
 */

export interface CopyVaultOptions {
  /** The SQLite vault, `<data dir>/pii.sqlite`. Opened read-only. */
  readonly sourceFile: string;
  /** `postgres://user@host:port/database`; never logged or put in error messages. */
  readonly connectionString: string;
  /** The PostgreSQL vault schema the hub opens: `<HUB_PG_SCHEMA>_vault`. */
  readonly schema: string;
  /**
   * The hub's master key (HUB_PII_MASTER_KEY / `pii-master.key`), when known. Without it a target vault is accepted
   * only when it is empty or holds the source's own check row (an earlier run of this copy); with it, also a target
   * vault another hub created under the same key, and a key that does not open the source is refused.
   */
  readonly masterKey?: Buffer;
  /** Rows per INSERT. Default 1000. */
  readonly batchSize?: number;
  readonly onProgress?: (progress: { readonly done: number; readonly total: number }) => void;
}

export interface CopyVaultResult {
  /** Borger rows in the source. */
  readonly total: number;
  /** Rows inserted by this run. */
  readonly copied: number;
  /** Rows the target already held, equal in every column (an earlier run), or erased there and in the source. */
  readonly skipped: number;
  /** Rows the target held unerased that the source erased since an earlier run: erased in the target too. */
  readonly erasedSince: number;
  /** Erased borgere among `total` (copied as erased: no key, no CPR, no index). */
  readonly erased: number;
  /** How the target was shown to be sealed with the source's master key. */
  readonly masterKeyCheck: 'new vault' | 'same check row' | 'opened with the master key';
  readonly elapsedMs: number;
}

/** The copy would mix two vaults, or lose or resurrect a borger: nothing was written. */
export class VaultMigrationRefusedError extends Error {
  constructor(
    readonly code:
      | 'VAULT_MIGRATION.SOURCE_NOT_A_VAULT'
      | 'VAULT_MIGRATION.SOURCE_OTHER_MASTER_KEY'
      | 'VAULT_MIGRATION.TARGET_OTHER_MASTER_KEY'
      | 'VAULT_MIGRATION.TARGET_MASTER_KEY_UNKNOWN'
      | 'VAULT_MIGRATION.CONFLICTING_ROW',
    message: string,
  ) {
    super(message);
    this.name = 'VaultMigrationRefusedError';
  }
}

/** A row of either vault, with the same columns in both adapters. */
export interface VaultRow {
  readonly borger_id: string;
  readonly cpr_index: Buffer | null;
  readonly data_key: Buffer | null;
  readonly cpr: Buffer | null;
  readonly created_at: string;
  readonly erased_at: string | null;
}

const COLUMNS = ['borger_id', 'cpr_index', 'data_key', 'cpr', 'created_at', 'erased_at'] as const;

const sameBytes = (a: Buffer | null, b: Buffer | null): boolean =>
  a === null || b === null ? a === b : Buffer.compare(a, b) === 0;

const sameRow = (a: VaultRow, b: VaultRow): boolean =>
  a.borger_id === b.borger_id &&
  a.created_at === b.created_at &&
  a.erased_at === b.erased_at &&
  sameBytes(a.cpr_index, b.cpr_index) &&
  sameBytes(a.data_key, b.data_key) &&
  sameBytes(a.cpr, b.cpr);

/** What differs, by column name only: a refusal message must not carry key material or an index. */
const differingColumns = (a: VaultRow, b: VaultRow): string =>
  COLUMNS.filter((c) => {
    const x = a[c];
    const y = b[c];
    return Buffer.isBuffer(x) || Buffer.isBuffer(y)
      ? !sameBytes(x as Buffer | null, y as Buffer | null)
      : (x ?? null) !== (y ?? null);
  }).join(', ');

function readSource(file: string): { check: Buffer; rows: VaultRow[] } {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new VaultMigrationRefusedError(
      'VAULT_MIGRATION.SOURCE_NOT_A_VAULT',
      `Cannot open the SQLite PII vault ${file}: ${(error as Error).message}`,
    );
  }
  try {
    const tables = new Set(db.prepare<[], string>(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all());
    const check = tables.has('vault_check')
      ? db.prepare<[], Buffer>('SELECT sealed FROM vault_check WHERE id = 1').pluck().get()
      : undefined;
    if (!tables.has('borger') || check === undefined) {
      throw new VaultMigrationRefusedError(
        'VAULT_MIGRATION.SOURCE_NOT_A_VAULT',
        `${file} is not a PII vault (no borger table or no vault check row)`,
      );
    }
    // One statement reads one snapshot, even while a hub still writes the file.
    const rows = db.prepare<[], VaultRow>(`SELECT ${COLUMNS.join(', ')} FROM borger ORDER BY borger_id`).all();
    return { check, rows };
  } finally {
    db.close();
  }
}

/** The same tables the PostgreSQL adapter creates (postgres.pii-vault.ts); the int test opens the copy with it. */
async function createTargetTables(client: PoolClient, s: string): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS ${s}.pii_borger (
    borger_id   text PRIMARY KEY,
    cpr_index   bytea UNIQUE,
    data_key    bytea,
    cpr         bytea,
    created_at  text NOT NULL,
    erased_at   text
  )`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${s}.pii_vault_check (
    id integer PRIMARY KEY CHECK (id = 1), sealed bytea NOT NULL)`);
}

/**
 * Copies every borger row of the SQLite vault into the PostgreSQL vault schema, unchanged; erased borgere stay erased.
 *
 * Before any row is written, the target's vault-check row must be the source's (copied by an earlier run, or by
 * this one into an empty target) or, with `masterKey`, open under the same master key; otherwise
 * VaultMigrationRefusedError. Rows the target holds equal are skipped, so a rerun copies nothing; a different row for
 * the same borgerId, or another borgerId holding the same CPR index, is a refusal. One exception: a borger the source
 * erased after an earlier run copied it is erased in the target too (copying must never bring an erased key back, and
 * must not leave one the source has shredded). All rows go in one transaction: a refusal or a crash writes no row, and a
 * rerun starts over, skipping what an earlier complete run wrote.
 */
export async function copyVault(options: CopyVaultOptions): Promise<CopyVaultResult> {
  const started = Date.now();
  const s = quotedSchema(options.schema);
  const where = `PostgreSQL schema ${options.schema}`;
  const keys = options.masterKey ? deriveVaultKeys(options.masterKey) : undefined;
  const source = readSource(options.sourceFile);
  if (keys && !opensVaultCheck(keys, source.check)) {
    throw new VaultMigrationRefusedError(
      'VAULT_MIGRATION.SOURCE_OTHER_MASTER_KEY',
      `The master key given (HUB_PII_MASTER_KEY or pii-master.key) does not open the source vault ` +
        `${options.sourceFile}: a hub with that key could not read the copied vault. Nothing was written.`,
    );
  }

  const pool = openPostgresPool({
    connectionString: options.connectionString,
    schema: options.schema,
    applicationName: 'ffb-hub migrate vault',
    poolSize: 1,
  });
  try {
    // Same advisory lock as the adapter's first open: a hub opening the vault now waits, and vice versa.
    let masterKeyCheck: CopyVaultResult['masterKeyCheck'] = 'same check row';
    await createTablesOnce(pool, options.schema, 'pii vault', async (client) => {
      await createTargetTables(client, s);
      const inserted = await client.query(
        `INSERT INTO ${s}.pii_vault_check (id, sealed) VALUES (1, $1) ON CONFLICT DO NOTHING`,
        [source.check],
      );
      if (inserted.rowCount === 1) masterKeyCheck = 'new vault';
    });
    const target = (await pool.query<{ sealed: Buffer }>(`SELECT sealed FROM ${s}.pii_vault_check WHERE id = 1`))
      .rows[0]?.sealed;
    if (!target || !sameBytes(target, source.check)) {
      if (!keys) {
        throw new VaultMigrationRefusedError(
          'VAULT_MIGRATION.TARGET_MASTER_KEY_UNKNOWN',
          `The PII vault in ${where} was not created by this copy (its check row is not the source's), and ` +
            `without the master key it cannot be shown to be sealed with the same one: give HUB_PII_MASTER_KEY ` +
            `(or keep pii-master.key beside the source). Nothing was written.`,
        );
      }
      if (!target || !opensVaultCheck(keys, target)) {
        throw new VaultMigrationRefusedError(
          'VAULT_MIGRATION.TARGET_OTHER_MASTER_KEY',
          `The PII vault in ${where} was created with another master key than the source vault: its borgere and ` +
            `these could not be read by one hub. Migrate into an empty schema. Nothing was written.`,
        );
      }
      masterKeyCheck = 'opened with the master key';
    }

    const batchSize = options.batchSize ?? 1000;
    let copied = 0;
    let skipped = 0;
    let erasedSince = 0;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      for (let at = 0; at < source.rows.length; at += batchSize) {
        const page = source.rows.slice(at, at + batchSize);
        const params: unknown[] = [];
        const values = page.map((row) => {
          const base = params.length;
          params.push(row.borger_id, row.cpr_index, row.data_key, row.cpr, row.created_at, row.erased_at);
          return `(${COLUMNS.map((_, i) => `$${base + i + 1}`).join(', ')})`;
        });
        // No conflict target: a row whose borgerId or CPR index is already there is not inserted, and looked at below.
        const inserted = await client.query<{ borger_id: string }>(
          `INSERT INTO ${s}.pii_borger (${COLUMNS.join(', ')}) VALUES ${values.join(', ')}
           ON CONFLICT DO NOTHING RETURNING borger_id`,
          params,
        );
        copied += inserted.rowCount ?? 0;
        const done = new Set(inserted.rows.map((r) => r.borger_id));
        const rest = page.filter((row) => !done.has(row.borger_id));
        if (rest.length > 0) {
          const existing = new Map(
            (
              await client.query<VaultRow>(
                `SELECT ${COLUMNS.join(', ')} FROM ${s}.pii_borger WHERE borger_id = ANY($1::text[]) FOR UPDATE`,
                [rest.map((r) => r.borger_id)],
              )
            ).rows.map((r) => [r.borger_id, r]),
          );
          for (const row of rest) {
            const there = existing.get(row.borger_id);
            if (there && sameRow(there, row)) {
              skipped++;
            } else if (
              there &&
              row.erased_at !== null &&
              there.erased_at !== null &&
              there.created_at === row.created_at
            ) {
              // Erased on both sides since an earlier run (at different times): nothing left to copy or to keep apart.
              skipped++;
            } else if (
              there &&
              row.erased_at !== null &&
              there.erased_at === null &&
              there.created_at === row.created_at
            ) {
              await client.query(
                `UPDATE ${s}.pii_borger SET cpr_index = NULL, data_key = NULL, cpr = NULL, erased_at = $1
                 WHERE borger_id = $2`,
                [row.erased_at, row.borger_id],
              );
              erasedSince++;
            } else if (there) {
              throw new VaultMigrationRefusedError(
                'VAULT_MIGRATION.CONFLICTING_ROW',
                `The PII vault in ${where} holds another row for borger ${row.borger_id} ` +
                  `(differs in ${differingColumns(there, row)}${there.erased_at !== null && row.erased_at === null ? '; erased in the target' : ''}). ` +
                  `Nothing was written.`,
              );
            } else {
              throw new VaultMigrationRefusedError(
                'VAULT_MIGRATION.CONFLICTING_ROW',
                `The PII vault in ${where} holds the CPR of borger ${row.borger_id} under another borgerId: a hub ` +
                  `registered that borger there before the migration. Nothing was written.`,
              );
            }
          }
        }
        options.onProgress?.({ done: Math.min(at + batchSize, source.rows.length), total: source.rows.length });
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    // As the adapter's erasure: free the row versions that still held an erased key.
    if (erasedSince > 0) await pool.query(`VACUUM ${s}.pii_borger`);
    return {
      total: source.rows.length,
      copied,
      skipped,
      erasedSince,
      erased: source.rows.filter((r) => r.erased_at !== null).length,
      masterKeyCheck,
      elapsedMs: Date.now() - started,
    };
  } catch (error) {
    throw pgError(error, `The PII vault copy into ${where}`);
  } finally {
    await pool.end();
  }
}
