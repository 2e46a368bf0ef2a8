import { OpenSubscriptions } from '../open-subscriptions';
import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  START,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type ReadPosition,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { StoreUnavailableError, WrongExpectedRevisionError } from '../errors';
import type { AppendResult, EventStore, ExpectedRevision } from '../event-store.port';
import { NO_STREAM_REVISION } from '../event-store.port';
import { validateAppend, type ValidatedEvent } from '../validate-append';
import { describeTarget, isRevisionConflict, isStreamNotFound, toStoreError } from './kurrentdb-errors';
import {
  classifyIdClaims,
  idClaimStreamOf,
  isPinned,
  logExpectedState,
  logHeadOf,
  logRevisionOf,
  logStreamOf,
  logStreamRegex,
  NAMESPACE_PATTERN,
  planAppend,
  positionOfLogRevision,
  resolveExpectedRevision,
  streamExpectedState,
  toIdClaim,
  toLogEvent,
  toRecordedEvent,
  type IdClaim,
  type LogHead,
  type StoredRecord,
} from './kurrentdb-records';
import { startReadableSubscription, type SubscriptionSource } from './readable-subscription';

export interface KurrentDbEventStoreOptions {
  /** E.g. `kurrentdb://localhost:2113?tls=false`. The server must be KurrentDB 25.1 or later (multi-stream appends). */
  readonly connectionString: string;
  /**
   * Names the hub's log stream (`_<namespace>_log`) and id claims (`_<namespace>_id-<eventId>`): one hub store per
   * namespace in one database. Default `hub`. Tests use a fresh namespace to get an empty store on a shared server.
   */
  readonly namespace?: string;
  /** The clock for `recordedAt`. Default: the real clock. */
  readonly now?: () => Date;
  /** How long an append keeps retrying while other writers move the log or an `any` stream. Default 10000 ms. */
  readonly contentionTimeoutMs?: number;
}

/**
 * Opens the KurrentDB event store (docs/adr/0010). The connection is made lazily by the client; a server that does
 * not answer fails the first call with StoreUnavailableError.
 */
