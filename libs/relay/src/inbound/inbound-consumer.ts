import {
  backoffDelay,
  describeError,
  isUnavailable,
  silentLogger,
  sleep,
  worthLogging,
  type BackoffOptions,
  type Logger,
} from '../backoff';
import { CE, SPEC_VERSION } from '../cloudevents';
import type { OutboundRecord, Publisher } from '../publisher.port';
import type { PartyRef, TopicNames } from '../topics';
import type { InboundDelivery, InboundMessage, InboundSource } from './inbound-source.port';
import type { ProcessedMessages } from './processed-messages';
import type { Sensitivity } from '../integration-events/integration-event';

/** A command message that passed the envelope checks, for the application's handler. */
export interface CommandMessage {
  readonly message: InboundMessage;
  /** ce_id: the sender's message id, unique per sender. */
  readonly id: string;
  /** ce_type: which command. */
  readonly type: string;
  /** The party the topic names: Kafka's prefix ACLs let only that party write it. */
  readonly sender: PartyRef;
  /**
   * True when an earlier handling of this message may have been applied (a crash, a stop or a failed attempt came in
   * between): the handler checks the store before applying it again.
   */
  readonly maybeApplied: boolean;
}

export type CommandMessageHandler = (command: CommandMessage) => Promise<void>;

export interface ErrorField {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

/** The same message will always fail (malformed, invalid, refused by a rule, the wrong party): dead-letter it. */
export class PermanentMessageError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly errors: readonly ErrorField[] = [],
  ) {
    super(message);
    this.name = 'PermanentMessageError';
  }
}

/** The message may pass later (store unavailable, a concurrent write): retry with back-off, `maxAttempts` in all. */
export class TransientMessageError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** null: retry until it passes or the consumer stops (an outage must not turn valid commands into rejects). */
    readonly maxAttempts: number | null,
  ) {
    super(message);
    this.name = 'TransientMessageError';
  }
}

/** Headers a dead-lettered message carries besides its original ones (its ce_* attributes included). */
export const DLQ = {
  code: 'ffb_dlq_code',
  reason: 'ffb_dlq_reason',
  errors: 'ffb_dlq_errors',
  topic: 'ffb_dlq_topic',
  partition: 'ffb_dlq_partition',
  offset: 'ffb_dlq_offset',
  attempts: 'ffb_dlq_attempts',
  time: 'ffb_dlq_time',
} as const;

/**
 * The sensitivity of a dead letter: `fortrolig-cpr` when the body is (or may be) an afgivelse, which carries the CPR —
 * by its type, or a `cpr` field in a body whose type is unknown or wrong; `fortrolig` otherwise.
 */
export function deadLetterSensitivity(message: Pick<InboundMessage, 'headers' | 'value'>): Sensitivity {
  const type = message.headers[CE.type] ?? '';
  if (/afgivbestilling/i.test(type)) return 'fortrolig-cpr';
  const body = message.value?.toString() ?? '';
  return /"cpr"\s*:/i.test(body) ? 'fortrolig-cpr' : 'fortrolig';
}

export interface InboundConsumerOptions {
  readonly source: InboundSource;
  /** Sends dead letters; acknowledged before the message counts as handled. */
  readonly publisher: Publisher;
  readonly processed: ProcessedMessages;
  readonly topics: TopicNames;
  readonly handler: CommandMessageHandler;
  readonly retry?: BackoffOptions;
  /** Attempts for an error the handler did not classify. Default 5. */
  readonly maxAttempts?: number;
  readonly logger?: Logger;
  readonly now?: () => string;
}

export interface InboundStats {
  readonly applied: number;
  readonly duplicates: number;
  readonly deadLettered: number;
  readonly retries: number;
}

/**
 * A dead letter as operations see it: the code, the field problems' paths and codes, the topics and the time. Never
 * the body, the sender's headers or the reason text (a validation message may echo a value the sender sent).
 */
export interface DeadLetterNote {
  readonly code: string;
  /** `field: CODE` of the field problems (at most 5), empty when the message failed as a whole. */
  readonly fields: readonly string[];
  /** The command topic the message came from. */
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly type: string | null;
  readonly attempts: number;
  readonly time: string;
}

