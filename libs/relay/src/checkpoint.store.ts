import Database from 'better-sqlite3';

/** A worker's durable position in the store's global log. */
export interface CheckpointStore {
  /** The last position handled; 0 before the first. */
  load(): number;
  /** The id of the event at that position, when it was recorded: lets the relay check it still follows the same log. */
  loadEventId?(): string | null;
  save(position: number, eventId?: string): void;
  close(): void;
}

/**
 * Checkpoints in a small SQLite table, one row per worker name. synchronous=NORMAL: after a power loss the row may
 * be a little behind, which only re-sends messages consumers already dedupe; it never runs ahead of what was sent,
 * because a row is written only after the broker acknowledged the messages up to it.
 */
export function openSqliteCheckpointStore(options: { readonly file: string; readonly name: string }): CheckpointStore {
  const db = new Database(options.file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS checkpoint (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  )`);
  // Added later: files from before have no event_id column; they gain it, and the check starts with the next save.
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(checkpoint)').all();
  if (!columns.some((c) => c.name === 'event_id')) db.exec('ALTER TABLE checkpoint ADD COLUMN event_id TEXT');
  const read = db.prepare<[string], number>('SELECT position FROM checkpoint WHERE name = ?').pluck();
  const readEventId = db.prepare<[string], string | null>('SELECT event_id FROM checkpoint WHERE name = ?').pluck();
  const write = db.prepare<[string, number, string | null, string]>(
    `INSERT INTO checkpoint (name, position, event_id, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET position = excluded.position, event_id = excluded.event_id, updated_at = excluded.updated_at`,
  );
  return {
    load: () => read.get(options.name) ?? 0,
    loadEventId: () => readEventId.get(options.name) ?? null,
    save: (position, eventId) => {
      write.run(options.name, position, eventId ?? null, new Date().toISOString());
    },
    close: () => {
      if (db.open) db.close();
    },
  };
}
