import type { EventStore, RecordedEvent } from '../event-store.port';
import type { PostgresEventStore } from '../postgres/postgres.event-store';
import { appendWriter, importWriter, type LogWriter } from './log-writer';

/** Progress of a copy: this run's share of the log, as the CLI shows it. */
export interface MigrationProgress {
  /** Events copied by this run so far. */
  readonly copied: number;
  /** Events this run copies in all (the source head when it started minus the target head). */
  readonly total: number;
  /** The target's head now. */
  readonly position: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  /** Seconds left at the rate so far; undefined before the first page. */
  readonly etaSeconds: number | undefined;
}

export interface MigrationResult {
  /** The target's head when this run started: what an earlier run had copied. */
  readonly resumedAt: number;
  readonly copied: number;
  /** The source head this run copied up to (events appended to the source later are left for the next run). */
  readonly head: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
}

export interface MigrateLogOptions {
  readonly source: EventStore;
  /** A PostgreSQL store is written by bulk import; any other store needs `writer` (see `appendWriter`). */
  readonly target: EventStore | PostgresEventStore;
  /** How `target` is written. Default: `importRecorded` when the target has it, else plain appends. */
  readonly writer?: LogWriter;
  /** Events per page read from the source and written to the target. Default 5000. */
  readonly batchSize?: number;
  /** Called after every page. */
  readonly onProgress?: (progress: MigrationProgress) => void;
}

/** The target already holds events that are not the source's first events: the migration would mix two logs. */
export class MigrationRefusedError extends Error {
  readonly code = 'MIGRATION.TARGET_HOLDS_ANOTHER_LOG';
  constructor(message: string) {
    super(message);
    this.name = 'MigrationRefusedError';
  }
}

const describeEvent = (event: RecordedEvent | undefined): string =>
  event === undefined
    ? 'nothing'
    : `${event.eventId} (${event.type}, ${event.streamId}@${event.revision}, position ${event.position})`;

const sameEvent = (a: RecordedEvent | undefined, b: RecordedEvent | undefined): boolean =>
  a !== undefined &&
  b !== undefined &&
  a.position === b.position &&
  a.eventId === b.eventId &&
  a.type === b.type &&
  a.streamId === b.streamId &&
  a.revision === b.revision;

const eventAt = async (store: EventStore, position: number): Promise<RecordedEvent | undefined> =>
  (await store.readAll({ after: position - 1, maxCount: 1 }))[0];

/**
 * Checks that the target's log is a prefix of the source's: its head is not beyond the source's, and its first and
 * last events are the source's events at those positions. Returns the target's head, where the copy resumes.
 */
export async function resumePosition(source: EventStore, target: EventStore, sourceHead: number): Promise<number> {
  const targetHead = await target.headPosition();
  if (targetHead === 0) return 0;
  if (targetHead > sourceHead) {
    throw new MigrationRefusedError(
      `The target holds ${targetHead} events, more than the source's ${sourceHead}: it holds another log. ` +
        'Nothing was written; migrate into an empty store.',
    );
  }
  for (const position of new Set([1, targetHead])) {
    const [fromSource, inTarget] = await Promise.all([eventAt(source, position), eventAt(target, position)]);
    if (!sameEvent(fromSource, inTarget)) {
      throw new MigrationRefusedError(
        `The target holds another log: its event at position ${position} is ${describeEvent(inTarget)}, ` +
          `the source's is ${describeEvent(fromSource)}. Nothing was written; migrate into an empty store.`,
      );
    }
  }
  return targetHead;
}

/**
 * Copies the source's log into the target, keeping positions, ids, streams, revisions, data, metadata (and, with a
 * writer that can, recordedAt). Resumable: it continues after the target's head once that is shown to be a prefix of
 * the source's log. Each page is one atomic write, so a crash at any point leaves a prefix. The next page is read
 * while the current one is written.
 */
export async function migrateLog(options: MigrateLogOptions): Promise<MigrationResult> {
  const { source, target } = options;
  const batchSize = options.batchSize ?? 5000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be >= 1: ${batchSize}`);
  const writer =
    options.writer ?? ('importRecorded' in target ? importWriter(target) : appendWriter(target as EventStore));
  const head = await source.headPosition();
  const resumedAt = await resumePosition(source, target, head);
  const total = head - resumedAt;
  const started = Date.now();
  const rate = (copied: number): number => {
    const seconds = (Date.now() - started) / 1000;
    return seconds > 0 ? copied / seconds : 0;
  };
  const read = (after: number): Promise<readonly RecordedEvent[]> =>
    source.readAll({ after, maxCount: Math.min(batchSize, head - after) });

  let position = resumedAt;
  let next = position < head ? read(position) : undefined;
  while (next) {
    const page = await next;
    const last = page[page.length - 1];
    if (!last || page[0]?.position !== position + 1) {
      throw new Error(
        `The source's log does not continue at position ${position + 1} (read ${page.length} events from ` +
          `${page[0]?.position ?? 'nowhere'}): it must be gap-free up to its head ${head}`,
      );
    }
    // Start the write first: a SQLite source reads synchronously, so the read runs while the target works.
    const writing = writer.write(page);
    next = last.position < head ? read(last.position) : undefined;
    next?.catch(() => undefined);
    await writing;
    position = last.position;
    if (options.onProgress) {
      const copied = position - resumedAt;
      const eventsPerSecond = rate(copied);
      options.onProgress({
        copied,
        total,
        position,
        elapsedMs: Date.now() - started,
        eventsPerSecond,
        etaSeconds: eventsPerSecond > 0 ? (total - copied) / eventsPerSecond : undefined,
      });
    }
  }
  const copied = position - resumedAt;
  return { resumedAt, copied, head, elapsedMs: Date.now() - started, eventsPerSecond: rate(copied) };
}