export interface DeadLetterStats {
  /** Dead letters sent since the consumer started, per code. */
  readonly byCode: Readonly<Record<string, number>>;
  /** The latest dead letters, newest first (at most DEAD_LETTER_RING). */
  readonly latest: readonly DeadLetterNote[];
}

export interface InboundConsumer {
  stats(): InboundStats;
  /** For /metrics and /ops: counts per code and the latest dead letters, without payloads. */
  deadLetters(): DeadLetterStats;
  stop(): Promise<void>;
}

/** How many dead letters /ops lists. */
export const DEAD_LETTER_RING = 50;
/** Distinct codes counted apart; more (there are far fewer) are counted as `ANDET`, to bound the metric's labels. */
const MAX_DEAD_LETTER_CODES = 100;
const SAFE_TEXT = /^[\w.:\-[\]]{1,120}$/;

class Stopped extends Error {}

const MAX_ID_LENGTH = 200;
const MAX_ERRORS_IN_HEADER = 50;

/**
 * Consumes the per-sender command topics (design.md §4): checks the CloudEvents envelope, skips message ids it has
 * handled before (redeliveries), hands each command to the application, retries transient failures with back-off
 * and sends permanent failures to the sender's dead-letter topic with the reason in headers, then goes on with the
 * next message. One message at a time per partition, so a sender's commands keep their order.
 */
