import { jsonEvent, type EventData, type JSONType } from '@kurrent/kurrentdb-client';
import { DuplicateEventIdError, StoreUnavailableError } from '../errors';
import type { AppendResult, EventMetadata, ExpectedRevision, RecordedEvent } from '../event-store.port';
import { NO_STREAM_REVISION } from '../event-store.port';
import { uuidV5 } from '../uuid-v5';
import type { ValidatedEvent } from '../validate-append';

/**
 * How the hub's events sit in KurrentDB (docs/adr/0010). One append of k events to stream S is one atomic
 * multi-stream append of three parts:
 * - the k events in S itself (KurrentDB checks S's expected revision),
 * - the same k events in the namespace's log stream `_<ns>_log` at the log's exact head (gap-free positions:
 *   position = log revision + 1),
 * - one claim record per event id in `_<ns>_id-<eventId>`, expected `no_stream` (event ids are unique store-wide).
 * Every copy carries its stream, revision, position and recordedAt as properties, so each reads back on its own.
 */

/** Namespaces are lowercase ASCII, so the streams below can never be hub streams (those start with a letter). */
export const NAMESPACE_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;

const LOG_COPY_ID_NAMESPACE = '627f027e-1e47-4358-9915-1b06cec46e82';
const ID_CLAIM_ID_NAMESPACE = 'ee28b199-c554-45ee-9f29-e94ecd5815e7';
export const ID_CLAIM_TYPE = 'HubEventIdClaimed';

/** Property keys (KurrentDB reserves `$`-prefixed ones; properties are string-valued). */
export const PROPERTY = {
  metadata: 'hubMetadata',
  eventId: 'hubEventId',
  streamId: 'hubStreamId',
  revision: 'hubRevision',
  position: 'hubPosition',
  recordedAt: 'hubRecordedAt',
} as const;

export function logStreamOf(namespace: string): string {
  return `_${namespace}_log`;
}

export function idClaimStreamOf(namespace: string, eventId: string): string {
  return `_${namespace}_id-${eventId}`;
}

/** Server-side filter for a `$all` subscription: the namespace's log stream only (so no system events either). */
export function logStreamRegex(namespace: string): string {
  return `^${logStreamOf(namespace).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

/** A log position is the log stream's revision + 1; position 0 ("before the first event") has no record. */
export function logRevisionOf(position: number): bigint {
  return BigInt(position - 1);
}

export function positionOfLogRevision(revision: bigint): number {
  return Number(revision) + 1;
}

/** The log's expected state for an append when its head (last position) is `head`. */
export function logExpectedState(head: number): 'no_stream' | bigint {
  return head === 0 ? 'no_stream' : logRevisionOf(head);
}

/** The stream's expected state sent to KurrentDB: always concrete, because every copy carries its revision. */
export function streamExpectedState(currentRevision: number): 'no_stream' | bigint {
  return currentRevision === NO_STREAM_REVISION ? 'no_stream' : BigInt(currentRevision);
}

/**
 * The revision to write at, given the caller's expectation and the stream's revision as last read. `null` means the
 * expectation cannot hold (a conflict, unless the append turns out to be a retry). `any` and `stream_exists` become
 * the revision just read; if another writer moves the stream in between, KurrentDB refuses and the adapter re-reads.
 */
export function resolveExpectedRevision(expected: ExpectedRevision, current: number): number | null {
  switch (expected) {
    case 'any':
      return current;
    case 'stream_exists':
      return current === NO_STREAM_REVISION ? null : current;
    case 'no_stream':
      return current === NO_STREAM_REVISION ? current : null;
    default:
      return expected === current ? current : null;
  }
}

/** True when the caller pinned the revision, so a KurrentDB conflict on the stream is the caller's conflict. */
export function isPinned(expected: ExpectedRevision): boolean {
  return expected === 'no_stream' || typeof expected === 'number';
}

/** The log's last event as an append needs it: its position (0 when empty) and when it was recorded. */
export interface LogHead {
  readonly position: number;
  /** The head event's `recordedAt`; `undefined` for an empty log. */
  readonly recordedAt: string | undefined;
}

export const EMPTY_LOG: LogHead = { position: 0, recordedAt: undefined };

/**
 * The head from the log's last record (`undefined`: the log is empty). The record must be a hub event with a
 * readable time: without it the next append could not keep `recordedAt` from going backwards, so it is refused.
 */
export function logHeadOf(last: StoredRecord | undefined): LogHead {
  if (last === undefined) return EMPTY_LOG;
  const event = toLogEvent(last);
  if (Number.isNaN(Date.parse(event.recordedAt))) {
    unreadable(last, `property ${PROPERTY.recordedAt} is not a time`);
  }
  return { position: event.position, recordedAt: event.recordedAt };
}

/**
 * `recordedAt` for an append at `head`: max(now, the head event's recordedAt). Instances with different clocks share
 * the log, and readers take "recorded by t" to mean "every event up to here" (docs/adr/0008), so `recordedAt` never
 * decreases along the log; the PostgreSQL store does the same in `append_events`.
 */
export function recordedAtAfter(head: LogHead, now: Date): string {
  const stamped = now.toISOString();
  if (head.recordedAt === undefined) return stamped;
  const headTime = Date.parse(head.recordedAt);
  if (Number.isNaN(headTime)) throw new RangeError(`the log head's recordedAt is not a time: ${head.recordedAt}`);
  return headTime > now.getTime() ? new Date(headTime).toISOString() : stamped;
}