export function openKurrentDbEventStore(options: KurrentDbEventStoreOptions): EventStore {
  const namespace = options.namespace ?? 'hub';
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new RangeError(`namespace must match ${NAMESPACE_PATTERN.source}, got ${JSON.stringify(namespace)}`);
  }
  const target = describeTarget(options.connectionString);
  const now = options.now ?? (() => new Date());
  const contentionTimeoutMs = options.contentionTimeoutMs ?? 10_000;
  const logStream = logStreamOf(namespace);
  let client: KurrentDBClient;
  try {
    client = KurrentDBClient.connectionString(options.connectionString);
  } catch (error) {
    throw new StoreUnavailableError(`KurrentDB connection string for ${target} is not valid: ${String(error)}`, error);
  }

  let closed = false;
  let closing: Promise<void> | undefined;
  const subscriptions = new OpenSubscriptions();
  /** Appends of this instance run one at a time: they would only contend for the log's head among themselves. */
  let appendQueue: Promise<unknown> = Promise.resolve();
  /**
   * The log's head (position and the head event's recordedAt) as this instance last saw it, from its own last append
   * or a read of the log's last record. An append commits only at exactly this head, so the recordedAt carried with
   * it is the one of the event before it; a stale value costs one conflict and a re-read, never a gap.
   */
  let knownHead: LogHead | undefined;

  const guard = async <T>(action: string, work: () => Promise<T>): Promise<T> => {
    if (closed) throw new StoreUnavailableError(`Event store at ${target} is closed (${action})`);
    try {
      return await work();
    } catch (error) {
      throw toStoreError(error, target, action);
    }
  };

  const readRecords = async (
    streamName: string,
    readOptions: { fromRevision?: bigint | typeof START | typeof END; maxCount?: number; backwards?: boolean },
  ): Promise<StoredRecord[]> => {
    const records: StoredRecord[] = [];
    try {
      for await (const resolved of client.readStream(streamName, {
        fromRevision: readOptions.fromRevision ?? START,
        maxCount: readOptions.maxCount ?? Number.MAX_SAFE_INTEGER,
        direction: readOptions.backwards ? BACKWARDS : FORWARDS,
      })) {
        const record = recordOf(resolved);
        if (record) records.push(record);
      }
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw error;
    }
    return records;
  };

  const currentRevision = async (streamId: string): Promise<number> => {
    const [last] = await readRecords(streamId, { fromRevision: END, maxCount: 1, backwards: true });
    return last === undefined ? NO_STREAM_REVISION : Number(last.revision);
  };

  const readLastLogRecord = async (): Promise<StoredRecord | undefined> =>
    (await readRecords(logStream, { fromRevision: END, maxCount: 1, backwards: true }))[0];

  const readHead = async (): Promise<number> => {
    const last = await readLastLogRecord();
    return last === undefined ? 0 : positionOfLogRevision(last.revision);
  };

  const readIdClaims = (events: readonly ValidatedEvent[]): Promise<Array<IdClaim | undefined>> =>
    Promise.all(
      events.map(async (event) => {
        const [claim] = await readRecords(idClaimStreamOf(namespace, event.eventId), { maxCount: 1 });
        return claim === undefined ? undefined : toIdClaim(claim);
      }),
    );

  /** After a refused write: a retry (no-op), a duplicate id, the caller's conflict, or `null` to try again. */
  const explainConflict = async (
    streamId: string,
    events: readonly ValidatedEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult | null> => {
    // Idempotency wins over the revision check: a retry usually carries a revision the original write made stale.
    const stored = classifyIdClaims(
      streamId,
      events.map((event) => event.eventId),
      await readIdClaims(events),
    );
    if (stored) return stored;
    const current = await currentRevision(streamId);
    if (resolveExpectedRevision(expected, current) === null) {
      throw new WrongExpectedRevisionError(streamId, String(expected), current);
    }
    return null;
  };

  const appendOnce = async (
    streamId: string,
    events: readonly ValidatedEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult | null> => {
    const current = isPinned(expected)
      ? expected === 'no_stream'
        ? NO_STREAM_REVISION
        : (expected as number)
      : await currentRevision(streamId);
    if (resolveExpectedRevision(expected, current) === null) return explainConflict(streamId, events, expected);
    knownHead ??= logHeadOf(await readLastLogRecord());
    const head = knownHead;
    // recordedAt = max(now, the head event's recordedAt): never earlier than the event before it in the log.
    const plan = planAppend({ namespace, streamId, events, currentRevision: current, head, now: now() });
    try {
      await client.multiStreamAppend([
        { streamName: streamId, expectedState: streamExpectedState(current), events: plan.streamEvents },
        { streamName: logStream, expectedState: logExpectedState(head.position), events: plan.logEvents },
        ...plan.claims.map((claim) => ({
          streamName: claim.streamName,
          expectedState: 'no_stream' as const,
          events: [claim.event],
        })),
      ]);
    } catch (error) {
      if (!isRevisionConflict(error)) throw error;
      knownHead = undefined;
      return explainConflict(streamId, events, expected);
    }
    knownHead = plan.nextHead;
    return plan.result;
  };

  const append = async (
    streamId: string,
    events: readonly ValidatedEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> => {
    const deadline = Date.now() + contentionTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      const result = await appendOnce(streamId, events, expected);
      if (result) return result;
      if (Date.now() > deadline) {
        throw new StoreUnavailableError(
          `Event store at ${target}: the append to ${streamId} lost the race for the log ${attempt + 1} times in ` +
            `${contentionTimeoutMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
    }
  };

  /** The `$all` position of the log record at `position`, where a catch-up subscription after it may start. */
  const startOf = async (position: number): Promise<ReadPosition> => {
    if (position === 0) return START;
    try {
      for await (const resolved of client.readStream(logStream, {
        fromRevision: logRevisionOf(position),
        maxCount: 1,
      })) {
        const found = resolved.event?.position;
        if (found) return found;
      }
    } catch (error) {
      if (!isStreamNotFound(error)) throw error;
    }
    // Correct, only slower: the subscription skips everything up to the checkpoint itself.
    return START;
  };

  return {
    async appendToStream(streamId, events, { expectedRevision }) {
      const validated = validateAppend(streamId, events, expectedRevision);
      return guard('append', () => {
        const run = appendQueue.then(() => append(streamId, validated, expectedRevision));
        appendQueue = run.catch(() => undefined);
        return run;
      });
    },

    async readStream(streamId, readOptions) {
      const fromRevision = readOptions?.fromRevision ?? 0;
      assertNonNegativeInteger('fromRevision', fromRevision);
      return guard('readStream', async () =>
        (await readRecords(streamId, { fromRevision: BigInt(fromRevision) })).map(toRecordedEvent),
      );
    },

    async readAll(readOptions) {
      const after = readOptions?.after ?? 0;
      assertNonNegativeInteger('after', after);
      if (readOptions?.maxCount !== undefined) assertNonNegativeInteger('maxCount', readOptions.maxCount);
      return guard('readAll', async () => {
        if (readOptions?.maxCount === 0) return [];
        const records = await readRecords(logStream, {
          fromRevision: BigInt(after),
          ...(readOptions?.maxCount === undefined ? {} : { maxCount: readOptions.maxCount }),
        });
        return records.map(toLogEvent);
      });
    },

    async headPosition() {
      return guard('headPosition', readHead);
    },

    subscribeToAll(subscribeOptions) {
      if (closed) throw new StoreUnavailableError(`Event store at ${target} is closed (subscribeToAll)`);
      const subscription = startReadableSubscription<AllStreamResolvedEvent>({
        ...subscribeOptions,
        // A catch-up subscription to $all with a server-side filter: only the namespace's log stream is sent, so
        // system events and the per-stream copies never leave the server.
        open: async () =>
          client.subscribeToAll({
            fromPosition: await startOf(subscribeOptions.after),
            filter: streamNameFilter({ regex: logStreamRegex(namespace) }),
          }) as SubscriptionSource,
        decode: (resolved) => {
          const record = recordOf(resolved);
          return record ? toLogEvent(record) : null;
        },
        mapError: (error) => toStoreError(error, target, 'subscribeToAll'),
      });
      return subscriptions.track(subscription);
    },

    close() {
      closing ??= (async () => {
        closed = true;
        await subscriptions.stopAll();
        await client.dispose().catch(() => undefined);
      })();
      return closing;
    },
  };
}

function recordOf(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredRecord | null {
  const event = resolved.event;
  if (!event) return null;
  return {
    id: event.id,
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
  };
}

function assertNonNegativeInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be an integer >= 0, got ${value}`);
}
