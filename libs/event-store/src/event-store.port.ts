/**
 * The event store port (docs/adr/0002). Semantics follow KurrentDB: streams with revisions starting at 0, one
 * global ordered log, expected-revision appends, idempotent appends by event id, catch-up-then-live subscriptions.
 * Every adapter passes `describeEventStoreContract` in `testing/event-store.contract.ts`.
 */

/** Expected revision of a stream before an append. A number is the exact revision of the stream's last event. */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

/** Metadata every event carries (design.md §3). Values are plain JSON. */
export interface EventMetadata {
  readonly schemaVersion: number;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly actor: { readonly party: string; readonly subject: string; readonly [key: string]: string };
  readonly ffbVersion?: string;
  readonly [key: string]: unknown;
}

/** An event to append. `eventId` is a UUID; appending the same ids again is a no-op. */
export interface EventToAppend {
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

/** An event as stored: its stream revision (0-based) and its global position (1-based, gap-free, ordered). */
export interface RecordedEvent<Data = unknown> {
  readonly eventId: string;
  readonly type: string;
  readonly data: Data;
  readonly metadata: EventMetadata;
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly recordedAt: string;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  readonly nextRevision: number;
  /** Global position of the last appended event. */
  readonly lastPosition: number;
  /** True when every event id was already stored in this stream: nothing was written. */
  readonly duplicate: boolean;
}

export interface ReadAllOptions {
  /** Read events with position strictly greater than this. 0 reads from the start. */
  readonly after?: number;
  readonly maxCount?: number;
}

export interface SubscribeOptions {
  /** Deliver events with position strictly greater than this checkpoint. */
  readonly after: number;
  /** Largest batch handed to the handler during catch-up. */
  readonly batchSize?: number;
  /** Called with ordered, non-empty batches; the next batch waits for the returned promise. */
  readonly handler: (events: readonly RecordedEvent[]) => Promise<void>;
}

export interface Subscription {
  /** Stops after the batch in flight; resolves when stopped. */
  stop(): Promise<void>;
  /** Settles when the subscription ends: resolves after stop(), rejects when the handler or the store fails. */
  readonly done: Promise<void>;
}

export interface EventStore {
  appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;
  /** All events of one stream in revision order; an empty array when the stream does not exist. */
  readStream(streamId: string, options?: { readonly fromRevision?: number }): Promise<readonly RecordedEvent[]>;
  /** Events of the global log in position order. */
  readAll(options?: ReadAllOptions): Promise<readonly RecordedEvent[]>;
  /** The position of the last event in the log; 0 when empty. */
  headPosition(): Promise<number>;
  /** Catch up from a checkpoint, then follow live appends (also those made by other processes). */
  subscribeToAll(options: SubscribeOptions): Subscription;
  close(): Promise<void>;
}

/** The stream's revision before any event: what `nextRevision` would be for an empty stream minus one. */
export const NO_STREAM_REVISION = -1;
