import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { OutboundRecord, Publisher } from '../publisher.port';
import type { KafkaClientConfig } from './kafka-client';

/**
 * The Publisher port on kafkajs. acks = -1 always: a send resolves only when every in-sync replica has the records,
 * so the relay never checkpoints what a broker failure could still lose. One request in flight, so a retry inside
 * kafkajs cannot overtake the batch behind it. The Java-compatible partitioner, so other clients that key by
 * bestilling id land on the same partitions.
 */
export function createKafkaPublisher(kafka: Kafka, config: KafkaClientConfig): Publisher {
  const producer: Producer = kafka.producer({
    idempotent: config.idempotentProducer,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: config.autoCreateTopics,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let connected: Promise<void> | undefined;
  const connect = (): Promise<void> => {
    connected ??= producer.connect().catch((error: unknown) => {
      // The next send tries again; a broker that is down now may be up then.
      connected = undefined;
      throw error;
    });
    return connected;
  };

  return {
    async send(records) {
      if (records.length === 0) return;
      await connect();
      const byTopic = new Map<string, Message[]>();
      for (const record of records) {
        const messages = byTopic.get(record.topic) ?? [];
        messages.push(toMessage(record));
        byTopic.set(record.topic, messages);
      }
      await producer.sendBatch({
        acks: -1,
        timeout: config.requestTimeoutMs ?? 30_000,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    },
    async close() {
      await producer.disconnect();
    },
  };
}

const toMessage = (record: OutboundRecord): Message => ({
  key: record.key,
  value: record.value,
  headers: { ...record.headers },
});
