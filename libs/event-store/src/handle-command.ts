import type { EventMetadata, EventStore, ExpectedRevision, RecordedEvent } from './event-store.port';
import { NO_STREAM_REVISION } from './event-store.port';

/** A domain event as deciders produce it: a stable type name and plain readonly data. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

export interface Folding<State, Event extends DomainEvent> {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  /** Maps a stored event (any schema version) to the current domain event; upcasters live here. */
  readonly fromRecorded: (event: RecordedEvent) => Event;
}

export interface CommandContext {
  /** Event ids for the decided events, by index. Deterministic ids make a retried command an idempotent no-op. */
  readonly eventId: (index: number) => string;
  /** Metadata for each decided event (the write path fills in nothing on its own: no clock here). */
  readonly metadata: (event: DomainEvent) => EventMetadata;
  /** The revision the caller saw (If-Match). Without it the write is conditional on the revision just read. */
  readonly expectedRevision?: number;
}

export interface CommandResult<State, Event extends DomainEvent> {
  readonly events: readonly Event[];
  readonly eventIds: readonly string[];
  readonly state: State;
  /** Revision of the stream after the command; -1 when the stream still does not exist. */
  readonly revision: number;
  readonly lastPosition: number | null;
  readonly duplicate: boolean;
}

/** Reads a stream and folds it into state. Returns the revision of the last event (-1 for no stream). */
export async function readState<State, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  folding: Folding<State, Event>,
): Promise<{ state: State; revision: number }> {
  const recorded = await store.readStream(streamId);
  let state = folding.initialState();
  for (const event of recorded) state = folding.evolve(state, folding.fromRecorded(event));
  const last = recorded[recorded.length - 1];
  return { state, revision: last ? last.revision : NO_STREAM_REVISION };
}

/**
 * The one write path: read → fold → decide → append with the expected revision.
 * `decide` is pure and throws a domain error to refuse; a revision conflict surfaces as WrongExpectedRevisionError.
 */
export async function handleCommand<State, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  folding: Folding<State, Event>,
  decide: (state: State) => readonly Event[],
  context: CommandContext,
): Promise<CommandResult<State, Event>> {
  const { state, revision } = await readState(store, streamId, folding);
  const events = decide(state);
  if (events.length === 0) {
    return { events, eventIds: [], state, revision, lastPosition: null, duplicate: false };
  }
  const eventIds = events.map((_, index) => context.eventId(index));
  const expectedRevision: ExpectedRevision =
    context.expectedRevision ?? (revision === NO_STREAM_REVISION ? 'no_stream' : revision);
  const result = await store.appendToStream(
    streamId,
    events.map((event, index) => ({
      eventId: eventIds[index] as string,
      type: event.type,
      data: event.data,
      metadata: context.metadata(event),
    })),
    { expectedRevision },
  );
  // A duplicate append wrote nothing: the stored stream, not our decision, is the state.
  const next = result.duplicate
    ? (await readState(store, streamId, folding)).state
    : events.reduce(folding.evolve, state);
  return {
    events,
    eventIds,
    state: next,
    revision: result.nextRevision,
    lastPosition: result.lastPosition,
    duplicate: result.duplicate,
  };
}
