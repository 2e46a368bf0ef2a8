import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DomainError } from '@hub/domain';
import { openSqlitePiiVault, type PiiVault } from './pii-vault';

const CPR = '0101704321';

describe('PII vault on SQLite', () => {
  let dir: string;
  let masterKey: Buffer;
  let vault: PiiVault;
  const file = () => join(dir, 'pii.sqlite');
  const reopen = (key = masterKey) => {
    vault.close();
    vault = openSqlitePiiVault({ file: file(), masterKey: key });
    return vault;
  };
  /** Every byte the vault has on disk (main file, WAL, shared memory). */
  const diskBytes = () => Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pii-vault-'));
    masterKey = randomBytes(32);
    vault = openSqlitePiiVault({ file: file(), masterKey });
  });
  afterEach(() => {
    vault.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives one borgerId per CPR, with or without the dash, across restarts', () => {
    const first = vault.registrerBorger(CPR, randomUUID);
    expect(first.ny).toBe(true);
    expect(vault.registrerBorger('010170-4321', randomUUID)).toEqual({ borgerId: first.borgerId, ny: false });
    expect(reopen().registrerBorger(CPR, randomUUID)).toEqual({ borgerId: first.borgerId, ny: false });
    expect(vault.laesCpr(first.borgerId)).toBe(CPR);
  });

  it('refuses an invalid CPR with BORGER.CPR_UGYLDIGT and stores nothing', () => {
    expect(() => vault.registrerBorger('3213701234', randomUUID)).toThrow(DomainError);
    try {
      vault.registrerBorger('3213701234', randomUUID);
    } catch (error) {
      expect((error as DomainError).code).toBe('BORGER.CPR_UGYLDIGT');
    }
    expect(vault.findBorger('3213701234')).toBeNull();
    vault.close();
    const rows = new Database(file()).prepare('SELECT count(*) AS n FROM borger').get() as { n: number };
    expect(rows.n).toBe(0);
    vault = openSqlitePiiVault({ file: file(), masterKey });
  });

  it('keeps no CPR in clear on disk', () => {
    vault.registrerBorger(CPR, randomUUID);
    vault.close();
    const bytes = diskBytes();
    expect(bytes.includes(Buffer.from(CPR))).toBe(false);
    expect(bytes.includes(Buffer.from('010170-4321'))).toBe(false);
    vault = openSqlitePiiVault({ file: file(), masterKey });
  });

  it('encrypts identifying free text under the borger key', () => {
    const { borgerId } = vault.registrerBorger(CPR, randomUUID);
    const sealed = vault.krypter(borgerId, 'Bor hos sin mor på Nørrebro') as string;
    expect(sealed).not.toContain('Nørrebro');
    expect(vault.dekrypter(borgerId, sealed)).toBe('Bor hos sin mor på Nørrebro');
  });

  it('erasure deletes the key: CPR and text can no longer be read, also after a restart, and the CPR gets a new id', () => {
    const { borgerId } = vault.registrerBorger(CPR, randomUUID);
    const sealed = vault.krypter(borgerId, 'Identificerende tekst') as string;
    expect(vault.slet(borgerId)).toBe(true);
    expect(vault.slet(borgerId)).toBe(true);
    expect(vault.erSlettet(borgerId)).toBe(true);
    expect(vault.laesCpr(borgerId)).toBeNull();
    expect(vault.dekrypter(borgerId, sealed)).toBeNull();
    expect(reopen().laesCpr(borgerId)).toBeNull();
    const again = vault.registrerBorger(CPR, randomUUID);
    expect(again.ny).toBe(true);
    expect(again.borgerId).not.toBe(borgerId);
    expect(vault.slet(randomUUID())).toBe(false);
  });

  it('refuses to open with another master key, with a message saying which setting to fix', () => {
    vault.registrerBorger(CPR, randomUUID);
    expect(() => reopen(randomBytes(32))).toThrow(/another master key; set HUB_PII_MASTER_KEY/);
    vault = openSqlitePiiVault({ file: file(), masterKey });
  });
});