export interface WritePlan {
  readonly streamEvents: EventData[];
  readonly logEvents: EventData[];
  readonly claims: ReadonlyArray<{ readonly streamName: string; readonly event: EventData }>;
  readonly result: AppendResult;
  /** The time every event of this append records. */
  readonly recordedAt: string;
  /** The log's head once this append has committed: what the next append is planned against. */
  readonly nextHead: LogHead;
}

/** What an id claim records: where the event with that id was written. */
export interface IdClaim {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
}

export function planAppend(input: {
  readonly namespace: string;
  readonly streamId: string;
  readonly events: readonly ValidatedEvent[];
  /** The stream's revision before the append (-1 for a new stream). */
  readonly currentRevision: number;
  /** The log's head before the append: the append is written against exactly this head. */
  readonly head: LogHead;
  /** The writer's clock; the events record max(now, the head's recordedAt). */
  readonly now: Date;
}): WritePlan {
  const { namespace, streamId, events, currentRevision } = input;
  const head = input.head.position;
  const recordedAt = recordedAtAfter(input.head, input.now);
  const streamEvents: EventData[] = [];
  const logEvents: EventData[] = [];
  const claims: Array<{ streamName: string; event: EventData }> = [];
  events.forEach((event, index) => {
    const revision = currentRevision + 1 + index;
    const position = head + 1 + index;
    const metadata = {
      [PROPERTY.metadata]: event.metadataJson,
      [PROPERTY.eventId]: event.eventId,
      [PROPERTY.streamId]: streamId,
      [PROPERTY.revision]: String(revision),
      [PROPERTY.position]: String(position),
      [PROPERTY.recordedAt]: recordedAt,
    };
    // The client serialises JSON data with JSON.stringify, which gives exactly event.dataJson (validateAppend made
    // it the same way), so data is stored byte for byte as validated, key order included.
    const data = event.data as JSONType;
    streamEvents.push(jsonEvent({ id: event.eventId, type: event.type, data, metadata }));
    logEvents.push(jsonEvent({ id: uuidV5(event.eventId, LOG_COPY_ID_NAMESPACE), type: event.type, data, metadata }));
    const claim: IdClaim = { streamId, revision, position };
    claims.push({
      streamName: idClaimStreamOf(namespace, event.eventId),
      event: jsonEvent({ id: uuidV5(event.eventId, ID_CLAIM_ID_NAMESPACE), type: ID_CLAIM_TYPE, data: { ...claim } }),
    });
  });
  const lastPosition = head + events.length;
  return {
    streamEvents,
    logEvents,
    claims,
    result: { nextRevision: currentRevision + events.length, lastPosition, duplicate: false },
    recordedAt,
    nextHead: { position: lastPosition, recordedAt },
  };
}

