import Database from 'better-sqlite3';
import { openPostgresProcessedMessages } from './postgres.processed-messages';

export type ProcessedState = 'pending' | 'done' | 'dead';

/** What the consumer knows about a message id before it handles the message. */
export type BeginResult =
  /** Never seen: now marked pending. */
  | 'new'
  /** Seen, but its handling did not finish (a crash or a stop in between): it may or may not have been applied. */
  | 'unfinished'
  /** Applied, or dead-lettered, before: a redelivery to skip. */
  | 'done'
  | 'dead';

/**
 * The inbound consumer's durable record of message ids (the high-water-mark table of style.md §9.4 D), per command
 * topic, because CloudEvents ids are unique only per source and a topic is one sender. Adapters: a SQLite file
 * (synchronous=FULL: a "done" lost in a power cut would let a redelivered command apply twice) and a PostgreSQL schema,
 * which every API instance's consumer shares, so a command redelivered to another instance is known there.
 */
export interface ProcessedMessages {
  /** Atomic across every process sharing the store: of two concurrent begins of one id, one is `new`. */
  begin(topic: string, messageId: string): Promise<BeginResult>;
  finish(topic: string, messageId: string, state: 'done' | 'dead', code: string | null): Promise<void>;
  /** Forgets finished ids older than the cut-off (ISO-8601); redeliveries cannot be older than the topic's retention. */
  prune(olderThan: string): Promise<number>;
  close(): Promise<void>;
}

/** Where the ids live: `{ kind: 'sqlite', file }` or `{ kind: 'postgres', connectionString, schema }`. */
export type ProcessedMessagesLocation =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly connectionString: string; readonly schema: string };

export async function openProcessedMessages(
  location: ProcessedMessagesLocation,
  options: { readonly now?: () => string } = {},
): Promise<ProcessedMessages> {
  return location.kind === 'postgres'
    ? openPostgresProcessedMessages({
        ...options,
        connectionString: location.connectionString,
        schema: location.schema,
      })
    : openSqliteProcessedMessages({ ...options, file: location.file });
}

export function openSqliteProcessedMessages(options: {
  readonly file: string;
  readonly now?: () => string;
}): ProcessedMessages {
  const now = options.now ?? (() => new Date().toISOString());
  const db = new Database(options.file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE IF NOT EXISTS processed_message (
    topic TEXT NOT NULL,
    message_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'dead')),
    code TEXT,
    attempts INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (topic, message_id)
  )`);
  const read = db.prepare<[string, string], { state: ProcessedState }>(
    'SELECT state FROM processed_message WHERE topic = ? AND message_id = ?',
  );
  const insert = db.prepare<[string, string, string]>(
    `INSERT INTO processed_message (topic, message_id, state, attempts, updated_at) VALUES (?, ?, 'pending', 1, ?)`,
  );
  const again = db.prepare<[string, string, string]>(
    'UPDATE processed_message SET attempts = attempts + 1, updated_at = ? WHERE topic = ? AND message_id = ?',
  );
  const finish = db.prepare<[string, string | null, string, string, string]>(
    'UPDATE processed_message SET state = ?, code = ?, updated_at = ? WHERE topic = ? AND message_id = ?',
  );
  const prune = db.prepare<[string]>(`DELETE FROM processed_message WHERE state != 'pending' AND updated_at < ?`);
  const begin = db.transaction((topic: string, messageId: string): BeginResult => {
    const row = read.get(topic, messageId);
    if (!row) {
      insert.run(topic, messageId, now());
      return 'new';
    }
    if (row.state !== 'pending') return row.state;
    again.run(now(), topic, messageId);
    return 'unfinished';
  });
  return {
    begin: async (topic, messageId) => begin.immediate(topic, messageId),
    finish: async (topic, messageId, state, code) => {
      finish.run(state, code, now(), topic, messageId);
    },
    prune: async (olderThan) => prune.run(olderThan).changes,
    close: async () => {
      if (db.open) db.close();
    },
  };
}
