import { openSqliteEventStore } from '@hub/event-store';
import { openSqliteCheckpointStore } from '../checkpoint.store';
import { createKafka } from '../kafkajs/kafka-client';
import { createKafkaPublisher } from '../kafkajs/kafkajs.publisher';
import type { Publisher } from '../publisher.port';
import { startRelay } from '../relay';
import { topicNames } from '../topics';
import { mockClusterConfig } from './mock-cluster.config';

/**
 * A relay in its own process for the crash test: after the broker acknowledges the first send it prints "acked" and
 * freezes (the event loop blocked), so the parent's SIGKILL lands after the acknowledgement and before the relay
 * could write its checkpoint.
 */
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const config = mockClusterConfig([env('BROKERS')]);
const kafka = createKafka(config);
const inner = createKafkaPublisher(kafka, config);
const publisher: Publisher = {
  async send(records) {
    await inner.send(records);
    process.stdout.write(`acked ${records.length}\n`, () => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000);
    });
    await new Promise(() => undefined);
  },
  close: () => inner.close(),
};

startRelay({
  store: openSqliteEventStore({ file: env('STORE_FILE') }),
  publisher,
  checkpoints: openSqliteCheckpointStore({ file: env('CHECKPOINT_FILE'), name: 'relay' }),
  topics: topicNames(env('PREFIX')),
  source: 'urn:ffb-hub:crash-test',
  laesCpr: () => null,
  maxRecordsPerSend: Number(env('MAX_RECORDS')),
});
