import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel, type Consumer, type Producer } from 'kafkajs';
import type { EventStore, RecordedEvent } from '../libs/event-store/src/event-store.port';
import { openSqliteEventStore } from '../libs/event-store/src/sqlite/sqlite.event-store';
import { openSqlitePiiVault, type PiiVault } from '../libs/privacy/src/pii-vault';
import { openSqliteCheckpointStore } from '../libs/relay/src/checkpoint.store';
import { cloudEventHeaders } from '../libs/relay/src/cloudevents';
import { storeMappingContext, toIntegrationMessages } from '../libs/relay/src/integration-events/map-event';
import { createKafka, type KafkaClientConfig } from '../libs/relay/src/kafkajs/kafka-client';
import { createKafkaPublisher } from '../libs/relay/src/kafkajs/kafkajs.publisher';
import type { OutboundRecord } from '../libs/relay/src/publisher.port';
import { startRelay } from '../libs/relay/src/relay';
import {
  accepteret,
  domainWriter,
  helIndsats,
  nyIndsats,
  udfoererFor,
  type Indsats,
} from '../libs/relay/src/testing/domain-writer';
import { mockClusterConfig } from '../libs/relay/src/testing/mock-cluster.config';
import { assertKcatInstalled, startMockKafka, type MockKafka } from '../libs/relay/src/testing/mock-kafka';
import { topicNames, type TopicNames } from '../libs/relay/src/topics';
import { type BenchOptions, type BenchRow, median } from './bench.types';

/** Events read per batch by the relay (its default), so the baseline sends the same batches. */
const EVENTS_PER_BATCH = 500;
const STEADY_RATE = 200;

const SOURCE = 'urn:ffb-hub:bench';

/** Whole indsatser (17 events each, 12 public messages) with borgers in the vault, as the hub stores them. */
async function fill(store: EventStore, vault: PiiVault, indsatser: number): Promise<void> {
  const writer = domainWriter(store);
  for (let n = 0; n < indsatser; n++) {
    const cpr = `0101${String(700000 + n).slice(-6)}`;
    const borgerId = (await vault.registrerBorger(cpr, randomUUID)).borgerId;
    await helIndsats(writer, nyIndsats(n % 2 === 0 ? '0101' : '0147', `tilbud-${n % 10}`, borgerId));
  }
}

/** The relay's records for the whole log, in its batches: what the baseline sends with raw kafkajs. */
async function recordsInBatches(store: EventStore, vault: PiiVault, topics: TopicNames): Promise<OutboundRecord[][]> {
  const context = storeMappingContext(store, (borgerId) => vault.laesCpr(borgerId));
  const events = await store.readAll();
  const batches: OutboundRecord[][] = [];
  for (let i = 0; i < events.length; i += EVENTS_PER_BATCH) {
    const batch: OutboundRecord[] = [];
    for (const event of events.slice(i, i + EVENTS_PER_BATCH)) {
      context.remember(event);
      for (const message of await toIntegrationMessages(event, context)) {
        batch.push({
          topic: topics.outbound(message.recipient),
          key: message.subject,
          value: JSON.stringify(message.data),
          headers: cloudEventHeaders(event, message, SOURCE),
        });
      }
    }
    batches.push(batch);
  }
  return batches;
}

