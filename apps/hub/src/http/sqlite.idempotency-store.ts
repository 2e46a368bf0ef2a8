import Database from 'better-sqlite3';
import {
  IDEMPOTENCY_DEFAULTS,
  type IdempotencyOptions,
  type IdempotencyStart,
  type IdempotencyStore,
} from './idempotency.store';

interface Row {
  readonly request_hash: string;
  readonly status: number | null;
  readonly body: string | null;
  readonly headers: string | null;
  readonly created_at: number;
}

/** The idempotency store in a SQLite file (`hub.sqlite` by default): one IMMEDIATE transaction per claim. */
export function openSqliteIdempotencyStore(options: IdempotencyOptions & { readonly file: string }): IdempotencyStore {
  const clock = options.clock ?? Date.now;
  const retentionMs = options.retentionMs ?? IDEMPOTENCY_DEFAULTS.retentionMs;
  const staleClaimMs = options.staleClaimMs ?? IDEMPOTENCY_DEFAULTS.staleClaimMs;
  const db = new Database(options.file);
  db.pragma('journal_mode = WAL');
  // As durable as the event log: a stored response must not vanish while the events it reports stay.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS idempotency (
    scope TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
    status INTEGER, body TEXT, headers TEXT, created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key));
    CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency (created_at);`);
  const claim = db.prepare(
    'INSERT OR IGNORE INTO idempotency (scope, key, request_hash, created_at) VALUES (?, ?, ?, ?)',
  );
  const find = db.prepare<[string, string], Row>(
    'SELECT request_hash, status, body, headers, created_at FROM idempotency WHERE scope = ? AND key = ?',
  );
  const takeOver = db.prepare(
    'UPDATE idempotency SET created_at = ? WHERE scope = ? AND key = ? AND status IS NULL AND created_at = ?',
  );
  const complete = db.prepare('UPDATE idempotency SET status = ?, body = ?, headers = ? WHERE scope = ? AND key = ?');
  const release = db.prepare('DELETE FROM idempotency WHERE scope = ? AND key = ? AND status IS NULL');
  const purge = db.prepare('DELETE FROM idempotency WHERE created_at < ?');
  purge.run(clock() - retentionMs);
  const purgeTimer = setInterval(() => {
    if (db.open) purge.run(clock() - retentionMs);
  }, IDEMPOTENCY_DEFAULTS.purgeEveryMs).unref();

  const begin = db.transaction((scope: string, key: string, requestHash: string): IdempotencyStart => {
    const now = clock();
    if (claim.run(scope, key, requestHash, now).changes === 1) return { kind: 'new' };
    // The claim failed inside this IMMEDIATE transaction, so the row exists.
    const row = find.get(scope, key) as Row;
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.status === null) {
      if (now - row.created_at > staleClaimMs && takeOver.run(now, scope, key, row.created_at).changes === 1)
        return { kind: 'new' };
      return { kind: 'in_progress' };
    }
    return {
      kind: 'replay',
      response: {
        status: row.status,
        body: row.body ?? '',
        headers: JSON.parse(row.headers ?? '{}') as Record<string, string>,
      },
    };
  });

  return {
    begin: async (scope, key, requestHash) => begin.immediate(scope, key, requestHash),
    async finish(scope, key, response) {
      complete.run(response.status, response.body, JSON.stringify(response.headers), scope, key);
    },
    async abandon(scope, key) {
      release.run(scope, key);
    },
    async close() {
      clearInterval(purgeTimer);
      if (db.open) db.close();
    },
  };
}
