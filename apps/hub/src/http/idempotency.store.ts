import type { StoreLocation } from '@hub/event-store';
import { openPostgresIdempotencyStore } from './postgres.idempotency-store';
import { openSqliteIdempotencyStore } from './sqlite.idempotency-store';

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
 * Adapters: a SQLite file (embedded default) and a PostgreSQL schema, which every API instance shares, so a retry
 * that lands on another instance is still a retry.
 */
export interface IdempotencyStore {
  /** Claims the key atomically across every process sharing the store: of two concurrent claims one is `new`. */
  begin(scope: string, key: string, requestHash: string): Promise<IdempotencyStart>;
  finish(scope: string, key: string, response: StoredResponse): Promise<void>;
  /** Gives the key back (the outcome was transient: a conflict or an outage), so a retry runs again. */
  abandon(scope: string, key: string): Promise<void>;
  close(): Promise<void>;
}

export interface IdempotencyOptions {
  /** Milliseconds since the epoch. */
  readonly clock?: () => number;
  /** How long records are kept. Default 24 h. */
  readonly retentionMs?: number;
  /**
   * A pending claim older than this belongs to a request that died with its process; a retry may take it over.
   * Server-assigned ids are derived from the key (command-executor.ts), so even then a command cannot create twice.
   * Default 30 s: far longer than a command takes, short enough that a client retrying after a crashed hub (the
   * reliability campaign's case) is not refused with 409 for long.
   */
  readonly staleClaimMs?: number;
}

export const IDEMPOTENCY_DEFAULTS = { retentionMs: 24 * 3600_000, staleClaimMs: 30_000, purgeEveryMs: 3600_000 };

/** Opens the store where `location` says: `{ kind: 'sqlite', file }` or `{ kind: 'postgres', connectionString, schema }`. */
export async function openIdempotencyStore(
  location: StoreLocation,
  options: IdempotencyOptions = {},
): Promise<IdempotencyStore> {
  return location.kind === 'postgres'
    ? openPostgresIdempotencyStore({ ...options, connectionString: location.connectionString, schema: location.schema })
    : openSqliteIdempotencyStore({ ...options, file: location.file });
}
