import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { OpenSubscriptions } from '../open-subscriptions';
import { DuplicateEventIdError, StoreUnavailableError, WrongExpectedRevisionError } from '../errors';
import type {
  AppendResult,
  EventMetadata,
  EventStore,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port';
import { DEFAULT_POLL_INTERVAL_MS, startPollingSubscription } from '../polling-subscription';
import { validateAppend, type ValidatedEvent } from '../validate-append';
import { isConnectionError, isUniqueViolation, toStoreError } from './postgres-errors';
import { importRecorded } from './postgres-import';
import { AppendListener } from './postgres-listener';
import { survivePostgresErrors } from '../postgres-support';
import { migrate, schemaNames, type SchemaNames } from './postgres.schema';

export interface PostgresEventStoreOptions {
  /** `postgres://user@host:port/database`; never logged or put in error messages. */
  readonly connectionString: string;
  /** The schema holding the store's tables; created on first open. Default `hub_events`. */
  readonly schema?: string;
  /** The clock for `recordedAt`. Default: the real clock. */
  readonly now?: () => Date;
  /** Upper bound on how long a caught-up subscription misses an append whose NOTIFY was lost. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** Connections in the pool (the LISTEN connection of subscriptions comes on top). Default 10. */
  readonly poolSize?: number;
  /** How long to wait for a new connection before failing with StoreUnavailableError. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** How long one statement may take, lock waits included, before failing with StoreUnavailableError. Default 30 s. */
  readonly queryTimeoutMs?: number;
  /** Shown in pg_stat_activity. Default `ffb-hub event store`. */
  readonly applicationName?: string;
}

/** The PostgreSQL adapter: the port plus a bulk import for the migration tool. */
export interface PostgresEventStore extends EventStore {
  /**
   * Inserts already-recorded events unchanged (eventId, streamId, revision, position, recordedAt, type, data,
   * metadata) in one transaction. The batch must continue the log at head + 1 and every stream at its next revision;
   * otherwise it throws InvalidAppendError and writes nothing. A stored event id gives DuplicateEventIdError.
   */
  importRecorded(events: readonly RecordedEvent[]): Promise<void>;
}

interface EventRow {
  readonly position: string;
  readonly stream_id: string;
  readonly revision: string;
  readonly event_id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly recorded_at: string;
}

const COLUMNS = `position, stream_id, revision, event_id, type, data, metadata,
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at`;

/** Opens (and on first use creates) an event store in a PostgreSQL schema. Throws StoreUnavailableError when it cannot. */
export async function openPostgresEventStore(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
  const names = schemaNames(options.schema ?? 'hub_events');
  const now = options.now ?? (() => new Date());
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const config: PoolConfig = {
    connectionString: options.connectionString,
    application_name: options.applicationName ?? 'ffb-hub event store',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    query_timeout: options.queryTimeoutMs ?? 30_000,
    keepAlive: true,
  };
  const pool = new Pool({ ...config, max: options.poolSize ?? 10 });
  survivePostgresErrors(pool);
  const listener = new AppendListener(config, names.channel);

  try {
    const client = await pool.connect();
    try {
      await migrate(client, names);
      client.release();
    } catch (error) {
      client.release(true);
      throw error;
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw toStoreError(error, names.schema, 'open');
  }
  return createStore(pool, listener, names, now, pollIntervalMs);
}

function createStore(
  pool: Pool,
  listener: AppendListener,
  names: SchemaNames,
  now: () => Date,
  pollIntervalMs: number,
): PostgresEventStore {
  const { schema } = names;
  let closed = false;
  let closing: Promise<void> | undefined;
  const subscriptions = new OpenSubscriptions();

  /**
   * Runs `work` on a pooled connection. A connection that failed is discarded, never returned to the pool. Reads
   * are retried once on a fresh connection when the first one turns out to be dead (after a server restart every
   * idle connection is); appends are not, because only the caller can retry them safely (with the same event ids).
   */
  const withClient = async <T>(
    action: string,
    work: (client: PoolClient) => Promise<T>,
    retry: boolean,
  ): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      if (closed) throw new StoreUnavailableError(`Event store in PostgreSQL schema ${schema} is closed (${action})`);
      let client: PoolClient | undefined;
      try {
        client = await pool.connect();
        const result = await work(client);
        client.release();
        return result;
      } catch (error) {
        const lost = isConnectionError(error);
        client?.release(lost ? (error as Error) : undefined);
        if (lost && retry && attempt === 0 && !closed) continue;
        throw toStoreError(error, schema, action);
      }
    }
  };

  /** The result of the original write when every id is stored in this stream, in order and contiguous. */
  const findDuplicate = async (
    client: PoolClient,
    streamId: string,
    events: readonly ValidatedEvent[],
  ): Promise<AppendResult | null> => {
    const { rows } = await client.query<{ event_id: string; stream_id: string; revision: string; position: string }>(
      `SELECT event_id, stream_id, revision, position FROM ${names.events} WHERE event_id = ANY($1::uuid[])`,
      [events.map((event) => event.eventId)],
    );
    if (rows.length === 0) return null;
    const byId = new Map(rows.map((row) => [row.event_id, row]));
    const first = byId.get(events[0]?.eventId ?? '');
    const sameWrite =
      rows.length === events.length &&
      first !== undefined &&
      events.every((event, index) => {
        const row = byId.get(event.eventId);
        return (
          row !== undefined && row.stream_id === streamId && Number(row.revision) === Number(first.revision) + index
        );
      });
    if (!sameWrite) {
      const clash = events.find((event) => byId.has(event.eventId)) ?? events[0];
      throw new DuplicateEventIdError(streamId, clash?.eventId ?? '');
    }
    const last = byId.get(events[events.length - 1]?.eventId ?? '');
    return { nextRevision: Number(last?.revision), lastPosition: Number(last?.position), duplicate: true };
  };

  const readAllRows = (after: number, maxCount: number | null): Promise<RecordedEvent[]> =>
    withClient(
      'readAll',
      async (client) =>
        (
          await client.query<EventRow>(
            `SELECT ${COLUMNS} FROM ${names.events} WHERE position > $1 ORDER BY position LIMIT $2`,
            [after, maxCount],
          )
        ).rows.map(toRecordedEvent),
      true,
    );

  return {
    async appendToStream(streamId, events, { expectedRevision }) {
      const validated = validateAppend(streamId, events, expectedRevision);
      const recordedAt = now().toISOString();
      const result = await withClient(
        'append',
        async (client) => {
          let row: { current_revision: string; last_position: string | null } | undefined;
          try {
            // The happy path is this one statement (one round trip, its own transaction); see postgres.schema.ts.
            row = (
              await client.query<{ current_revision: string; last_position: string | null }>({
                name: `append:${schema}`,
                text: `SELECT current_revision, last_position FROM ${names.append}($1, $2, $3, $4, $5, $6, $7)`,
                values: [
                  streamId,
                  String(expectedRevision),
                  validated.map((event) => event.eventId),
                  validated.map((event) => event.type),
                  validated.map((event) => event.dataJson),
                  validated.map((event) => event.metadataJson),
                  recordedAt,
                ],
              })
            ).rows[0];
          } catch (error) {
            // A stored id: the statement rolled back (head included). Stored events never change, so reading them
            // after the rollback gives the same answer as inside the transaction.
            if (!isUniqueViolation(error, 'events_event_id_key')) throw error;
            const duplicate = await findDuplicate(client, streamId, validated);
            if (duplicate) return duplicate;
            throw new DuplicateEventIdError(streamId, validated[0]?.eventId ?? '');
          }
          const current = Number(row?.current_revision);
          if (row?.last_position === null || row?.last_position === undefined) {
            // Idempotency wins over the revision check: a retry usually carries a revision the original made stale.
            const duplicate = await findDuplicate(client, streamId, validated);
            if (duplicate) return duplicate;
            throw new WrongExpectedRevisionError(streamId, String(expectedRevision), current);
          }
          return { nextRevision: current, lastPosition: Number(row.last_position), duplicate: false };
        },
        false,
      );
      if (!result.duplicate) listener.wake();
      return result;
    },

    async readStream(streamId, readOptions) {
      const fromRevision = readOptions?.fromRevision ?? 0;
      assertNonNegativeInteger('fromRevision', fromRevision);
      return withClient(
        'readStream',
        async (client) =>
          (
            await client.query<EventRow>(
              `SELECT ${COLUMNS} FROM ${names.events} WHERE stream_id = $1 AND revision >= $2 ORDER BY revision`,
              [streamId, fromRevision],
            )
          ).rows.map(toRecordedEvent),
        true,
      );
    },

    async readAll(readOptions?: ReadAllOptions) {
      const after = readOptions?.after ?? 0;
      assertNonNegativeInteger('after', after);
      if (readOptions?.maxCount !== undefined) assertNonNegativeInteger('maxCount', readOptions.maxCount);
      return readAllRows(after, readOptions?.maxCount ?? null);
    },

    async headPosition() {
      return withClient(
        'headPosition',
        async (client) =>
          Number(
            (await client.query<{ position: string }>(`SELECT position FROM ${names.head}`)).rows[0]?.position ?? 0,
          ),
        true,
      );
    },

    async importRecorded(events) {
      await withClient('importRecorded', (client) => importRecorded(client, names, events), false);
      if (events.length > 0) listener.wake();
    },

    subscribeToAll(subscribeOptions: SubscribeOptions): Subscription {
      if (closed)
        throw new StoreUnavailableError(`Event store in PostgreSQL schema ${schema} is closed (subscribeToAll)`);
      const subscription = startPollingSubscription({
        ...subscribeOptions,
        pollIntervalMs,
        readBatch: readAllRows,
        onWake: (wake) => listener.onWake(wake),
      });
      return subscriptions.track(subscription);
    },

    close() {
      closing ??= (async () => {
        closed = true;
        // Each stop() waits for its handler's batch in flight; a handler must therefore not await close() itself.
        await subscriptions.stopAll();
        await listener.stop();
        await pool.end().catch(() => undefined);
      })();
      return closing;
    },
  };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: Number(row.position),
    recordedAt: row.recorded_at,
  };
}

function assertNonNegativeInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be an integer >= 0, got ${value}`);
}
