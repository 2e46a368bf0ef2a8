import { InvalidAppendError } from './errors';
import type { EventMetadata, EventToAppend, ExpectedRevision } from './event-store.port';

/**
 * Stream ids are `<category>-<id>` (design.md §3). As in KurrentDB's category projection, the category is everything
 * before the first dash, so it can never contain one. The category is lowercase ASCII (letters, digits, `_`) and
 * starts with a letter, because categories end up in Kafka topic names, URLs and metric labels. The id starts with a
 * letter or digit and may then hold ASCII letters, digits and `.`, `_`, `:`, `-` (UUIDs carry dashes).
 * A dashed category such as `order-line-<uuid>` cannot be told apart from category `order` with id `line-<uuid>`;
 * what this check can and does reject are the shapes such mistakes leave behind: an empty category (`-x`), an empty
 * id segment (`delmaal--x`, `delmaal-`), uppercase or non-ASCII categories and ids without a category at all.
 */
export const STREAM_ID_PATTERN = /^[a-z][a-z0-9_]*-[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const MAX_STREAM_ID_LENGTH = 200;
export const MAX_EVENT_TYPE_LENGTH = 200;

/**
 * Lowercase canonical UUIDs only (any version). Accepting uppercase too would let one id be stored under two
 * spellings in adapters that compare text, and idempotency depends on ids comparing equal.
 */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An event that passed validation, with its data and metadata serialised once for adapters that store JSON text. */
export interface ValidatedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly dataJson: string;
  readonly metadataJson: string;
}

export function isValidStreamId(streamId: unknown): streamId is string {
  return typeof streamId === 'string' && streamId.length <= MAX_STREAM_ID_LENGTH && STREAM_ID_PATTERN.test(streamId);
}

/**
 * The adapter-independent check every adapter runs before touching its storage, so all adapters reject the same
 * appends with the same code. Throws InvalidAppendError; returns the events with their JSON text.
 */
export function validateAppend(
  streamId: string,
  events: readonly EventToAppend[],
  expectedRevision: ExpectedRevision,
): ValidatedEvent[] {
  if (!isValidStreamId(streamId)) {
    throw new InvalidAppendError(
      `Stream id ${JSON.stringify(streamId)} is not <category>-<id> with a lowercase ASCII category ` +
        `(${STREAM_ID_PATTERN.source}, at most ${MAX_STREAM_ID_LENGTH} characters)`,
      { streamId },
    );
  }
  if (!isValidExpectedRevision(expectedRevision)) {
    throw new InvalidAppendError(
      `Expected revision ${String(expectedRevision)} is not 'no_stream', 'stream_exists', 'any' or a revision >= 0`,
      { streamId, expectedRevision: String(expectedRevision) },
    );
  }
  if (!Array.isArray(events) || events.length === 0) {
    throw new InvalidAppendError(`An append to ${streamId} needs at least one event`, { streamId });
  }
  const seen = new Set<string>();
  return events.map((event, index) => {
    const fail: (reason: string) => never = (reason) => {
      throw new InvalidAppendError(`Event ${index} of the append to ${streamId}: ${reason}`, { streamId, index });
    };
    if (event === null || typeof event !== 'object') fail('is not an object');
    const { eventId, type, data, metadata } = event;
    if (typeof eventId !== 'string' || !UUID_PATTERN.test(eventId)) {
      fail(`eventId ${JSON.stringify(eventId)} is not a lowercase UUID`);
    }
    if (seen.has(eventId)) fail(`eventId ${eventId} occurs twice in the append`);
    seen.add(eventId);
    if (typeof type !== 'string' || type.trim().length === 0 || type.length > MAX_EVENT_TYPE_LENGTH) {
      fail(`type must be a non-empty string of at most ${MAX_EVENT_TYPE_LENGTH} characters`);
    }
    const dataJson = toJson(data, 'data');
    if ('problem' in dataJson) return fail(dataJson.problem);
    if (!isPlainObject(metadata)) fail('metadata must be a plain object');
    const metadataJson = toJson(metadata, 'metadata');
    if ('problem' in metadataJson) return fail(metadataJson.problem);
    return {
      eventId,
      type,
      data: event.data,
      metadata: event.metadata,
      dataJson: dataJson.json,
      metadataJson: metadataJson.json,
    };
  });
}

function isValidExpectedRevision(expected: unknown): expected is ExpectedRevision {
  if (expected === 'no_stream' || expected === 'stream_exists' || expected === 'any') return true;
  return typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Deeper nesting is refused; it also stops the walk on a cycle hidden behind a `toJSON`. */
const MAX_JSON_DEPTH = 256;

/**
 * Serialises a value, or explains why it would not survive a JSON round trip unchanged. Stricter than
 * JSON.stringify, which silently turns a Date into a string, NaN into null and drops functions: the stored event
 * must read back equal to what was appended. An `undefined` object property is allowed (optional fields); it is
 * simply absent after the round trip. JSON.stringify runs first because it finds cycles and bigints itself, which
 * leaves the walk free of cycle bookkeeping (the walk is the hot part of an append's CPU cost).
 */
function toJson(value: unknown, path: string): { json: string } | { problem: string } {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    return { problem: `${path} cannot be serialised as JSON (${(error as Error).message.split('\n')[0]})` };
  }
  const problem = jsonProblem(value, path, 0);
  if (problem) return { problem };
  if (json === undefined) return { problem: `${path} is not a JSON value` };
  return { json };
}

function jsonProblem(value: unknown, path: string, depth: number): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${path} is ${value}, which JSON cannot hold`;
    case 'object': {
      if (value === null) return null;
      if (depth >= MAX_JSON_DEPTH) return `${path} is nested deeper than ${MAX_JSON_DEPTH} levels`;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined) return `${path}[${i}] is undefined, which JSON turns into null`;
          const problem = jsonProblem(item, `${path}[${i}]`, depth + 1);
          if (problem) return problem;
        }
        return null;
      }
      if (!isPlainObject(value)) {
        const name = (value as object).constructor?.name ?? 'an object';
        return `${path} is a ${name}, not plain JSON data (use ISO-8601 strings for dates)`;
      }
      for (const key in value) {
        const item = value[key];
        if (item === undefined) continue;
        const problem = jsonProblem(item, `${path}.${key}`, depth + 1);
        if (problem) return problem;
      }
      return null;
    }
    case 'undefined':
      return `${path} is undefined`;
    default:
      return `${path} is a ${typeof value}, which JSON cannot hold`;
  }
}
