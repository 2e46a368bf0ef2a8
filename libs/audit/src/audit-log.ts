import type { StoreLocation } from '@hub/event-store';
import { openPostgresAuditLog } from './postgres.audit-log';
import { openSqliteAuditLog } from './sqlite.audit-log';

/** Where a lookup or write came in: an HTTP route (its template, not the URL with ids) or a Kafka topic. */
export type AuditChannel =
  | { readonly kind: 'http'; readonly method: string; readonly route: string }
  | { readonly kind: 'kafka'; readonly topic: string };

/** Læs (a lookup, a delivery to a party) or skriv (a command that changes what the hub knows about a borger). */
export type AuditAction = 'laes' | 'skriv';

/**
 * One use of a borger's data (Datatilsynet's catalogue of measures; CJEU C-579/21: when and why): who (party, its
 * kommune or tilbud, and the token's subject), when, which borger, what, where, and the stated purpose.
 */
export interface AuditEntry {
  /** ISO-8601 UTC, as `Date.toISOString()` writes it. */
  readonly at: string;
  readonly party: string;
  readonly subject: string;
  readonly kommunekode?: string;
  readonly tilbudId?: string;
  readonly borgerId: string;
  readonly action: AuditAction;
  readonly channel: AuditChannel;
  readonly purpose: string;
  readonly correlationId: string;
}

/**
 * The audit log: append-only. Entries are never changed; the only deletion is retention (`purge`). A list that touches
 * many borgere is one `append` call, one transaction, one insert statement.
 */
export interface AuditLog {
  /** Appends durably (synchronous=FULL / synchronous_commit=on) before it resolves; all or none. */
  append(entries: readonly AuditEntry[]): Promise<void>;
  /** Every entry of the borger, oldest first (entries with the same time in the order they were appended). */
  forBorger(borgerId: string): Promise<AuditEntry[]>;
  /** Deletes the entries recorded before `olderThan`; returns how many. */
  purge(olderThan: Date): Promise<number>;
  close(): Promise<void>;
}

/** Opens the audit log where `location` says: `<dir>/audit.sqlite` or a PostgreSQL schema. */
export async function openAuditLog(location: StoreLocation): Promise<AuditLog> {
  return location.kind === 'postgres'
    ? openPostgresAuditLog({ connectionString: location.connectionString, schema: location.schema })
    : openSqliteAuditLog({ file: location.file });
}

/** Rejects entries the log must not hold: a timestamp that is not ISO-8601 UTC, an empty borger or purpose. */
export function checkEntry(e: AuditEntry): void {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(e.at)) throw new Error(`audit entry: bad time ${e.at}`);
  if (!e.borgerId || !e.purpose || !e.party || !e.subject) throw new Error('audit entry: a required field is empty');
}

export interface AuditRow {
  readonly at: string;
  readonly party: string;
  readonly subject: string;
  readonly kommunekode: string | null;
  readonly tilbud_id: string | null;
  readonly borger_id: string;
  readonly action: string;
  readonly channel: string;
  readonly purpose: string;
  readonly correlation_id: string;
}

export const toRow = (e: AuditEntry): AuditRow => ({
  at: e.at,
  party: e.party,
  subject: e.subject,
  kommunekode: e.kommunekode ?? null,
  tilbud_id: e.tilbudId ?? null,
  borger_id: e.borgerId,
  action: e.action,
  channel: JSON.stringify(e.channel),
  purpose: e.purpose,
  correlation_id: e.correlationId,
});

export const fromRow = (r: AuditRow): AuditEntry => ({
  at: r.at,
  party: r.party,
  subject: r.subject,
  ...(r.kommunekode === null ? {} : { kommunekode: r.kommunekode }),
  ...(r.tilbud_id === null ? {} : { tilbudId: r.tilbud_id }),
  borgerId: r.borger_id,
  action: r.action as AuditAction,
  channel: JSON.parse(r.channel) as AuditChannel,
  purpose: r.purpose,
  correlationId: r.correlation_id,
});

export const AUDIT_COLUMNS = [
  'at',
  'party',
  'subject',
  'kommunekode',
  'tilbud_id',
  'borger_id',
  'action',
  'channel',
  'purpose',
  'correlation_id',
] as const;
