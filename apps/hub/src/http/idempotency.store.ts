import Database from 'better-sqlite3';

export interface StoredResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

export type IdempotencyStart =
  | { readonly kind: 'new' }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'in_progress' }
  | { readonly kind: 'mismatch' };

/**
 * Idempotency-Key records (IETF draft "The Idempotency-Key HTTP Header Field"): the first request with a key claims
 * it with a pending row; its response is stored; a retry with the same key and body gets that response back, with
 * another body 422, while the first is still running 409. Keys are scoped per caller and kept for `retentionMs`.
 */
export class IdempotencyStore {
  private readonly db: Database.Database;
  private readonly claim: Database.Statement;
  private readonly find: Database.Statement<
    [string, string],
    { request_hash: string; status: number | null; body: string | null; headers: string | null; created_at: number }
  >;
  private readonly takeOver: Database.Statement;
  private readonly complete: Database.Statement;
  private readonly release: Database.Statement;
  private readonly purge: Database.Statement;
  private purgeTimer: NodeJS.Timeout;

  constructor(
    file: string,
    private readonly clock: () => number = Date.now,
    private readonly retentionMs = 24 * 3600_000,
    /**
     * A pending claim older than this belongs to a request that died with its process; a retry may take it over.
     * Server-assigned ids are derived from the key (command-executor.ts), so even then a command cannot create twice.
     */
    private readonly staleClaimMs = 10 * 60_000,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // As durable as the event log: a stored response must not vanish while the events it reports stay.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS idempotency (
      scope TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
      status INTEGER, body TEXT, headers TEXT, created_at INTEGER NOT NULL,
      PRIMARY KEY (scope, key));
      CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency (created_at);`);
    this.claim = this.db.prepare(
      'INSERT OR IGNORE INTO idempotency (scope, key, request_hash, created_at) VALUES (?, ?, ?, ?)',
    );
    this.find = this.db.prepare(
      'SELECT request_hash, status, body, headers, created_at FROM idempotency WHERE scope = ? AND key = ?',
    );
    this.takeOver = this.db.prepare(
      'UPDATE idempotency SET created_at = ? WHERE scope = ? AND key = ? AND status IS NULL AND created_at = ?',
    );
    this.complete = this.db.prepare(
      'UPDATE idempotency SET status = ?, body = ?, headers = ? WHERE scope = ? AND key = ?',
    );
    this.release = this.db.prepare('DELETE FROM idempotency WHERE scope = ? AND key = ? AND status IS NULL');
    this.purge = this.db.prepare('DELETE FROM idempotency WHERE created_at < ?');
    this.purge.run(this.clock() - this.retentionMs);
    this.purgeTimer = setInterval(() => this.purge.run(this.clock() - this.retentionMs), 3600_000).unref();
  }

  begin(scope: string, key: string, requestHash: string): IdempotencyStart {
    const now = this.clock();
    return this.db
      .transaction((): IdempotencyStart => {
        if (this.claim.run(scope, key, requestHash, now).changes === 1) return { kind: 'new' };
        // The claim failed inside this IMMEDIATE transaction, so the row exists.
        const row = this.find.get(scope, key) as NonNullable<ReturnType<typeof this.find.get>>;
        if (row.request_hash !== requestHash) return { kind: 'mismatch' };
        if (row.status === null) {
          if (
            now - row.created_at > this.staleClaimMs &&
            this.takeOver.run(now, scope, key, row.created_at).changes === 1
          )
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
      })
      .immediate();
  }

  finish(scope: string, key: string, response: StoredResponse): void {
    this.complete.run(response.status, response.body, JSON.stringify(response.headers), scope, key);
  }

  /** Gives the key back (the outcome was transient: a conflict or an outage), so a retry runs again. */
  abandon(scope: string, key: string): void {
    this.release.run(scope, key);
  }

  close(): void {
    clearInterval(this.purgeTimer);
    if (this.db.open) this.db.close();
  }
}
