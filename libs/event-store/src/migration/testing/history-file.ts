import Database from 'better-sqlite3';
import { EVENTS_PER_BESTILLING, writeHistory } from '../../../../../bench/history';
import type { AppendResult, EventStore, EventToAppend } from '../../event-store.port';
import { openSqliteEventStore } from '../../sqlite/sqlite.event-store';
import { validateAppend } from '../../validate-append';

export { EVENTS_PER_BESTILLING };

/**
 * Writes the benchmarks' realistic history (`bench/history.ts`: bestillinger with delmål, observations, evalueringer,
 * tilbagemeldinger, interleaved 50 at a time, about 3 events per append) into a new SQLite event store file, fast
 * enough for a million events in a test: the appends are validated and serialised as the adapter does, numbered
 * (revision, position, one recordedAt per append, 3 ms apart) and inserted in transactions of 20,000 rows with
 * synchronous=OFF, instead of one committed transaction per append. The file is created (schema, version) by the
 * adapter itself, and tests read it back through the adapter.
 */
export async function writeHistoryFile(file: string, bestillinger: number): Promise<number> {
  await openSqliteEventStore({ file }).close();
  const db = new Database(file);
  try {
    // A throwaway bulk load: no journal, no syncs; the adapter's WAL mode is restored at the end.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const insert = db.prepare<[number, string, number, string, string, string, string, string]>(
      `INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    type Row = Parameters<typeof insert.run>;
    let rows: Row[] = [];
    const flush = db.transaction((batch: Row[]) => {
      for (const row of batch) insert.run(...row);
    });
    const revisions = new Map<string, number>();
    let position = 0;
    let appends = 0;
    const start = Date.UTC(2025, 0, 1);
    const recorder: Pick<EventStore, 'appendToStream'> = {
      async appendToStream(streamId: string, events: readonly EventToAppend[]): Promise<AppendResult> {
        const recordedAt = new Date(start + appends++ * 3).toISOString();
        let revision = revisions.get(streamId) ?? -1;
        for (const event of validateAppend(streamId, events, 'any')) {
          revision += 1;
          position += 1;
          rows.push([
            position,
            streamId,
            revision,
            event.eventId,
            event.type,
            event.dataJson,
            event.metadataJson,
            recordedAt,
          ]);
        }
        revisions.set(streamId, revision);
        if (rows.length >= 20_000) {
          flush(rows);
          rows = [];
        }
        return { nextRevision: revision, lastPosition: position, duplicate: false };
      },
    };
    await writeHistory(recorder as EventStore, bestillinger);
    flush(rows);
    db.pragma('journal_mode = WAL');
    return position;
  } finally {
    db.close();
  }
}
