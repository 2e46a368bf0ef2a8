import { StoreUnavailableError, type EventStore, type RecordedEvent, type Subscription } from '@hub/event-store';
import {
  backoffDelay,
  describeError,
  isUnavailable,
  silentLogger,
  sleep,
  worthLogging,
  type BackoffOptions,
  type Logger,
} from './backoff';
import type { CheckpointStore } from './checkpoint.store';
import { cloudEventHeaders } from './cloudevents';
import type { IntegrationMessage } from './integration-events/integration-event';
import { storeMappingContext, toIntegrationMessages } from './integration-events/map-event';
import type { OutboundRecord, Publisher } from './publisher.port';
import type { TopicNames } from './topics';

export interface RelayOptions {
  readonly store: EventStore;
  readonly publisher: Publisher;
  readonly checkpoints: CheckpointStore;
  readonly topics: TopicNames;
  /** CloudEvents `source` of every message, e.g. `urn:ffb-hub:prod`. */
  readonly source: string;
  /** The PII vault's CPR lookup; null for an erased borger. */
  readonly laesCpr: (borgerId: string) => string | null | Promise<string | null>;
  /** Events read from the log per batch during catch-up. Default 500. */
  readonly batchSize?: number;
  /** Records per send, and their total size; a send is checkpointed once acknowledged. Defaults 500 and 512 KiB. */
  readonly maxRecordsPerSend?: number;
  readonly maxBytesPerSend?: number;
  /** Back-off between failed sends. The relay retries until the broker acknowledges or stop() is called. */
  readonly retry?: BackoffOptions;
  readonly logger?: Logger;
  /**
   * Runs after the broker acknowledged a send and before its checkpoint is saved: the hub's audit log records each
   * delivery here. A failure ends the relay like a failed checkpoint, so the send is repeated and recorded again.
   */
  readonly afterAcknowledged?: (records: readonly OutboundRecord[]) => Promise<void>;
  /**
   * Opens the encrypted free text of the messages before they are sent (the hub's `Fritekst.afsloer`): called once per
   * batch. Without it the messages carry the text as it is stored.
   */
  readonly afsloer?: <T>(value: T) => Promise<T>;
}

/** A send the broker refuses for a reason retrying will not cure soon (e.g. MESSAGE_TOO_LARGE); still retried slowly. */
export interface RelayBlock {
  /** The broker's error type, e.g. MESSAGE_TOO_LARGE, TOPIC_AUTHORIZATION_FAILED, UNKNOWN_TOPIC_OR_PARTITION. */
  readonly code: string;
  /** The first log position of the refused send: everything before it is published and checkpointed. */
  readonly position: number;
  /** The topics of the refused send (one when the refused records are all for one party). */
  readonly topics: readonly string[];
  readonly attempts: number;
}

export interface RelayStats {
  readonly checkpoint: number;
  readonly recordsSent: number;
  readonly failedSends: number;
  /** Set while the broker refuses the send in flight with a non-retriable error; cleared once it is acknowledged. */
  readonly blocked?: RelayBlock;
  /**
   * When the send in flight was first tried (epoch ms), while the broker has not acknowledged it: a broker that is
   * away (down, frozen, unreachable) shows as a send waiting ever longer, before any timeout fails it.
   */
  readonly waitingSince?: number;
}

/**
 * The store does not have, at the checkpoint's position, the event the checkpoint was written after: the store was
 * restored, reset or replaced behind the relay. Following it from there would skip or repeat events silently, so the
 * relay refuses to start; an operator decides (e.g. resets the checkpoint and lets consumers dedupe on ce_id).
 */
export class CheckpointMismatchError extends Error {
  constructor(
    readonly position: number,
    readonly expectedEventId: string,
    readonly foundEventId: string | null,
  ) {
    super(
      `the checkpoint is at position ${position} after event ${expectedEventId}, but the store has ${foundEventId === null ? 'no event' : `event ${foundEventId}`} there`,
    );
    this.name = 'CheckpointMismatchError';
  }
}

/** An event the relay cannot map to integration events: the relay stops at it and a restart cannot help. */
export class UnmappableEventError extends Error {
  constructor(
    readonly position: number,
    readonly eventId: string,
    readonly eventType: string,
    cause: unknown,
  ) {
    super(`event ${eventId} (${eventType}) at position ${position} cannot be mapped: ${describeError(cause)}`, {
      cause,
    });
    this.name = 'UnmappableEventError';
  }
}

/** Broker errors a retry does not cure soon; UNKNOWN_TOPIC_OR_PARTITION only after a few tries (topic creation lag). */
const NON_RETRIABLE = new Set([
  'MESSAGE_TOO_LARGE',
  'TOPIC_AUTHORIZATION_FAILED',
  'INVALID_RECORD',
  'RECORD_LIST_TOO_LARGE',
]);
const UNKNOWN_TOPIC_TRIES = 5;