export async function startInboundConsumer(options: InboundConsumerOptions): Promise<InboundConsumer> {
  const { source, publisher, processed, topics, handler } = options;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date().toISOString());
  const maxAttempts = options.maxAttempts ?? 5;
  const stopping = new AbortController();
  const stats = { applied: 0, duplicates: 0, deadLettered: 0, retries: 0 };
  const byCode = new Map<string, number>();
  const latest: DeadLetterNote[] = [];

  const pause = async (attempt: number, delivery: InboundDelivery): Promise<void> => {
    stats.retries += 1;
    if (!(await sleep(backoffDelay(attempt - 1, options.retry), stopping.signal))) throw new Stopped();
    await delivery.heartbeat();
  };

  /**
   * The processed-message record, retried with back-off while its store is unavailable (a PostgreSQL failover, a busy
   * SQLite file): an outage must neither skip the dedupe nor turn an applied command into a dead letter.
   */
  const recorded = async <T>(work: () => Promise<T>, delivery: InboundDelivery): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!isUnavailable(error)) throw error;
        if (worthLogging(attempt)) {
          logger.warn('inbound: processed message ids unavailable, retrying', { attempt, error: describeError(error) });
        }
        await pause(attempt, delivery);
      }
    }
  };

  const deadLetter = async (
    message: InboundMessage,
    sender: PartyRef,
    error: PermanentMessageError,
    attempts: number,
    delivery: InboundDelivery,
  ): Promise<void> => {
    const record: OutboundRecord = {
      topic: topics.deadLetter(sender),
      key: message.key ?? message.headers[CE.subject] ?? '',
      value: message.value ?? '',
      headers: {
        ...message.headers,
        [DLQ.code]: error.code,
        [DLQ.reason]: error.message,
        [DLQ.errors]: JSON.stringify(error.errors.slice(0, MAX_ERRORS_IN_HEADER)),
        [DLQ.topic]: message.topic,
        [DLQ.partition]: String(message.partition),
        [DLQ.offset]: message.offset,
        [DLQ.attempts]: String(attempts),
        [DLQ.time]: now(),
        // The dead letter carries the body as sent: for an afgivelse the CPR. Marked like the relay's messages, last,
        // so a sender's own header cannot lower it.
        [CE.sensitivity]: deadLetterSensitivity(message),
      },
    };
    for (let attempt = 1; ; attempt++) {
      if (stopping.signal.aborted) throw new Stopped();
      try {
        await publisher.send([record]);
        break;
      } catch (sendError) {
        if (worthLogging(attempt)) {
          logger.warn('inbound: dead letter not acknowledged, retrying', { attempt, error: describeError(sendError) });
        }
        await pause(attempt, delivery);
      }
    }
    stats.deadLettered += 1;
    const code = byCode.has(error.code) || byCode.size < MAX_DEAD_LETTER_CODES ? error.code : 'ANDET';
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
    const type = message.headers[CE.type];
    latest.unshift({
      code: error.code,
      fields: error.errors
        .slice(0, 5)
        .map((e) => `${SAFE_TEXT.test(e.field) ? e.field : '?'}: ${SAFE_TEXT.test(e.code) ? e.code : '?'}`),
      topic: message.topic,
      deadLetterTopic: record.topic,
      type: type && SAFE_TEXT.test(type) ? type : null,
      attempts,
      time: record.headers[DLQ.time] as string,
    });
    latest.length = Math.min(latest.length, DEAD_LETTER_RING);
    // The code names the rule or field problem; the reason text stays in the dead letter, out of the log.
    logger.warn('inbound: command dead-lettered', {
      code: error.code,
      type: message.headers[CE.type],
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
    });
  };

  const handle = async (message: InboundMessage, delivery: InboundDelivery): Promise<void> => {
    const sender = topics.parseCommandTopic(message.topic);
    if (!sender) {
      logger.error('inbound: message on a topic that names no sender; skipped', { topic: message.topic });
      return;
    }
    const id = message.headers[CE.id];
    if (!id || id.length > MAX_ID_LENGTH) {
      const problem = id
        ? new PermanentMessageError('KAFKA.UGYLDIGT_CE_ID', `ce_id is longer than ${MAX_ID_LENGTH} characters`)
        : new PermanentMessageError(
            'KAFKA.MANGLER_CE_ID',
            'the message has no ce_id header, so it cannot be deduplicated',
          );
      await deadLetter(message, sender, problem, 1, delivery);
      return;
    }
    const begun = await recorded(() => processed.begin(message.topic, id), delivery);
    if (begun === 'done' || begun === 'dead') {
      stats.duplicates += 1;
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        if (message.headers[CE.specversion] !== SPEC_VERSION) {
          throw new PermanentMessageError(
            'KAFKA.UGYLDIG_CLOUDEVENT',
            `ce_specversion must be ${SPEC_VERSION} (CloudEvents binary mode)`,
          );
        }
        await handler({
          message,
          id,
          type: message.headers[CE.type] ?? '',
          sender,
          maybeApplied: begun === 'unfinished' || attempt > 1,
        });
      } catch (error) {
        if (error instanceof Stopped) throw error;
        const permanent = asPermanent(error, attempt, maxAttempts);
        if (permanent) {
          await deadLetter(message, sender, permanent, attempt, delivery);
          await recorded(() => processed.finish(message.topic, id, 'dead', permanent.code), delivery);
          return;
        }
        if (worthLogging(attempt)) {
          logger.warn('inbound: command failed, retrying', {
            attempt,
            topic: message.topic,
            offset: message.offset,
            error: error instanceof TransientMessageError ? error.code : describeError(error),
          });
        }
        await pause(attempt, delivery);
        continue;
      }
      await recorded(() => processed.finish(message.topic, id, 'done', null), delivery);
      stats.applied += 1;
      return;
    }
  };

  await source.start(topics.commandPattern, handle);
  return {
    stats: () => ({ ...stats }),
    deadLetters: () => ({ byCode: Object.fromEntries(byCode), latest: latest.map((n) => ({ ...n })) }),
    stop: async () => {
      stopping.abort();
      await source.stop();
    },
  };
}

/** The dead letter an error becomes now, or null to try again. */
function asPermanent(error: unknown, attempt: number, maxAttempts: number): PermanentMessageError | null {
  if (error instanceof PermanentMessageError) return error;
  const limit = error instanceof TransientMessageError ? error.maxAttempts : maxAttempts;
  if (limit === null || attempt < limit) return null;
  const code = error instanceof TransientMessageError ? error.code : 'KAFKA.INTERN_FEJL';
  return new PermanentMessageError(code, `gave up after ${attempt} attempts (${code})`);
}
