import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import { describeError, silentLogger } from '../backoff';
import type { InboundDelivery, InboundMessage, InboundSource } from '../inbound/inbound-source.port';
import type { KafkaClientConfig } from './kafka-client';

export interface KafkaInboundOptions {
  readonly groupId: string;
  /**
   * How often the topic list is read for new matching topics (a newly connected kommune or tilbud). kafkajs resolves
   * a pattern subscription once, so a new topic means joining the group again with the longer list. Default 60 s.
   */
  readonly topicRefreshMs?: number;
}

/**
 * The InboundSource port on a kafkajs consumer group. Starting never fails on an unreachable broker: the hub keeps
 * accepting HTTP commands while Kafka is down, and the next topic refresh tries again. New groups read from the
 * beginning of each topic, so no command sent before the hub first connected is skipped.
 */
export function createKafkaInboundSource(
  kafka: Kafka,
  config: KafkaClientConfig,
  options: KafkaInboundOptions,
): InboundSource {
  const logger = config.logger ?? silentLogger;
  // No retries of its own: the refresh runs again on its timer, and a stop never waits out a retry series.
  const admin = kafka.admin({ retry: { retries: 0 } });
  let consumer: Consumer | undefined;
  let subscribed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  // Refreshes and stop() run one after another, never interleaved.
  let queue: Promise<void> = Promise.resolve();
  const serial = (work: () => Promise<void>): Promise<void> => (queue = queue.then(work, work));

  const subscribe = async (
    topics: readonly string[],
    handler: (message: InboundMessage, delivery: InboundDelivery) => Promise<void>,
  ): Promise<void> => {
    const previous = consumer;
    consumer = undefined;
    await previous?.disconnect();
    const next = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: config.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: config.heartbeatIntervalMs ?? 3000,
      maxWaitTimeInMs: config.maxWaitTimeMs ?? 1000,
      allowAutoTopicCreation: false,
    });
    next.on(next.events.CRASH, (event) => {
      // kafkajs restarts itself after retriable errors; after any other, the next topic refresh joins again.
      if (!event.payload.restart && consumer === next) {
        logger.error('kafka: command consumer crashed; rejoining at the next topic refresh', {
          error: describeError(event.payload.error),
        });
        consumer = undefined;
        subscribed = new Set();
      }
    });
    try {
      await next.connect();
      await next.subscribe({ topics: [...topics], fromBeginning: true });
      await next.run({
        eachMessage: ({ topic, partition, message, heartbeat }) =>
          handler(
            {
              topic,
              partition,
              offset: message.offset,
              key: message.key ? message.key.toString('utf8') : null,
              value: message.value,
              headers: decodeHeaders(message.headers),
            },
            { heartbeat },
          ),
      });
    } catch (error) {
      await next.disconnect().catch(() => undefined);
      throw error;
    }
    consumer = next;
    subscribed = new Set(topics);
  };

  return {
    async start(pattern, handler) {
      const refreshMs = options.topicRefreshMs ?? 60_000;
      const refresh = async (): Promise<void> => {
        if (stopped) return;
        try {
          await admin.connect();
          const topics = (await admin.listTopics()).filter((topic) => pattern.test(topic)).sort();
          const grown = topics.some((topic) => !subscribed.has(topic)) || (consumer === undefined && topics.length > 0);
          if (grown) {
            await subscribe(topics, handler);
            logger.info('kafka: consuming command topics', { topics: topics.length });
          }
        } catch (error) {
          logger.warn('kafka: could not start consuming command topics; trying again', { error: describeError(error) });
        } finally {
          if (!stopped) timer = setTimeout(() => void serial(refresh), refreshMs);
        }
      };
      await serial(refresh);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await serial(async () => {
        await consumer?.disconnect();
        consumer = undefined;
        await admin.disconnect();
      });
    },
  };
}

/**
 * Kafka headers as text. A header sent without a value (null) is left out, as if absent: read as the text "null" it
 * made every value-less ce_id the same id, and all but the first such message were dropped as duplicates, unseen
 * (found by the campaign's hostile input).
 */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined && value !== null)
      out[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return out;
}