/** The Kafka error type of a failed send (kafkajs puts it in `type`, possibly on a wrapped `cause`), if any. */
export function brokerErrorType(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string') return type;
    e = (e as { cause?: unknown; originalError?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return undefined;
}

const blockingCode = (error: unknown, attempt: number): string | undefined => {
  const type = brokerErrorType(error);
  if (type === undefined) return undefined;
  if (NON_RETRIABLE.has(type)) return type;
  if (type === 'UNKNOWN_TOPIC_OR_PARTITION' && attempt >= UNKNOWN_TOPIC_TRIES) return type;
  return undefined;
};

export interface Relay {
  /** Events in the store's log that are not yet acknowledged by the broker: head position − checkpoint. */
  lag(): Promise<number>;
  stats(): RelayStats;
  /** Settles when the relay ends: resolves after stop(), rejects when an event cannot be mapped or the store fails. */
  readonly done: Promise<void>;
  /** Stops after the send in flight; an unacknowledged send is abandoned and sent again on the next start. */
  stop(): Promise<void>;
}

class Stopped extends Error {}

/**
 * The relay worker (design.md §1): follows the store's global log from its durable checkpoint, maps each event to
 * public integration events, sends them, and moves the checkpoint only after the broker acknowledged them.
 * Delivery is at-least-once: a crash between the acknowledgement and the checkpoint sends those records again, with
 * the same `ce_id`. Order per bestilling holds because the log is read in order, records of one bestilling share a
 * key (one partition), and the next send starts only after the previous one was acknowledged.
 */
export function startRelay(options: RelayOptions): Relay {
  const { store, publisher, checkpoints, topics, source } = options;
  const logger = options.logger ?? silentLogger;
  const maxRecords = options.maxRecordsPerSend ?? 500;
  const maxBytes = options.maxBytesPerSend ?? 512 * 1024;
  const context = storeMappingContext(store, options.laesCpr);
  const stopping = new AbortController();
  // Loaded before the first subscription (settled()); until then the relay reports 0.
  let checkpoint = 0;
  let recordsSent = 0;
  let failedSends = 0;
  let blocked: RelayBlock | undefined;
  let waitingSince: number | undefined;

  const sendUntilAcknowledged = async (records: readonly OutboundRecord[], from: number): Promise<void> => {
    waitingSince = Date.now();
    for (let attempt = 1; ; attempt++) {
      if (stopping.signal.aborted) throw new Stopped();
      try {
        // A stop does not wait for a send the broker may never answer; unacknowledged means not checkpointed.
        await untilAborted(publisher.send(records), stopping.signal);
        if (attempt > 1) logger.info('relay: broker acknowledged again', { attempts: attempt, checkpoint });
        blocked = undefined;
        waitingSince = undefined;
        recordsSent += records.length;
        return;
      } catch (error) {
        if (error instanceof Stopped) throw error;
        failedSends += 1;
        const code = blockingCode(error, attempt);
        if (code !== undefined) {
          // Nothing is skipped (the log order is the contract): the relay holds here, says so, and retries slowly.
          if (blocked?.code !== code) {
            logger.error('relay: the broker refuses a send; every party waits behind it', {
              code,
              position: from,
              topics: [...new Set(records.map((r) => r.topic))],
            });
          }
          blocked = { code, position: from, topics: [...new Set(records.map((r) => r.topic))], attempts: attempt };
        }
        const delay = backoffDelay(attempt - 1, options.retry);
        if (worthLogging(attempt)) {
          logger.warn('relay: send failed, retrying', {
            attempt,
            retryInMs: delay,
            checkpoint,
            error: describeError(error),
          });
        }
        if (!(await sleep(delay, stopping.signal))) throw new Stopped();
      }
    }
  };

  // One send in flight while the next batch is read and mapped: the broker's round trip hides the relay's own work.
  // Sends still go one after another, and each checkpoint is written after its own acknowledgement.
  let inFlight: Promise<void> = Promise.resolve();
  let dispatched = checkpoint;
  let failure: unknown;
  const dispatch = async (records: readonly OutboundRecord[], position: number, eventId: string): Promise<void> => {
    await inFlight;
    const from = dispatched + 1;
    dispatched = position;
    inFlight = (async () => {
      if (records.length > 0) {
        await sendUntilAcknowledged(records, from);
        await options.afterAcknowledged?.(records);
      }
      await checkpoints.save(position, eventId, checkpoint);
      checkpoint = position;
    })();
    inFlight.catch((error: unknown) => {
      // Nothing may wait on this send (the log is quiet): a failure must still end the relay.
      if (!(error instanceof Stopped)) {
        failure ??= error;
        stopping.abort();
        void subscription?.stop();
      }
    });
    // Let the client encode and write the request before the next batch's synchronous read and mapping run.
    await new Promise<void>((resolve) => setImmediate(resolve));
  };

  const toMessages = async (event: RecordedEvent): Promise<readonly IntegrationMessage[]> => {
    context.remember(event);
    const messages = await toIntegrationMessages(event, context);
    if (new Set(messages.map((m) => topics.outbound(m.recipient))).size !== messages.length) {
      throw new Error(`event ${event.eventId} maps to two messages on one topic; ce_id would not be unique`);
    }
    return messages;
  };

  const handler = async (events: readonly RecordedEvent[]): Promise<void> => {
    // Map the batch, then open its free text with one vault lookup, then send in order.
    const mapped: { readonly event: RecordedEvent; readonly messages: readonly IntegrationMessage[] }[] = [];
    let unmappable: { readonly event: RecordedEvent; readonly error: unknown } | undefined;
    for (const event of events) {
      try {
        mapped.push({ event, messages: await toMessages(event) });
      } catch (error) {
        unmappable = { event, error };
        break;
      }
    }
    const data = mapped.map(({ messages }) => messages.map((m) => m.data));
    let opened = data;
    if (options.afsloer) {
      const afsloer = options.afsloer;
      try {
        opened = await afsloer(data);
      } catch (error) {
        if (isUnavailable(error)) throw error;
        // Some text does not open (tampered, or a vault that does not match the log): find the event, send what
        // comes before it, and stop there like at an event that cannot be mapped.
        opened = [];
        for (const [i, messages] of data.entries()) {
          try {
            opened.push(await afsloer(messages));
          } catch (cause) {
            if (isUnavailable(cause)) throw cause;
            unmappable = { event: (mapped[i] as (typeof mapped)[number]).event, error: cause };
            mapped.length = i;
            break;
          }
        }
      }
    }
    let pending: OutboundRecord[] = [];
    let bytes = 0;
    let last = dispatched;
    let lastId = '';
    for (const [i, { event, messages }] of mapped.entries()) {
      for (const [j, message] of messages.entries()) {
        const record: OutboundRecord = {
          topic: topics.outbound(message.recipient),
          key: message.subject,
          value: JSON.stringify(opened[i]?.[j]),
          headers: cloudEventHeaders(event, message, source),
        };
        pending.push(record);
        bytes += Buffer.byteLength(record.value);
      }
      last = event.position;
      lastId = event.eventId;
      if (pending.length >= maxRecords || bytes >= maxBytes) {
        await dispatch(pending, last, lastId);
        pending = [];
        bytes = 0;
      }
    }
    if (last > dispatched) await dispatch(pending, last, lastId);
    if (unmappable) {
      // Everything before the event that cannot be mapped is published and checkpointed; the relay stops at it.
      await inFlight;
      const { event, error } = unmappable;
      if (isUnavailable(error)) throw error;
      throw new UnmappableEventError(event.position, event.eventId, event.type, error);
    }
  };

  /** The store must still have, at the checkpoint, the event the checkpoint was written after. */
  const verifyCheckpoint = async (): Promise<void> => {
    const expected = (await checkpoints.loadEventId?.()) ?? null;
    if (checkpoint === 0 || expected === null) return;
    const [at] = await store.readAll({ after: checkpoint - 1, maxCount: 1 });
    if (at?.position !== checkpoint || at.eventId !== expected) {
      throw new CheckpointMismatchError(checkpoint, expected, at?.position === checkpoint ? at.eventId : null);
    }
  };

  // A store that cannot be read for a while (StoreUnavailableError) is waited for: the relay subscribes again from its
  // last acknowledged checkpoint. Anything else ends it; it never skips an event.
  let subscription: Subscription | undefined;
  const settled = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt === 1) dispatched = checkpoint = await checkpoints.load();
        await verifyCheckpoint();
        subscription = store.subscribeToAll({ after: checkpoint, batchSize: options.batchSize ?? 500, handler });
        await subscription.done;
        await inFlight;
        break;
      } catch (error) {
        await inFlight.catch(() => undefined);
        if (stopping.signal.aborted || !(error instanceof StoreUnavailableError)) {
          if (!(error instanceof Stopped)) failure ??= error;
          break;
        }
        const delay = backoffDelay(attempt - 1, options.retry);
        if (worthLogging(attempt)) {
          logger.warn('relay: the store cannot be read, retrying', { attempt, retryInMs: delay, checkpoint });
        }
        if (!(await sleep(delay, stopping.signal))) break;
        dispatched = checkpoint;
      }
    }
    if (failure !== undefined) {
      logger.error('relay: stopped on an error', { checkpoint, error: describeError(failure) });
      throw failure;
    }
  };
  const done = settled();
  // The caller observes failures through `done`; this keeps an unobserved failure from crashing the process.
  done.catch(() => undefined);
  return {
    done,
    // Not clamped: a negative lag means the store is behind the checkpoint (restored or reset) and must be seen.
    lag: async () => (await store.headPosition()) - checkpoint,
    stats: () => ({
      checkpoint,
      recordsSent,
      failedSends,
      ...(blocked ? { blocked } : {}),
      ...(waitingSince === undefined ? {} : { waitingSince }),
    }),
    stop: async () => {
      stopping.abort();
      await subscription?.stop();
      await done.catch(() => undefined);
    },
  };
}

/** Settles like `work`, or rejects with Stopped as soon as the signal aborts (leaving `work` to settle unobserved). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Stopped());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Stopped());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
