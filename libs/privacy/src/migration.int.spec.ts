import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { dropSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import { copyVault, VaultMigrationRefusedError, type VaultRow } from './migration';
import { openSqlitePiiVault, type PiiVault } from './pii-vault';
import { openPostgresPiiVault } from './postgres.pii-vault';

const CPRS = ['0101704321', '0202805432', '0303906543', '0404016654', '0505127765'];
const LATER_CPR = '0606238876';
const COLUMNS = 'borger_id, cpr_index, data_key, cpr, created_at, erased_at';

async function query<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

function sourceRows(file: string): VaultRow[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare<[], VaultRow>(`SELECT ${COLUMNS} FROM borger ORDER BY borger_id`).all();
  } finally {
    db.close();
  }
}

const targetRows = (schema: string): Promise<VaultRow[]> =>
  query<VaultRow>(`SELECT ${COLUMNS} FROM "${schema}".pii_borger ORDER BY borger_id`);

/** The refusal a promise ends with, or a failure when it ends otherwise. */
async function refusal(promise: Promise<unknown>): Promise<VaultMigrationRefusedError> {
  const error = await promise.then(
    () => new Error('expected a refusal, the copy succeeded'),
    (e: unknown) => e,
  );
  if (!(error instanceof VaultMigrationRefusedError)) throw error;
  return error;
}

