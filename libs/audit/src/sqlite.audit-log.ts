import Database from 'better-sqlite3';
import { StoreUnavailableError } from '@hub/event-store';
import { AUDIT_COLUMNS, checkEntry, fromRow, toRow, type AuditLog, type AuditRow } from './audit-log';

/** SQLite allows 32,766 bound parameters per statement; 10 columns per entry. */
const ROWS_PER_STATEMENT = 3000;

/** The audit log in its own SQLite file (`<HUB_DATA_DIR>/audit.sqlite`), WAL and synchronous=FULL. */
export function openSqliteAuditLog(options: { readonly file: string }): AuditLog {
  const db = new Database(options.file);
  db.pragma('journal_mode = WAL');
  // An entry is written before the response is sent; it must survive a crash right after.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL, party TEXT NOT NULL, subject TEXT NOT NULL, kommunekode TEXT, tilbud_id TEXT,
    borger_id TEXT NOT NULL, action TEXT NOT NULL, channel TEXT NOT NULL, purpose TEXT NOT NULL,
    correlation_id TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS audit_borger ON audit (borger_id, at, seq);
    CREATE INDEX IF NOT EXISTS audit_at ON audit (at);`);
  const placeholders = `(${AUDIT_COLUMNS.map(() => '?').join(', ')})`;
  const inserts = new Map<number, Database.Statement>();
  const insert = (n: number) => {
    let statement = inserts.get(n);
    if (!statement) {
      statement = db.prepare(
        `INSERT INTO audit (${AUDIT_COLUMNS.join(', ')}) VALUES ${Array(n).fill(placeholders).join(', ')}`,
      );
      if (inserts.size < 64) inserts.set(n, statement);
    }
    return statement;
  };
  const forBorger = db.prepare<[string], AuditRow>(
    `SELECT ${AUDIT_COLUMNS.join(', ')} FROM audit WHERE borger_id = ? ORDER BY at, seq`,
  );
  const purge = db.prepare('DELETE FROM audit WHERE at < ?');
  const appendAll = db.transaction((rows: readonly AuditRow[]) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
      insert(chunk.length).run(chunk.flatMap((r) => AUDIT_COLUMNS.map((c) => r[c])));
    }
  });
  const guarded = <T>(body: () => T): T => {
    try {
      return body();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_IOERR' || code === 'SQLITE_FULL' || !db.open)
        throw new StoreUnavailableError(`the audit log is unavailable [${String(code ?? 'closed')}]`, error);
      throw error;
    }
  };
  return {
    async append(entries) {
      if (entries.length === 0) return;
      entries.forEach(checkEntry);
      guarded(() => appendAll.immediate(entries.map(toRow)));
    },
    async forBorger(borgerId) {
      return guarded(() => forBorger.all(borgerId).map(fromRow));
    },
    async purge(olderThan) {
      return guarded(() => purge.run(olderThan.toISOString()).changes);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
