import Database from 'better-sqlite3';
import { erGyldigtCpr, kontrollerCpr } from '@hub/domain';
import { openPostgresPiiVault } from './postgres.pii-vault';
import type { StoreLocation } from '@hub/event-store';
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

/**
 * PII vault (design.md §3): CPR and other direct identifiers live only here, never in an event or a log line.
 * Each borger has a random 256-bit data key, stored wrapped (AES-256-GCM) under the hub's master key. Lookup by CPR
 * goes through a keyed blind index (HMAC-SHA256), so the store holds no CPR in clear. Erasure deletes the data key
 * and the index entry (crypto-shredding): ciphertext that remains anywhere can no longer be read.
 * Adapters: a SQLite file (embedded default) and a PostgreSQL schema shared by every hub instance; the same master
 * key reads both.
 */
export interface PiiVault {
  /**
   * The hub's borgerId for a CPR number; creates one (with `newId`) the first time the CPR is seen. Atomic across
   * every process sharing the store: one CPR never gets two borgerIds. Rejects an invalid CPR (BORGER.CPR_UGYLDIGT).
   */
  registrerBorger(cpr: string, newId: () => string): Promise<{ borgerId: string; ny: boolean }>;
  /** The borgerId of a CPR number seen before, without registering it; null when unknown (or erased). */
  findBorger(cpr: string): Promise<string | null>;
  /** The CPR of a borger, or null when the borger was erased or is unknown. */
  laesCpr(borgerId: string): Promise<string | null>;
  /** Encrypts identifying free text under the borger's key; null when the borger is erased. */
  krypter(borgerId: string, plaintext: string): Promise<string | null>;
  /** Decrypts text from `krypter`; null when the borger was erased. */
  dekrypter(borgerId: string, ciphertext: string): Promise<string | null>;
  /** Encrypts several texts of one borger with one key lookup; null when the borger is erased or unknown. */
  krypterMange(borgerId: string, plaintexts: readonly string[]): Promise<readonly string[] | null>;
  /**
   * Decrypts texts of any borgere with one lookup per distinct borger: null for a text whose borger was erased.
   * A ciphertext that does not open under its borger's key (tampered, or another borger's) throws.
   */
  dekrypterMange(items: readonly Ciphertext[]): Promise<readonly (string | null)[]>;
  /**
   * Marks the borger as being erased (POST /sletning, before its checks): until the erasure finishes or is called
   * off, registering the CPR and encrypting new text for the borger throw SletningIGangError (409), so nothing new is
   * written under a key about to go. A mark older than SLETNING_MARK_MS (a crashed erasure) counts for nothing.
   * False for an unknown or erased borger.
   */
  paabegyndSletning(borgerId: string): Promise<boolean>;
  /** Calls an erasure off (its checks refused it): the borger is written to as before. */
  afbrydSletning(borgerId: string): Promise<void>;
  /** Crypto-shredding: deletes the borger's data key and CPR index. Idempotent. Returns false for an unknown borger. */
  slet(borgerId: string): Promise<boolean>;
  erSlettet(borgerId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** How long an erasure's mark holds the borger: far longer than an erasure takes, short if one crashed. */
export const SLETNING_MARK_MS = 60_000;

/** The borger is being erased right now: the request may be retried in a moment (409). */
export class SletningIGangError extends Error {
  readonly code = 'BORGER.SLETNING_I_GANG';
  constructor(readonly borgerId: string) {
    super('the borger is being erased; nothing new can be recorded about them');
    this.name = 'SletningIGangError';
  }
}

/** Whether a mark set at `since` (ISO) still holds at `now` (ms). */
export const markHolds = (since: string | null | undefined, now: number): boolean =>
  since != null && now - Date.parse(since) < SLETNING_MARK_MS;

export interface Ciphertext {
  readonly borgerId: string;
  readonly ciphertext: string;
}

export interface PiiVaultOptions {
  /** 32 bytes (HUB_PII_MASTER_KEY). */
  readonly masterKey: Buffer;
  readonly now?: () => string;
}

/** Opens the vault where `location` says: `{ kind: 'sqlite', file }` or `{ kind: 'postgres', connectionString, schema }`. */
export async function openPiiVault(location: StoreLocation, options: PiiVaultOptions): Promise<PiiVault> {
  return location.kind === 'postgres'
    ? openPostgresPiiVault({ ...options, connectionString: location.connectionString, schema: location.schema })
    : openSqlitePiiVault({ ...options, file: location.file });
}

export function openSqlitePiiVault(options: PiiVaultOptions & { readonly file: string }): PiiVault {
  const now = options.now ?? (() => new Date().toISOString());
  const keys = deriveVaultKeys(options.masterKey);
  const db = new Database(options.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // Overwrite deleted content so an erased key does not linger in free pages.
  db.pragma('secure_delete = ON');
  db.exec(`
    CREATE TABLE IF NOT EXISTS borger (
      borger_id   TEXT PRIMARY KEY,
      cpr_index   BLOB UNIQUE,
      data_key    BLOB,
      cpr         BLOB,
      created_at  TEXT NOT NULL,
      erased_at   TEXT,
      erasing_since TEXT
    );
    CREATE TABLE IF NOT EXISTS vault_check (id INTEGER PRIMARY KEY CHECK (id = 1), sealed BLOB NOT NULL);
  `);
  // Vault files from before erasure marks get the column.
  const columns = db.prepare('PRAGMA table_info(borger)').all() as { name: string }[];
  if (!columns.some((c) => c.name === 'erasing_since')) db.exec('ALTER TABLE borger ADD COLUMN erasing_since TEXT');
  const check = db.prepare('SELECT sealed FROM vault_check WHERE id = 1').get() as { sealed: Buffer } | undefined;
  if (!check) {
    db.prepare('INSERT INTO vault_check (id, sealed) VALUES (1, ?)').run(sealVaultCheck(keys));
  } else if (!opensVaultCheck(keys, check.sealed)) {
    db.close();
    throw wrongMasterKey(options.file);
  }
  const byIndex = db.prepare<[Buffer], { borger_id: string; erasing_since: string | null }>(
    'SELECT borger_id, erasing_since FROM borger WHERE cpr_index = ?',
  );
  const mark = db.prepare('UPDATE borger SET erasing_since = ? WHERE borger_id = ? AND erased_at IS NULL');
  const unmark = db.prepare('UPDATE borger SET erasing_since = NULL WHERE borger_id = ?');
  const insert = db.prepare(
    'INSERT INTO borger (borger_id, cpr_index, data_key, cpr, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const byId = db.prepare<
    [string],
    { data_key: Buffer | null; cpr: Buffer | null; erased_at: string | null; erasing_since: string | null }
  >('SELECT data_key, cpr, erased_at, erasing_since FROM borger WHERE borger_id = ?');
  const erase = db.prepare(
    'UPDATE borger SET cpr_index = NULL, data_key = NULL, cpr = NULL, erased_at = ? WHERE borger_id = ?',
  );
  const register = db.transaction((index: Buffer, cpr: string, newId: () => string) => {
    const existing = byIndex.get(index);
    if (existing && markHolds(existing.erasing_since, Date.now())) throw new SletningIGangError(existing.borger_id);
    if (existing) return { borgerId: existing.borger_id, ny: false };
    const borgerId = newId();
    const secrets = newBorgerSecrets(keys, borgerId, cpr);
    insert.run(borgerId, index, secrets.dataKey, secrets.cpr, now());
    return { borgerId, ny: true };
  });

  const dataKey = (borgerId: string): Buffer | null =>
    unwrapDataKey(keys, borgerId, byId.get(borgerId)?.data_key ?? null);

  return {
    async findBorger(cpr) {
      return erGyldigtCpr(cpr) ? (byIndex.get(blindIndex(keys, cpr))?.borger_id ?? null) : null;
    },
    async registrerBorger(cpr, newId) {
      kontrollerCpr(cpr);
      return register.immediate(blindIndex(keys, cpr), cpr, newId);
    },
    async laesCpr(borgerId) {
      const row = byId.get(borgerId);
      const key = unwrapDataKey(keys, borgerId, row?.data_key ?? null);
      return row?.cpr && key ? openCpr(key, borgerId, row.cpr) : null;
    },
    async krypter(borgerId, plaintext) {
      const key = dataKey(borgerId);
      return key ? sealText(key, borgerId, plaintext) : null;
    },
    async dekrypter(borgerId, ciphertext) {
      const key = dataKey(borgerId);
      return key ? openText(key, borgerId, ciphertext) : null;
    },
    async krypterMange(borgerId, plaintexts) {
      if (markHolds(byId.get(borgerId)?.erasing_since, Date.now())) throw new SletningIGangError(borgerId);
      const key = dataKey(borgerId);
      return key ? plaintexts.map((text) => sealText(key, borgerId, text)) : null;
    },
    async dekrypterMange(items) {
      const keys = new Map<string, Buffer | null>();
      for (const { borgerId } of items) if (!keys.has(borgerId)) keys.set(borgerId, dataKey(borgerId));
      return items.map(({ borgerId, ciphertext }) => {
        const key = keys.get(borgerId);
        return key ? openText(key, borgerId, ciphertext) : null;
      });
    },
    async paabegyndSletning(borgerId) {
      // Real time, like markHolds: the mark is about this process's work, not the hub's (possibly simulated) clock.
      return mark.run(new Date().toISOString(), borgerId).changes === 1;
    },
    async afbrydSletning(borgerId) {
      unmark.run(borgerId);
    },
    async slet(borgerId) {
      const row = byId.get(borgerId);
      if (!row) return false;
      if (row.erased_at === null) erase.run(now(), borgerId);
      // Fold the WAL into the main file so the erased key is overwritten there too, not only marked deleted.
      db.pragma('wal_checkpoint(TRUNCATE)');
      return true;
    },
    async erSlettet(borgerId) {
      return byId.get(borgerId)?.erased_at != null;
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