function producerFor(kafka: Kafka, config: KafkaClientConfig): Producer {
  return kafka.producer({
    idempotent: config.idempotentProducer,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: config.autoCreateTopics,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** Raw kafkajs: the same records, the same batches, one sendBatch at a time with acks=-1. Seconds. */
async function rawSend(producer: Producer, batches: readonly OutboundRecord[][], prefix: string): Promise<number> {
  const started = process.hrtime.bigint();
  for (const batch of batches) {
    const byTopic = new Map<string, { key: string; value: string | Buffer; headers: Record<string, string> }[]>();
    for (const r of batch) {
      const topic = `${prefix}${r.topic}`;
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: r.key, value: r.value, headers: { ...r.headers } });
      byTopic.set(topic, messages);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The relay from checkpoint 0 over the whole log until its checkpoint is the head. Seconds. */
async function relayCatchUp(
  store: EventStore,
  vault: PiiVault,
  config: KafkaClientConfig,
  dir: string,
  prefix: string,
): Promise<number> {
  const durable = openSqliteCheckpointStore({ file: join(dir, `${prefix}checkpoint.sqlite`), name: 'relay' });
  const publisher = createKafkaPublisher(createKafka(config), config);
  // Connected before the clock starts, as the raw producer is: the figure is the relay's work, not a first connect.
  await publisher.send([{ topic: `${prefix}warm-up`, key: 'warm-up', value: '{}', headers: {} }]);
  const head = await store.headPosition();
  let reachedHead: () => void = () => undefined;
  const caughtUp = new Promise<void>((resolve) => (reachedHead = resolve));
  // The clock stops at the checkpoint write that reaches the head: no polling beside the relay's own work.
  const checkpoints = {
    ...durable,
    async save(position: number, eventId?: string, previous?: number) {
      await durable.save(position, eventId, previous);
      if (position >= head) reachedHead();
    },
  };
  const started = process.hrtime.bigint();
  const relay = startRelay({
    store,
    publisher,
    checkpoints,
    topics: topicNames(prefix),
    source: SOURCE,
    laesCpr: (borgerId) => vault.laesCpr(borgerId),
  });
  await caughtUp;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await relay.stop();
  await publisher.close();
  await durable.close();
  return seconds;
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};

/** One consumer of the topics that records when it first saw each ce_id on each topic (monotonic ms). */
async function timedConsumer(
  kafka: Kafka,
  topics: readonly string[],
): Promise<{ consumer: Consumer; seen: Map<string, number> }> {
  const seen = new Map<string, number>();
  // The mock creates a topic on a metadata request; the consumer must find both when it joins (one 3 s join).
  const admin = kafka.admin();
  await admin.connect();
  await admin.fetchTopicMetadata({ topics: [...topics] });
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: 10, sessionTimeout: 6000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const key = `${topic} ${message.headers?.['ce_id']?.toString()}`;
      if (!seen.has(key)) seen.set(key, performance.now());
    },
  });
  return { consumer, seen };
}

/** Calls `step` STEADY_RATE times a second for `count` steps; returns when each step started. */
async function steady(count: number, step: (n: number) => Promise<void>): Promise<void> {
  const interval = 1000 / STEADY_RATE;
  const start = performance.now();
  for (let n = 0; n < count; n++) {
    const due = start + n * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await step(n);
  }
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`relay bench: ${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Lag from the append of a VUM-observation (shared with the myndighed) to its consumption, through the relay. */
async function relayLag(
  mock: MockKafka,
  config: KafkaClientConfig,
  dir: string,
  count: number,
): Promise<{ lags: number[]; baseline: number[] }> {
  const store = openSqliteEventStore({ file: join(dir, 'lag-events.sqlite'), synchronous: 'NORMAL' });
  const writer = domainWriter(store);
  const indsatser: Indsats[] = Array.from({ length: 20 }, () => nyIndsats('0101', 'tilbud-lag'));
  for (const indsats of indsatser) await accepteret(writer, indsats);
  const topics = topicNames('lag.');
  const topic = topics.outbound({ party: 'myndighed', id: '0101' });
  const kafka = new Kafka({ clientId: 'bench-reader', brokers: [...mock.brokers], logLevel: logLevel.NOTHING });
  const checkpoints = openSqliteCheckpointStore({ file: join(dir, 'lag-checkpoint.sqlite'), name: 'relay' });
  const publisher = createKafkaPublisher(createKafka(config), config);
  const relay = startRelay({ store, publisher, checkpoints, topics, source: SOURCE, laesCpr: () => null });
  const head = await store.headPosition();
  await waitFor(() => relay.stats().checkpoint >= head, 30_000, 'relay caught up before the lag run');
  const rawTopic = `raw.${topic}`;
  const { consumer, seen } = await timedConsumer(kafka, [topic, rawTopic]);
  const appended = new Map<string, number>();
  await steady(count, async (n) => {
    const indsats = indsatser[n % indsatser.length] as Indsats;
    const at = performance.now();
    const result = await writer.bestilling(
      {
        type: 'RegistrerVumObservation',
        data: {
          bestillingId: indsats.bestillingId,
          observationId: randomUUID(),
          tekst: 'Borgeren har holdt sig på værelset hele weekenden.',
          undertemaer: ['3f9da5ac-9686-4eeb-b517-b46e17fcb1d7'],
          paavirkerIndsatsen: true,
          observeret: '2026-03-28T20:00:00+01:00',
        },
      },
      udfoererFor(indsats.tilbudId),
    );
    appended.set(result.eventIds[0] as string, at);
  });
  const consumed = (t: string, id: string) => seen.get(`${t} ${id}`);
  await waitFor(() => [...appended.keys()].every((id) => consumed(topic, id)), 30_000, 'every appended event consumed');
  const lags = [...appended].map(([id, at]) => (consumed(topic, id) as number) - at);

  // Baseline: the same records sent with raw kafkajs at the same rate, from send to consumption.
  const recorded = await store.readAll({ after: head });
  const context = storeMappingContext(store, () => null);
  const records: OutboundRecord[] = [];
  for (const event of recorded as RecordedEvent[]) {
    for (const message of await toIntegrationMessages(event, context)) {
      records.push({
        topic: rawTopic,
        key: message.subject,
        value: JSON.stringify(message.data),
        headers: cloudEventHeaders(event, message, SOURCE),
      });
    }
  }
  const producer = producerFor(kafka, config);
  await producer.connect();
  const sentAt = new Map<string, number>();
  await steady(records.length, async (n) => {
    const r = records[n] as OutboundRecord;
    sentAt.set(r.headers['ce_id'] as string, performance.now());
    await producer.send({
      topic: r.topic,
      acks: -1,
      messages: [{ key: r.key, value: r.value, headers: { ...r.headers } }],
    });
  });
  await waitFor(() => [...sentAt.keys()].every((id) => consumed(rawTopic, id)), 30_000, 'every raw record consumed');
  const baseline = [...sentAt].map(([id, at]) => (consumed(rawTopic, id) as number) - at);

  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  await relay.stop();
  await publisher.close();
  await checkpoints.close();
  await store.close();
  return { lags, baseline };
}

export async function bench(options: BenchOptions): Promise<BenchRow[]> {
  try {
    assertKcatInstalled();
  } catch (error) {
    options.log(`relay: skipped, ${(error as Error).message}`);
    return [];
  }
  mkdirSync(options.tmpDir, { recursive: true });
  const mock = await startMockKafka();
  try {
    const config = mockClusterConfig(mock.brokers, { requestTimeoutMs: 30_000, retries: 5 });
    const store = openSqliteEventStore({ file: join(options.tmpDir, 'events.sqlite'), synchronous: 'NORMAL' });
    const vault = openSqlitePiiVault({ file: join(options.tmpDir, 'pii.sqlite'), masterKey: randomBytes(32) });
    const indsatser = options.quick ? 40 : 300;
    await fill(store, vault, indsatser);
    const events = await store.headPosition();
    const batches = await recordsInBatches(store, vault, topicNames());
    const records = batches.reduce((sum, b) => sum + b.length, 0);
    options.log(
      `relay: ${events} events of ${indsatser} indsatser give ${records} records ` +
        `(${Math.round(batches.flat().reduce((s, r) => s + Buffer.byteLength(r.value), 0) / records)} B payload on average); ` +
        'librdkafka mock cluster over TCP, acks=-1',
    );
    const runs = options.quick ? 1 : 7;
    const kafka = new Kafka({ clientId: 'bench-raw', brokers: [...mock.brokers], logLevel: logLevel.NOTHING });
    const producer = producerFor(kafka, config);
    await producer.connect();
    // One discarded run per side: topic creation and JIT warm-up belong to neither figure.
    await rawSend(producer, batches, 'warm-raw.');
    await relayCatchUp(store, vault, config, options.tmpDir, 'warm-relay.');
    const relayRates: number[] = [];
    const rawRates: number[] = [];
    for (let run = 0; run < runs; run++) {
      rawRates.push(records / (await rawSend(producer, batches, `raw${run}.`)));
      relayRates.push(records / (await relayCatchUp(store, vault, config, options.tmpDir, `relay${run}.`)));
      options.log(
        `  run ${run + 1}: relay ${Math.round(relayRates[run] as number)} records/s, raw ${Math.round(rawRates[run] as number)}`,
      );
    }
    await producer.disconnect();
    await store.close();
    await vault.close();

    const { lags, baseline } = await relayLag(mock, config, options.tmpDir, options.quick ? 200 : 2000);
    options.log(`relay: lag over ${lags.length} events at ${STEADY_RATE}/s (baseline ${baseline.length} raw sends)`);
    const value = median(relayRates);
    const baselineValue = median(rawRates);
    return [
      {
        figure: 'relay catch-up from a checkpoint (map, send, ack, checkpoint)',
        unit: 'records/s',
        value,
        baseline: 'raw kafkajs sendBatch, same records and batches, acks=-1',
        baselineValue,
        ratio: value / baselineValue,
        aim: 0.7,
      },
      {
        figure: `relay end-to-end lag p50, append → consumed, ${STEADY_RATE} events/s`,
        unit: 'ms',
        value: percentile(lags, 50),
        baseline: 'raw kafkajs send → consumed, same rate',
        baselineValue: percentile(baseline, 50),
      },
      {
        figure: `relay end-to-end lag p99, append → consumed, ${STEADY_RATE} events/s`,
        unit: 'ms',
        value: percentile(lags, 99),
        baseline: 'raw kafkajs send → consumed, same rate',
        baselineValue: percentile(baseline, 99),
      },
    ];
  } finally {
    await mock.stop();
  }
}
