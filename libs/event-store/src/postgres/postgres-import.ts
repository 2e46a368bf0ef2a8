import type { PoolClient } from 'pg';
import { DuplicateEventIdError, InvalidAppendError } from '../errors';
import type { RecordedEvent } from '../event-store.port';
import { validateAppend } from '../validate-append';
import { copyFromLines, copyLine } from './postgres-copy';
import { isUniqueViolation } from './postgres-errors';
import type { SchemaNames } from './postgres.schema';

/** recordedAt as every adapter writes it (`Date.toISOString()`), so it reads back as the same string. */
const RECORDED_AT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** The columns of each COPY row, in this order. */
const COPY_COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at';

interface ImportRows {
  readonly positions: number[];
  readonly streamIds: string[];
  readonly eventIds: string[];
  /** Each event as one row of COPY's text format, in the column order of COPY_COLUMNS. */
  readonly lines: string[];
  /** Per stream of the batch: the revision its first event in the batch must continue. */
  readonly firstRevisions: Map<string, number>;
}

function refuse(reason: string, details: Record<string, unknown> = {}): never {
  throw new InvalidAppendError(`importRecorded refused the batch: ${reason}`, details);
}

/**
 * Checks what can be checked without the database: each event as an append would be checked, positions contiguous
 * within the batch, each stream's revisions contiguous within the batch, recordedAt in the adapters' format.
 */
function prepare(events: readonly RecordedEvent[]): ImportRows {
  const rows: ImportRows = {
    positions: [],
    streamIds: [],
    eventIds: [],
    lines: [],
    firstRevisions: new Map(),
  };
  const lastRevisions = new Map<string, number>();
  const seen = new Set<string>();
  const firstPosition = events[0]?.position ?? 0;
  events.forEach((event, index) => {
    const [valid] = validateAppend(event.streamId, [event], 'any');
    if (!valid) return;
    if (seen.has(event.eventId)) refuse(`event id ${event.eventId} occurs twice`, { eventId: event.eventId });
    seen.add(event.eventId);
    if (!Number.isSafeInteger(event.position) || event.position !== firstPosition + index) {
      refuse(
        `event ${index} has position ${event.position}, expected ${firstPosition + index} (positions must be contiguous)`,
        {
          index,
        },
      );
    }
    if (!Number.isSafeInteger(event.revision) || event.revision < 0) {
      refuse(`event ${index} has revision ${event.revision}`, { index });
    }
    const previous = lastRevisions.get(event.streamId);
    if (previous === undefined) rows.firstRevisions.set(event.streamId, event.revision);
    else if (event.revision !== previous + 1) {
      refuse(`event ${index} of ${event.streamId} has revision ${event.revision} after ${previous} in the batch`, {
        index,
        streamId: event.streamId,
      });
    }
    lastRevisions.set(event.streamId, event.revision);
    if (typeof event.recordedAt !== 'string' || !RECORDED_AT_PATTERN.test(event.recordedAt)) {
      refuse(`event ${index} has recordedAt ${JSON.stringify(event.recordedAt)}, not YYYY-MM-DDTHH:mm:ss.sssZ`, {
        index,
      });
    }
    rows.positions.push(event.position);
    rows.streamIds.push(event.streamId);
    rows.eventIds.push(event.eventId);
    rows.lines.push(
      copyLine([
        String(event.position),
        event.streamId,
        String(event.revision),
        event.eventId,
        event.type,
        valid.dataJson,
        valid.metadataJson,
        event.recordedAt,
      ]),
    );
  });
  return rows;
}

/**
 * Writes already-recorded events exactly as they are (ids, streams, revisions, positions, recordedAt, JSON text) in
 * one transaction, under the same head lock as appends. The batch must continue the log at head + 1 and each stream
 * at its current revision + 1; otherwise nothing is written and InvalidAppendError explains why. An event id stored
 * already gives DuplicateEventIdError. The rows go in with COPY (text format), each value escaped so that it is
 * stored exactly as given. A migration resumes by reading headPosition() and sending what follows it.
 */
export async function importRecorded(
  client: PoolClient,
  names: SchemaNames,
  events: readonly RecordedEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const rows = prepare(events);
  const first = rows.positions[0] as number;
  const last = rows.positions[rows.positions.length - 1] as number;
  await client.query('BEGIN');
  try {
    const head = Number(
      (await client.query<{ position: string }>(`SELECT position FROM ${names.head} FOR UPDATE`)).rows[0]?.position,
    );
    if (first !== head + 1) {
      refuse(
        `it starts at position ${first}, but the log's head is ${head}, so the next batch must start at ${head + 1}`,
        {
          head,
          firstPosition: first,
        },
      );
    }
    const streams = [...rows.firstRevisions.keys()];
    const current = await client.query<{ stream_id: string; revision: string }>(
      `SELECT stream_id, max(revision) AS revision FROM ${names.events} WHERE stream_id = ANY($1::text[]) GROUP BY stream_id`,
      [streams],
    );
    const stored = new Map(current.rows.map((row) => [row.stream_id, Number(row.revision)]));
    for (const [streamId, firstRevision] of rows.firstRevisions) {
      const next = (stored.get(streamId) ?? -1) + 1;
      if (firstRevision !== next) {
        refuse(`${streamId} continues at revision ${firstRevision}, but the stream's next revision is ${next}`, {
          streamId,
          revision: firstRevision,
          expected: next,
        });
      }
    }
    // COPY rather than INSERT … unnest: no array literals to build or parse; the server still checks the JSON
    // (json_in) and every constraint, and a unique violation rolls the whole batch back as before.
    await copyFromLines(client, `COPY ${names.events} (${COPY_COLUMNS}) FROM STDIN`, rows.lines);
    await client.query(`UPDATE ${names.head} SET position = $1`, [last]);
    await client.query(`SELECT pg_notify($1, $2)`, [names.channel, String(last)]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (isUniqueViolation(error, 'events_event_id_key')) {
      const clash = await client.query<{ event_id: string }>(
        `SELECT event_id FROM ${names.events} WHERE event_id = ANY($1::uuid[]) ORDER BY position LIMIT 1`,
        [rows.eventIds],
      );
      const eventId = clash.rows[0]?.event_id ?? '';
      const index = rows.eventIds.indexOf(eventId);
      throw new DuplicateEventIdError(rows.streamIds[index] ?? '', eventId);
    }
    throw error;
  }
}
