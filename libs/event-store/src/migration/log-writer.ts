import type { EventStore, ExpectedRevision, RecordedEvent } from '../event-store.port';
import type { PostgresEventStore } from '../postgres/postgres.event-store';

/** Writes pages of a source log into a target so that they read back unchanged, positions included. */
export interface LogWriter {
  /** A short description for messages: how the target keeps the events. */
  readonly describe: string;
  /** Writes one page; it continues the target's log exactly (the page's first position is the target's head + 1). */
  write(events: readonly RecordedEvent[]): Promise<void>;
}

/** PostgreSQL: one bulk transaction per page that keeps every field, positions and recordedAt included. */
export function importWriter(target: Pick<PostgresEventStore, 'importRecorded'>): LogWriter {
  return {
    describe: 'bulk import (importRecorded)',
    write: (events) => target.importRecorded(events),
  };
}

/**
 * The clock of a target adapter during a migration: it answers with the recordedAt of the source append being
 * replayed, so adapters that take `recordedAt` from their clock (KurrentDB, SQLite) keep the original time.
 */
export interface ReplayClock {
  readonly now: () => Date;
  set(recordedAt: string): void;
}

export function replayClock(): ReplayClock {
  let current: Date | undefined;
  return {
    now: () => {
      if (!current) throw new Error('the replay clock was read before a source event set it');
      return current;
    },
    set: (recordedAt) => {
      current = new Date(recordedAt);
    },
  };
}

/** One append of the source as it was written: same stream, consecutive revisions and positions, one recordedAt. */
export interface AppendGroup {
  readonly streamId: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: readonly RecordedEvent[];
}

/**
 * Splits a page into the appends that wrote it. Every adapter gives all events of one append the same recordedAt, so
 * a group ends where the stream, the time or the revision sequence changes. Two appends to one stream in the same
 * millisecond become one, which changes no position, revision or recordedAt. `maxGroup` bounds one target append.
 */
export function appendGroups(events: readonly RecordedEvent[], maxGroup = 1000): AppendGroup[] {
  const groups: AppendGroup[] = [];
  let current: RecordedEvent[] = [];
  const flush = (): void => {
    const first = current[0];
    if (!first) return;
    groups.push({
      streamId: first.streamId,
      expectedRevision: first.revision === 0 ? 'no_stream' : first.revision - 1,
      events: current,
    });
    current = [];
  };
  for (const event of events) {
    const previous = current[current.length - 1];
    const continues =
      previous !== undefined &&
      current.length < maxGroup &&
      event.streamId === previous.streamId &&
      event.recordedAt === previous.recordedAt &&
      event.revision === previous.revision + 1 &&
      event.position === previous.position + 1;
    if (!continues) flush();
    current.push(event);
  }
  flush();
  return groups;
}

/**
 * A target without a bulk import (KurrentDB): replays the source's appends in order through `appendToStream` with the
 * same ids, data and metadata and an exact expected revision, so into an empty store every event gets the source's
 * revision and position. With `clock` (the target adapter's `now`) recordedAt is kept too; without it the target
 * stamps its own time. Each append is checked to land at the source position, so a writer racing the migration stops
 * it instead of shifting every later position.
 */
export function appendWriter(target: Pick<EventStore, 'appendToStream'>, clock?: ReplayClock): LogWriter {
  return {
    describe: clock ? 'appends replayed with the source recordedAt' : 'appends replayed (target stamps recordedAt)',
    async write(events) {
      for (const group of appendGroups(events)) {
        const last = group.events[group.events.length - 1] as RecordedEvent;
        clock?.set(last.recordedAt);
        const result = await target.appendToStream(
          group.streamId,
          group.events.map((event) => ({
            eventId: event.eventId,
            type: event.type,
            data: event.data,
            metadata: event.metadata,
          })),
          { expectedRevision: group.expectedRevision },
        );
        if (result.duplicate || result.lastPosition !== last.position || result.nextRevision !== last.revision) {
          throw new Error(
            `the target stored ${group.streamId}@${last.revision} (position ${last.position}) as revision ` +
              `${result.nextRevision} at position ${result.lastPosition}${result.duplicate ? ' (already stored)' : ''}; ` +
              'is something else writing to the target?',
          );
        }
      }
    },
  };
}