/** The parts of a client record the adapter reads (structural, so tests can build them). */
export interface StoredRecord {
  readonly id: string;
  readonly streamId: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

/** Turns a stored copy (in its own stream or in the log) back into the port's event. */
export function toRecordedEvent(record: StoredRecord): RecordedEvent {
  const properties = asObject(parseIfBytes(record.metadata), record, 'metadata');
  const text = (key: string): string => {
    const value = properties[key];
    if (typeof value !== 'string') unreadable(record, `property ${key} is missing or not a string`);
    return value;
  };
  const integer = (key: string): number => {
    const value = Number(text(key));
    if (!Number.isSafeInteger(value) || value < 0) unreadable(record, `property ${key} is not an integer >= 0`);
    return value;
  };
  let metadata: EventMetadata;
  try {
    metadata = JSON.parse(text(PROPERTY.metadata)) as EventMetadata;
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw error;
    return unreadable(record, `property ${PROPERTY.metadata} is not JSON`);
  }
  return {
    eventId: text(PROPERTY.eventId),
    type: record.type,
    data: parseIfBytes(record.data),
    metadata,
    streamId: text(PROPERTY.streamId),
    revision: integer(PROPERTY.revision),
    position: integer(PROPERTY.position),
    recordedAt: text(PROPERTY.recordedAt),
  };
}

/** A log copy whose recorded position is not its log revision + 1 means the log was written by something else. */
export function toLogEvent(record: StoredRecord): RecordedEvent {
  const event = toRecordedEvent(record);
  const expected = positionOfLogRevision(record.revision);
  if (event.position !== expected) {
    unreadable(record, `it records position ${event.position}, but sits at log position ${expected}`);
  }
  return event;
}

export function toIdClaim(record: StoredRecord): IdClaim {
  const data = asObject(parseIfBytes(record.data), record, 'data');
  const { streamId, revision, position } = data;
  if (typeof streamId !== 'string' || !Number.isSafeInteger(revision) || !Number.isSafeInteger(position)) {
    unreadable(record, 'it is not an id claim');
  }
  return { streamId, revision: revision as number, position: position as number };
}

/**
 * Idempotency (docs/adr/0002) from the id claims of an append's events (`undefined` where no claim exists):
 * `null` when none is stored (the append may proceed); the original result when every id is stored in this stream,
 * in order and contiguous (a retry: a no-op); otherwise DuplicateEventIdError.
 */
export function classifyIdClaims(
  streamId: string,
  eventIds: readonly string[],
  claims: ReadonlyArray<IdClaim | undefined>,
): AppendResult | null {
  const clashIndex = claims.findIndex((claim) => claim !== undefined);
  if (clashIndex === -1) return null;
  const first = claims[0];
  const sameWrite =
    first !== undefined &&
    claims.length === eventIds.length &&
    claims.every(
      (claim, index) =>
        claim !== undefined &&
        claim.streamId === streamId &&
        claim.revision === first.revision + index &&
        claim.position === first.position + index,
    );
  if (!sameWrite) throw new DuplicateEventIdError(streamId, eventIds[clashIndex] ?? '');
  const last = claims[claims.length - 1] as IdClaim;
  return { nextRevision: last.revision, lastPosition: last.position, duplicate: true };
}

function parseIfBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return JSON.parse(Buffer.from(value).toString('utf8')) as unknown;
  return value;
}

function asObject(value: unknown, record: StoredRecord, part: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    unreadable(record, `its ${part} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function unreadable(record: StoredRecord, reason: string): never {
  throw new StoreUnavailableError(
    `KurrentDB record ${record.id} (${record.streamId}@${record.revision}) is not a hub event: ${reason}`,
  );
}
