import type { EventMetadata, EventStore, ExpectedRevision, RecordedEvent } from './event-store.port';
import { NO_STREAM_REVISION } from './event-store.port';
import { WrongExpectedRevisionError } from './errors';

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

export interface CommandContext<State = never> {
  /** Folded states to start from; the write path keeps it current. */
  readonly cache?: StateCache<State>;
  /** Event ids for the decided events, by index. Deterministic ids make a retried command an idempotent no-op. */
  readonly eventId: (index: number) => string;
  /** Metadata for each decided event (the write path fills in nothing on its own: no clock here). */
  readonly metadata: (event: DomainEvent) => EventMetadata;
  /** The revision the caller saw (If-Match): the command is refused unless the stream is still there. */
  readonly expectedRevision?: number;
  /**
   * May the caller act on this stream at all? Called on the folded state before the If-Match check, so a caller who
   * may not see the stream learns nothing from a 412 about its existence or revision. Throws to refuse.
   */
  authorize?(state: State): void;
  /**
   * Rewrites the decided events before they are folded, cached or appended (the hub encrypts their free text under
   * the borger's key here). May throw to refuse, like `decide`.
   */
  protect?(events: readonly DomainEvent[], state: State): Promise<readonly DomainEvent[]>;
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

/**
 * Folded states by stream, least recently used first out. Events are immutable and `evolve` is pure, so a state at
 * revision r plus the events after r is the state of the whole stream: the write path reads only that tail from the
 * store (which also brings in what other processes appended). States are never mutated, so sharing them is safe.
 */
export class StateCache<State> {
  private readonly entries = new Map<string, { readonly state: State; readonly revision: number }>();

  constructor(private readonly maxStreams = 10_000) {}

  get(streamId: string): { readonly state: State; readonly revision: number } | undefined {
    const entry = this.entries.get(streamId);
    if (entry) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  set(streamId: string, state: State, revision: number): void {
    const current = this.entries.get(streamId);
    if (current && current.revision > revision) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, { state, revision });
    if (this.entries.size > this.maxStreams) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Reads a stream and folds it into state. Returns the revision of the last event (-1 for no stream). */
export async function readState<State, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  folding: Folding<State, Event>,
  cache?: StateCache<State>,
): Promise<{ state: State; revision: number }> {
  const cached = cache?.get(streamId);
  const recorded = await store.readStream(streamId, cached ? { fromRevision: cached.revision + 1 } : undefined);
  let state = cached ? cached.state : folding.initialState();
  for (const event of recorded) state = folding.evolve(state, folding.fromRecorded(event));
  const last = recorded[recorded.length - 1];
  const revision = last ? last.revision : (cached?.revision ?? NO_STREAM_REVISION);
  if (cache && revision !== NO_STREAM_REVISION) cache.set(streamId, state, revision);
  return { state, revision };
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
  context: CommandContext<State>,
): Promise<CommandResult<State, Event>> {
  const { state, revision } = await readState(store, streamId, folding, context.cache);
  context.authorize?.(state);
  // If-Match is checked against the state the decision is made on, never handed to the append in its place: an
  // If-Match that equals a head we have not folded would otherwise let a decision on stale state through.
  if (context.expectedRevision !== undefined && context.expectedRevision !== revision) {
    throw new WrongExpectedRevisionError(streamId, String(context.expectedRevision), revision);
  }
  const decided = decide(state);
  if (decided.length === 0) {
    return { events: decided, eventIds: [], state, revision, lastPosition: null, duplicate: false };
  }
  const events = context.protect ? ((await context.protect(decided, state)) as readonly Event[]) : decided;
  if (events.length === 0) {
    return { events, eventIds: [], state, revision, lastPosition: null, duplicate: false };
  }
  const eventIds = events.map((_, index) => context.eventId(index));
  const expectedRevision: ExpectedRevision = revision === NO_STREAM_REVISION ? 'no_stream' : revision;
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
    ? (await readState(store, streamId, folding, context.cache)).state
    : events.reduce(folding.evolve, state);
  if (!result.duplicate) context.cache?.set(streamId, next, result.nextRevision);
  return {
    events,
    eventIds,
    state: next,
    revision: result.nextRevision,
    lastPosition: result.lastPosition,
    duplicate: result.duplicate,
  };
}
