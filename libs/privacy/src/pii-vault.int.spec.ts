import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { DomainError } from '@hub/domain';
import { dropSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import { openPiiVault, type PiiVault } from './pii-vault';

const CPR = '0101704321';

/** One store location per test, opened as often as the test likes. */
interface VaultHarness {
  open(masterKey: Buffer): Promise<PiiVault>;
  /** Every byte the vault keeps: its files on disk, or every value in its tables. */
  storedBytes(): Promise<Buffer>;
  borgerRows(): Promise<number>;
  cleanup(): Promise<void>;
}

async function sqliteHarness(): Promise<VaultHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'pii-vault-'));
  const file = join(dir, 'pii.sqlite');
  return {
    open: (masterKey) => openPiiVault({ kind: 'sqlite', file }, { masterKey }),
    storedBytes: async () => Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f)))),
    borgerRows: async () => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM borger').get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresHarness(): Promise<VaultHarness> {
  await requirePostgres();
  const schema = `api_${randomBytes(6).toString('hex')}`;
  const query = async (sql: string): Promise<Record<string, unknown>[]> => {
    const client = new Client({ connectionString: PG_URL });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  return {
    open: (masterKey) => openPiiVault({ kind: 'postgres', connectionString: PG_URL, schema }, { masterKey }),
    storedBytes: async () => {
      const rows = [
        ...(await query(`SELECT * FROM "${schema}".pii_borger`)),
        ...(await query(`SELECT * FROM "${schema}".pii_vault_check`)),
      ];
      const values = rows.flatMap((row) => Object.values(row));
      return Buffer.concat(values.map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v)))));
    },
    borgerRows: async () => Number((await query(`SELECT count(*) AS n FROM "${schema}".pii_borger`))[0]?.['n']),
    cleanup: () => dropSchema(schema),
  };
}

describe.each([
  ['SQLite', sqliteHarness],
  ['PostgreSQL', postgresHarness],
])('PII vault on %s', (_name, makeHarness) => {
  let harness: VaultHarness;
  let masterKey: Buffer;
  let vault: PiiVault;
  const opened: PiiVault[] = [];
  const open = async (key = masterKey) => {
    const v = await harness.open(key);
    opened.push(v);
    return v;
  };
  const reopen = async (key = masterKey) => {
    await vault.close();
    vault = await open(key);
    return vault;
  };

  beforeEach(async () => {
    harness = await makeHarness();
    masterKey = randomBytes(32);
    vault = await open();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((v) => v.close()));
    await harness.cleanup();
  });

  it('gives one borgerId per CPR, with or without the dash, across restarts', async () => {
    const first = await vault.registrerBorger(CPR, randomUUID);
    expect(first.ny).toBe(true);
    expect(await vault.registrerBorger('010170-4321', randomUUID)).toEqual({ borgerId: first.borgerId, ny: false });
    expect(await (await reopen()).registrerBorger(CPR, randomUUID)).toEqual({ borgerId: first.borgerId, ny: false });
    expect(await vault.laesCpr(first.borgerId)).toBe(CPR);
    expect(await vault.findBorger('010170-4321')).toBe(first.borgerId);
    expect(await vault.findBorger('0101704322')).toBeNull();
  });

  it('refuses an invalid CPR with BORGER.CPR_UGYLDIGT and stores nothing', async () => {
    await expect(vault.registrerBorger('3213701234', randomUUID)).rejects.toThrow(DomainError);
    await expect(vault.registrerBorger('3213701234', randomUUID)).rejects.toMatchObject({
      code: 'BORGER.CPR_UGYLDIGT',
    });
    expect(await vault.findBorger('3213701234')).toBeNull();
    expect(await harness.borgerRows()).toBe(0);
  });

  it('keeps no CPR in clear in the store', async () => {
    await vault.registrerBorger(CPR, randomUUID);
    await vault.close();
    const bytes = await harness.storedBytes();
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes(Buffer.from(CPR))).toBe(false);
    expect(bytes.includes(Buffer.from('010170-4321'))).toBe(false);
    vault = await open();
  });

  it('encrypts identifying free text under the borger key', async () => {
    const { borgerId } = await vault.registrerBorger(CPR, randomUUID);
    const sealed = (await vault.krypter(borgerId, 'Bor hos sin mor på Nørrebro')) as string;
    expect(sealed).not.toContain('Nørrebro');
    expect(await vault.dekrypter(borgerId, sealed)).toBe('Bor hos sin mor på Nørrebro');
    expect(await vault.krypter(randomUUID(), 'Ukendt borger')).toBeNull();
  });

  it('erasure deletes the key: CPR and text can no longer be read, also after a restart, and the CPR gets a new id', async () => {
    const { borgerId } = await vault.registrerBorger(CPR, randomUUID);
    const sealed = (await vault.krypter(borgerId, 'Identificerende tekst')) as string;
    expect(await vault.erSlettet(borgerId)).toBe(false);
    expect(await vault.slet(borgerId)).toBe(true);
    expect(await vault.slet(borgerId)).toBe(true);
    expect(await vault.erSlettet(borgerId)).toBe(true);
    expect(await vault.laesCpr(borgerId)).toBeNull();
    expect(await vault.dekrypter(borgerId, sealed)).toBeNull();
    expect(await vault.findBorger(CPR)).toBeNull();
    expect(await (await reopen()).laesCpr(borgerId)).toBeNull();
    const again = await vault.registrerBorger(CPR, randomUUID);
    expect(again.ny).toBe(true);
    expect(again.borgerId).not.toBe(borgerId);
    expect(await vault.slet(randomUUID())).toBe(false);
    expect(await vault.erSlettet(randomUUID())).toBe(false);
  });

  it('refuses to open with another master key, with a message saying which setting to fix', async () => {
    await vault.registrerBorger(CPR, randomUUID);
    await vault.close();
    await expect(open(randomBytes(32))).rejects.toThrow(/another master key; set HUB_PII_MASTER_KEY/);
    vault = await open();
    expect(await vault.findBorger(CPR)).not.toBeNull();
  });

  it('two instances opening a new store at once and registering the same CPRs at once give each CPR one borgerId', async () => {
    await vault.close();
    await harness.cleanup();
    harness = await makeHarness();
    const [a, b] = await Promise.all([open(), open()]);
    const cprs = Array.from({ length: 20 }, (_, i) => `010170${4000 + i}`);
    const results = await Promise.all(
      cprs.flatMap((cpr) =>
        [a, b].map(async (v) => ({ cpr, ...(await (v as PiiVault).registrerBorger(cpr, randomUUID)) })),
      ),
    );
    for (const cpr of cprs) {
      const mine = results.filter((r) => r.cpr === cpr);
      expect(new Set(mine.map((r) => r.borgerId)).size).toBe(1);
      expect(mine.filter((r) => r.ny)).toHaveLength(1);
      expect(await (b as PiiVault).laesCpr(mine[0]?.borgerId as string)).toBe(cpr);
    }
    expect(await harness.borgerRows()).toBe(cprs.length);
    vault = a as PiiVault;
  });
});
