import Database from 'better-sqlite3';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { erGyldigtCpr, kontrollerCpr, normaliserCpr } from '@hub/domain';

/**
 * PII vault (design.md §3): CPR and other direct identifiers live only here, never in an event or a log line.
 * Each borger has a random 256-bit data key, stored wrapped (AES-256-GCM) under the hub's master key. Lookup by CPR
 * goes through a keyed blind index (HMAC-SHA256), so the file holds no CPR in clear. Erasure deletes the data key
 * and the index entry (crypto-shredding): ciphertext that remains anywhere can no longer be read.
 */
export interface PiiVault {
  /** The hub's borgerId for a CPR number; creates one (with `newId`) the first time the CPR is seen. */
  registrerBorger(cpr: string, newId: () => string): { borgerId: string; ny: boolean };
  /** The borgerId of a CPR number seen before, without registering it; null when unknown (or erased). */
  findBorger(cpr: string): string | null;
  /** The CPR of a borger, or null when the borger was erased or is unknown. */
  laesCpr(borgerId: string): string | null;
  /** Encrypts identifying free text under the borger's key; null when the borger is erased. */
  krypter(borgerId: string, plaintext: string): string | null;
  /** Decrypts text from `krypter`; null when the borger was erased. */
  dekrypter(borgerId: string, ciphertext: string): string | null;
  /** Crypto-shredding: deletes the borger's data key and CPR index. Idempotent. Returns false for an unknown borger. */
  slet(borgerId: string): boolean;
  erSlettet(borgerId: string): boolean;
  close(): void;
}

const ALG = 'aes-256-gcm';

function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALG, key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv(ALG, key, sealed.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}

export function openSqlitePiiVault(options: { file: string; masterKey: Buffer; now?: () => string }): PiiVault {
  const now = options.now ?? (() => new Date().toISOString());
  if (options.masterKey.length !== 32)
    throw new Error('The PII master key must be 32 bytes (HUB_PII_MASTER_KEY, base64)');
  const kek = Buffer.from(hkdfSync('sha256', options.masterKey, Buffer.alloc(0), 'ffb-hub pii key-encryption', 32));
  const indexKey = Buffer.from(hkdfSync('sha256', options.masterKey, Buffer.alloc(0), 'ffb-hub cpr blind index', 32));
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
      erased_at   TEXT
    );
    CREATE TABLE IF NOT EXISTS vault_check (id INTEGER PRIMARY KEY CHECK (id = 1), sealed BLOB NOT NULL);
  `);
  const check = db.prepare('SELECT sealed FROM vault_check WHERE id = 1').get() as { sealed: Buffer } | undefined;
  if (!check) {
    db.prepare('INSERT INTO vault_check (id, sealed) VALUES (1, ?)').run(
      seal(kek, Buffer.from('ffb-hub'), 'vault-check'),
    );
  } else {
    try {
      open(kek, check.sealed, 'vault-check');
    } catch {
      db.close();
      throw new Error(
        `The PII vault ${options.file} was created with another master key; set HUB_PII_MASTER_KEY to that key`,
      );
    }
  }
  const byIndex = db.prepare<[Buffer], { borger_id: string }>('SELECT borger_id FROM borger WHERE cpr_index = ?');
  const insert = db.prepare(
    'INSERT INTO borger (borger_id, cpr_index, data_key, cpr, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const byId = db.prepare<[string], { data_key: Buffer | null; cpr: Buffer | null; erased_at: string | null }>(
    'SELECT data_key, cpr, erased_at FROM borger WHERE borger_id = ?',
  );
  const erase = db.prepare(
    'UPDATE borger SET cpr_index = NULL, data_key = NULL, cpr = NULL, erased_at = ? WHERE borger_id = ?',
  );

  const dataKey = (borgerId: string): Buffer | null => {
    const row = byId.get(borgerId);
    return row?.data_key ? open(kek, row.data_key, `data-key:${borgerId}`) : null;
  };

  const index = (cpr: string) => createHmac('sha256', indexKey).update(normaliserCpr(cpr)).digest();

  return {
    findBorger(cpr) {
      return erGyldigtCpr(cpr) ? (byIndex.get(index(cpr))?.borger_id ?? null) : null;
    },
    registrerBorger(cpr, newId) {
      kontrollerCpr(cpr);
      const normal = normaliserCpr(cpr);
      const index = createHmac('sha256', indexKey).update(normal).digest();
      return db
        .transaction(() => {
          const existing = byIndex.get(index);
          if (existing) return { borgerId: existing.borger_id, ny: false };
          const borgerId = newId();
          const key = randomBytes(32);
          insert.run(
            borgerId,
            index,
            seal(kek, key, `data-key:${borgerId}`),
            seal(key, Buffer.from(normal), `cpr:${borgerId}`),
            now(),
          );
          return { borgerId, ny: true };
        })
        .immediate();
    },
    laesCpr(borgerId) {
      const row = byId.get(borgerId);
      const key = dataKey(borgerId);
      return row?.cpr && key ? open(key, row.cpr, `cpr:${borgerId}`).toString() : null;
    },
    krypter(borgerId, plaintext) {
      const key = dataKey(borgerId);
      return key ? seal(key, Buffer.from(plaintext), `text:${borgerId}`).toString('base64') : null;
    },
    dekrypter(borgerId, ciphertext) {
      const key = dataKey(borgerId);
      return key ? open(key, Buffer.from(ciphertext, 'base64'), `text:${borgerId}`).toString() : null;
    },
    slet(borgerId) {
      const row = byId.get(borgerId);
      if (!row) return false;
      if (row.erased_at === null) erase.run(now(), borgerId);
      // Fold the WAL into the main file so the erased key is overwritten there too, not only marked deleted.
      db.pragma('wal_checkpoint(TRUNCATE)');
      return true;
    },
    erSlettet(borgerId) {
      return byId.get(borgerId)?.erased_at != null;
    },
    close() {
      if (db.open) db.close();
    },
  };
}