describe('copyVault (SQLite PII vault → PostgreSQL)', () => {
  let dir: string;
  let file: string;
  let schema: string;
  let masterKey: Buffer;
  let source: PiiVault;
  const ids: Record<string, string> = {};
  const texts: Record<string, string> = {};
  let erasedId: string;
  const opened: PiiVault[] = [];
  const openTarget = async (key = masterKey): Promise<PiiVault> => {
    const vault = await openPostgresPiiVault({ masterKey: key, connectionString: PG_URL, schema });
    opened.push(vault);
    return vault;
  };

  beforeAll(requirePostgres);
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vault-migration-'));
    file = join(dir, 'pii.sqlite');
    schema = `mv_${randomBytes(6).toString('hex')}_vault`;
    masterKey = randomBytes(32);
    source = openSqlitePiiVault({ file, masterKey });
    for (const cpr of CPRS) {
      const { borgerId } = await source.registrerBorger(cpr, randomUUID);
      ids[cpr] = borgerId;
      texts[cpr] = (await source.krypter(borgerId, `Borgerens ønsker (${cpr.slice(0, 4)})`)) as string;
    }
    erasedId = ids[CPRS[4] as string] as string;
    await source.slet(erasedId);
  });
  afterEach(async () => {
    for (const vault of opened.splice(0)) await vault.close();
    await source.close();
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it('copies every row byte for byte; the hub adapter finds borgere by CPR, reads CPR and text; erased stays erased', async () => {
    const result = await copyVault({ sourceFile: file, connectionString: PG_URL, schema, batchSize: 2 });
    expect(result).toMatchObject({ total: 5, copied: 5, skipped: 0, erased: 1, masterKeyCheck: 'new vault' });
    expect(await targetRows(schema)).toEqual(sourceRows(file));

    const target = await openTarget();
    for (const cpr of CPRS.slice(0, 4)) {
      const borgerId = ids[cpr] as string;
      expect(await target.findBorger(cpr)).toBe(borgerId);
      expect(await target.laesCpr(borgerId)).toBe(cpr);
      expect(await target.dekrypter(borgerId, texts[cpr] as string)).toBe(`Borgerens ønsker (${cpr.slice(0, 4)})`);
      expect(await target.registrerBorger(cpr, randomUUID)).toEqual({ borgerId, ny: false });
    }
    const erasedCpr = CPRS[4] as string;
    expect(await target.erSlettet(erasedId)).toBe(true);
    expect(await target.findBorger(erasedCpr)).toBeNull();
    expect(await target.laesCpr(erasedId)).toBeNull();
    expect(await target.dekrypter(erasedId, texts[erasedCpr] as string)).toBeNull();
    // The master key check holds: another key cannot open the copy.
    await expect(openTarget(randomBytes(32))).rejects.toThrow(/another master key/);
  });

  it('a rerun on an equal target skips every row; a borger registered since is copied, one erased since is erased', async () => {
    await copyVault({ sourceFile: file, connectionString: PG_URL, schema });
    const again = await copyVault({ sourceFile: file, connectionString: PG_URL, schema });
    expect(again).toMatchObject({ total: 5, copied: 0, skipped: 5, erasedSince: 0, masterKeyCheck: 'same check row' });

    const later = (await source.registrerBorger(LATER_CPR, randomUUID)).borgerId;
    const erasedNow = ids[CPRS[0] as string] as string;
    await source.slet(erasedNow);
    const third = await copyVault({ sourceFile: file, connectionString: PG_URL, schema, masterKey });
    expect(third).toMatchObject({ total: 6, copied: 1, skipped: 4, erasedSince: 1, erased: 2 });
    expect(await targetRows(schema)).toEqual(sourceRows(file));
    const target = await openTarget();
    expect(await target.findBorger(LATER_CPR)).toBe(later);
    expect(await target.erSlettet(erasedNow)).toBe(true);
    expect(await target.findBorger(CPRS[0] as string)).toBeNull();
  });

  it('refuses a different row for the same borgerId, and another borgerId for a known CPR, writing nothing', async () => {
    await copyVault({ sourceFile: file, connectionString: PG_URL, schema });
    const changed = ids[CPRS[1] as string] as string;
    await query(`UPDATE "${schema}".pii_borger SET created_at = '1999-01-01T00:00:00.000Z' WHERE borger_id = $1`, [
      changed,
    ]);
    const later = (await source.registrerBorger(LATER_CPR, randomUUID)).borgerId;
    const before = await targetRows(schema);

    const differs = await refusal(copyVault({ sourceFile: file, connectionString: PG_URL, schema }));
    expect(differs.code).toBe('VAULT_MIGRATION.CONFLICTING_ROW');
    expect(differs.message).toContain(`another row for borger ${changed} (differs in created_at)`);
    expect(differs.message).not.toMatch(/[0-9a-f]{32}/); // no key or index bytes in the message
    expect(await targetRows(schema)).toEqual(before); // the later borger was not copied either

    // A hub on PostgreSQL registered the later borger's CPR itself before the rerun: two borgerIds for one CPR.
    await query(`UPDATE "${schema}".pii_borger SET created_at = $2 WHERE borger_id = $1`, [
      changed,
      sourceRows(file).find((r) => r.borger_id === changed)?.created_at,
    ]);
    const target = await openTarget();
    const elsewhere = (await target.registrerBorger(LATER_CPR, randomUUID)).borgerId;
    expect(elsewhere).not.toBe(later);
    const twice = await refusal(copyVault({ sourceFile: file, connectionString: PG_URL, schema }));
    expect(twice.code).toBe('VAULT_MIGRATION.CONFLICTING_ROW');
    expect(twice.message).toContain(`holds the CPR of borger ${later} under another borgerId`);
    expect(await target.findBorger(LATER_CPR)).toBe(elsewhere);
  });

  it('never brings back a borger the target erased; erased on both sides is no conflict', async () => {
    await copyVault({ sourceFile: file, connectionString: PG_URL, schema });
    const target = await openTarget();
    const borgerId = ids[CPRS[2] as string] as string;
    await target.slet(borgerId);
    const error = await refusal(copyVault({ sourceFile: file, connectionString: PG_URL, schema }));
    expect(error.code).toBe('VAULT_MIGRATION.CONFLICTING_ROW');
    expect(error.message).toContain('erased in the target');
    expect(await target.erSlettet(borgerId)).toBe(true);
    expect(await target.laesCpr(borgerId)).toBeNull();
    // Once the source erased that borger too, there is nothing left to keep apart.
    await source.slet(borgerId);
    const rerun = await copyVault({ sourceFile: file, connectionString: PG_URL, schema });
    expect(rerun).toMatchObject({ copied: 0, skipped: 5, erasedSince: 0, erased: 2 });
    expect(await target.erSlettet(borgerId)).toBe(true);
  });

  it('refuses a target vault made with another master key, and a master key that does not open the source', async () => {
    const other = await openTarget(randomBytes(32));
    await other.registrerBorger(LATER_CPR, randomUUID);
    await other.close();

    const unknown = await refusal(copyVault({ sourceFile: file, connectionString: PG_URL, schema }));
    expect(unknown.code).toBe('VAULT_MIGRATION.TARGET_MASTER_KEY_UNKNOWN');
    const wrong = await refusal(copyVault({ sourceFile: file, connectionString: PG_URL, schema, masterKey }));
    expect(wrong.code).toBe('VAULT_MIGRATION.TARGET_OTHER_MASTER_KEY');
    expect(wrong.message).toMatch(/another master key .*Nothing was written/);
    expect(await targetRows(schema)).toHaveLength(1);

    const badKey = await refusal(
      copyVault({ sourceFile: file, connectionString: PG_URL, schema, masterKey: randomBytes(32) }),
    );
    expect(badKey.code).toBe('VAULT_MIGRATION.SOURCE_OTHER_MASTER_KEY');
  });

  it('accepts a target vault a hub created with the same master key only when given that key', async () => {
    const hub = await openTarget();
    const registered = (await hub.registrerBorger(LATER_CPR, randomUUID)).borgerId;

    const unknown = await refusal(copyVault({ sourceFile: file, connectionString: PG_URL, schema }));
    expect(unknown.code).toBe('VAULT_MIGRATION.TARGET_MASTER_KEY_UNKNOWN');
    const result = await copyVault({ sourceFile: file, connectionString: PG_URL, schema, masterKey });
    expect(result).toMatchObject({ copied: 5, masterKeyCheck: 'opened with the master key' });
    expect(await hub.findBorger(CPRS[0] as string)).toBe(ids[CPRS[0] as string]);
    expect(await hub.findBorger(LATER_CPR)).toBe(registered);
  });

  it('refuses a source that is not a vault', async () => {
    const error = await refusal(
      copyVault({ sourceFile: join(dir, 'missing.sqlite'), connectionString: PG_URL, schema }),
    );
    expect(error.code).toBe('VAULT_MIGRATION.SOURCE_NOT_A_VAULT');
  });
});
