import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore, StoreUnavailableError, type EventStore } from '@hub/event-store';
import { openSqliteCheckpointStore, type CheckpointStore } from './checkpoint.store';
import { storeMappingContext, toIntegrationMessages } from './integration-events/map-event';
import { createKafka, type KafkaClientConfig } from './kafkajs/kafka-client';
import { createKafkaPublisher } from './kafkajs/kafkajs.publisher';
import { startRelay, UnmappableEventError, type Relay, type RelayOptions } from './relay';
import {
  accepteret,
  domainWriter,
  helIndsats,
  nyIndsats,
  tilbagemeldingspligt,
  type Indsats,
} from './testing/domain-writer';
import { listTopics, readTopic, type KcatRecord } from './testing/kcat';
import { startMockKafka, type MockKafka } from './testing/mock-kafka';
import { eventually, mockClusterConfig, throughProxy } from './testing/mock-cluster.config';
import { startTcpProxy } from './testing/tcp-proxy';
import { topicNames, type TopicNames } from './topics';

const ROOT = join(__dirname, '..', '..', '..');

interface Expected {
  readonly topic: string;
  readonly key: string;
  readonly id: string;
}

/** What the relay must publish for the store's log: per topic and key, the ce_ids in log order. */
async function expectedRecords(store: EventStore, topics: TopicNames): Promise<Expected[]> {
  const context = storeMappingContext(store, () => null);
  const out: Expected[] = [];
  for (const event of await store.readAll()) {
    for (const message of await toIntegrationMessages(event, context)) {
      out.push({ topic: topics.outbound(message.recipient), key: message.subject, id: event.eventId });
    }
  }
  return out;
}

async function published(bootstrap: string, prefix: string): Promise<KcatRecord[]> {
  const names = (await listTopics(bootstrap)).filter((t) => t.startsWith(`${prefix}ffb.`));
  return (await Promise.all(names.map((name) => readTopic(bootstrap, name)))).flat();
}

/** Per topic and key: the ce_ids in the order they first appear (what a consumer that dedupes on ce_id sees). */
function firstSeen(records: readonly { topic: string; key: string | null; id: string }[]): Map<string, string[]> {
  const sequences = new Map<string, string[]>();
  for (const record of records) {
    const sequence = sequences.get(`${record.topic} ${record.key}`) ?? [];
    if (!sequence.includes(record.id)) sequence.push(record.id);
    sequences.set(`${record.topic} ${record.key}`, sequence);
  }
  return sequences;
}

const asSeen = (records: readonly KcatRecord[]) =>
  [...records]
    .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    .map((r) => ({ topic: r.topic, key: r.key, id: r.headers['ce_id'] as string }));

describe('relay against a Kafka-protocol broker (librdkafka mock cluster)', () => {
  let mock: MockKafka;
  let dir: string;
  let store: EventStore;
  let checkpoints: CheckpointStore;
  const cleanup: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    mock = await startMockKafka();
  });
  afterAll(async () => {
    await mock.stop();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'relay-'));
    store = openSqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    checkpoints = openSqliteCheckpointStore({ file: join(dir, 'kafka.sqlite'), name: 'relay' });
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
    await checkpoints.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const relayWith = (
    config: KafkaClientConfig,
    topics: TopicNames,
    options: Pick<RelayOptions, 'maxRecordsPerSend' | 'afterAcknowledged' | 'afsloer'> = {},
  ) => {
    const publisher = createKafkaPublisher(createKafka(config), config);
    const relay = startRelay({
      store,
      publisher,
      checkpoints,
      topics,
      source: 'urn:ffb-hub:test',
      laesCpr: () => null,
      retry: { initialMs: 50, maxMs: 400 },
      ...options,
    });
    cleanup.push(async () => {
      await relay.stop();
      await publisher.close();
    });
    return relay;
  };
  const caughtUp = (relay: Relay) =>
    eventually(
      () => relay.lag(),
      (lag) => lag === 0,
      30_000,
      'relay lag 0',
    );

  it('keeps accepting commands while the broker is unreachable and publishes every event, in order per key, once it is back', async () => {
    const topics = topicNames('outage.');
    const proxy = await startTcpProxy(mock.bootstrap);
    cleanup.push(() => proxy.stop());
    const relay = relayWith(mockClusterConfig(mock.brokers, { socketFactory: throughProxy(proxy) }), topics);
    const writer = domainWriter(store);

    await helIndsats(writer, nyIndsats('0101', 'tilbud-a'));
    await caughtUp(relay);
    const before = relay.stats();
    expect(before.recordsSent).toBeGreaterThan(0);

    await proxy.stop();
    await helIndsats(writer, nyIndsats('0147', 'tilbud-b'));
    await helIndsats(writer, nyIndsats('0101', 'tilbud-a'));
    await eventually(
      () => relay.stats().failedSends,
      (n) => n >= 2,
      20_000,
      'failed sends during the outage',
    );
    expect(await relay.lag()).toBeGreaterThan(0);
    expect(relay.stats().checkpoint).toBe(before.checkpoint);

    await proxy.start();
    await caughtUp(relay);

    const expected = await expectedRecords(store, topics);
    const seen = asSeen(await published(mock.bootstrap, 'outage.'));
    expect(new Set(seen.map((r) => r.id))).toEqual(new Set(expected.map((r) => r.id)));
    expect(firstSeen(seen)).toEqual(firstSeen(expected));
    // Redeliveries are duplicates of the same ce_id on the same topic and key, never anything else.
    expect(seen.length).toBeGreaterThanOrEqual(expected.length);
  }, 60_000);

  it('sends again, with the same ce_id, what was acknowledged but not checkpointed when the relay was killed', async () => {
    const topics = topicNames('crash.');
    const writer = domainWriter(store);
    await helIndsats(writer, nyIndsats('0101', 'tilbud-a'));
    await helIndsats(writer, nyIndsats('0147', 'tilbud-b'));

    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(__dirname, 'testing', 'relay-child.process.ts')],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          BROKERS: mock.bootstrap,
          STORE_FILE: join(dir, 'events.sqlite'),
          CHECKPOINT_FILE: join(dir, 'kafka.sqlite'),
          PREFIX: 'crash.',
          MAX_RECORDS: '5',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('acked')) {
          // The broker has the first 5 records; the child is frozen before its checkpoint write.
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`relay child exited before its first ack: ${stderr}`)));
    });
    expect(await exited).toBe('SIGKILL');
    expect(await checkpoints.load()).toBe(0);
    const afterCrash = asSeen(await published(mock.bootstrap, 'crash.'));
    expect(afterCrash).toHaveLength(5);

    const relay = relayWith(mockClusterConfig(mock.brokers), topics);
    await caughtUp(relay);

    const expected = await expectedRecords(store, topics);
    const seen = asSeen(await published(mock.bootstrap, 'crash.'));
    expect(seen).toHaveLength(expected.length + 5);
    const counts = new Map<string, number>();
    for (const record of seen) counts.set(record.id, (counts.get(record.id) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n === 2).map(([id]) => id);
    expect(new Set(twice)).toEqual(new Set(afterCrash.map((r) => r.id)));
    expect([...counts.values()].every((n) => n === 1 || n === 2)).toBe(true);
    expect(new Set(counts.keys())).toEqual(new Set(expected.map((r) => r.id)));
    expect(firstSeen(seen)).toEqual(firstSeen(expected));
  }, 60_000);

  it("never puts another tilbud's or kommune's data on a party's topic, also for ids that differ only in case or - and _", async () => {
    const topics = topicNames('isolation.');
    const writer = domainWriter(store);
    const hele: Indsats[] = [
      nyIndsats('0101', 'tilbud_a'),
      nyIndsats('0147', 'tilbud-a'),
      nyIndsats('0101', 'Tilbud-a'),
      nyIndsats('0147', 'tilbud_a'),
    ];
    for (const indsats of hele) await helIndsats(writer, indsats);
    // And a tilbagemeldingspligt forløb for each pair: krav, opfyldelse and bortfald to both parties, påmindelser to one.
    const medPligt = hele.map((i) => nyIndsats(i.kommunekode, i.tilbudId));
    for (const indsats of medPligt) {
      await accepteret(writer, indsats);
      await tilbagemeldingspligt(writer, indsats);
    }
    const indsatser = [...hele, ...medPligt];
    const relay = relayWith(mockClusterConfig(mock.brokers), topics);
    await caughtUp(relay);

    const parties = [
      ...new Set(indsatser.map((i) => `udfoerer:${i.tilbudId}`)),
      ...new Set(indsatser.map((i) => `myndighed:${i.kommunekode}`)),
    ];
    let checked = 0;
    const pligtTypes = new Set<string>();
    for (const label of parties) {
      const [party, id] = label.split(':') as ['udfoerer' | 'myndighed', string];
      const records = await readTopic(mock.bootstrap, topics.outbound({ party, id }));
      const own = indsatser.filter((i) => (party === 'udfoerer' ? i.tilbudId : i.kommunekode) === id);
      const foreign = indsatser.filter((i) => !own.includes(i));
      expect(records.length).toBeGreaterThan(0);
      for (const record of records) {
        expect(record.headers['ce_ffbrecipient']).toBe(label);
        expect(own.map((i) => i.bestillingId)).toContain(record.key);
        for (const other of foreign) {
          expect(record.payload).not.toContain(other.bestillingId);
          expect(record.payload).not.toContain(other.borgerId);
        }
        const type = record.headers['ce_type'] as string;
        if (/^dk\.ffb\.(tilbagemeldingspligt|paamindelse)\./.test(type)) {
          pligtTypes.add(`${type} ${party}`);
          // A påmindelse is on its modtager's topic only; a krav names the parties of its own bestilling.
          const data = JSON.parse(record.payload ?? '{}') as {
            modtager?: string;
            kommunekode: string;
            tilbudId: string;
          };
          if (type.startsWith('dk.ffb.paamindelse.')) expect(data.modtager).toBe(party);
          expect(party === 'udfoerer' ? data.tilbudId : data.kommunekode).toBe(id);
          expect(record.headers['ce_ffbsender']).toBe('hub');
        }
        checked += 1;
      }
    }
    expect(checked).toBe((await expectedRecords(store, topics)).length);
    expect([...pligtTypes].sort()).toEqual(
      [
        'dk.ffb.paamindelse.afsluttet.v1 myndighed',
        'dk.ffb.paamindelse.afsluttet.v1 udfoerer',
        'dk.ffb.paamindelse.sendt.v1 myndighed',
        'dk.ffb.paamindelse.sendt.v1 udfoerer',
        'dk.ffb.tilbagemeldingspligt.bortfaldet.v1 myndighed',
        'dk.ffb.tilbagemeldingspligt.bortfaldet.v1 udfoerer',
        'dk.ffb.tilbagemeldingspligt.kraevet.v1 myndighed',
        'dk.ffb.tilbagemeldingspligt.kraevet.v1 udfoerer',
        'dk.ffb.tilbagemeldingspligt.opfyldt.v1 myndighed',
        'dk.ffb.tilbagemeldingspligt.opfyldt.v1 udfoerer',
      ].sort(),
    );
  }, 60_000);

  it('stops with the error, never skipping, on an event it cannot map or a checkpoint it cannot write', async () => {
    const topics = topicNames('fail.');
    const writer = domainWriter(store);
    const indsats = nyIndsats();
    await helIndsats(writer, indsats);
    const head = await store.headPosition();
    await store.appendToStream(
      `bestilling-${indsats.bestillingId}`,
      [
        {
          eventId: randomUUID(),
          type: 'BestillingOmdoebt',
          data: {},
          metadata: {
            schemaVersion: 1,
            occurredAt: new Date().toISOString(),
            correlationId: randomUUID(),
            causationId: randomUUID(),
            actor: { party: 'myndighed', subject: 'x' },
          },
        },
      ],
      { expectedRevision: 'any' },
    );
    const relay = relayWith(mockClusterConfig(mock.brokers), topics);
    await expect(relay.done).rejects.toThrow(/Unknown event type BestillingOmdoebt/);
    expect(await checkpoints.load()).toBe(head);
    expect(await relay.lag()).toBe(1);

    const broken: CheckpointStore = {
      load: async () => 0,
      save: async () => {
        throw new Error('disk full');
      },
      close: async () => undefined,
    };
    const publisher = createKafkaPublisher(
      createKafka(mockClusterConfig(mock.brokers)),
      mockClusterConfig(mock.brokers),
    );
    cleanup.push(() => publisher.close());
    const second = startRelay({
      store,
      publisher,
      checkpoints: broken,
      topics,
      source: 'urn:test',
      laesCpr: () => null,
    });
    await expect(second.done).rejects.toThrow('disk full');
    expect(second.stats().checkpoint).toBe(0);
    await second.stop();
  }, 60_000);

  it('sends what afsloer opens; stops at an event whose text does not open, after sending everything before it', async () => {
    const topics = topicNames('open.');
    await helIndsats(domainWriter(store), nyIndsats());
    const log = await store.readAll();
    const status = log.find((e) => e.type === 'StatusSendt');
    expect(status).toBeDefined();
    const opened = relayWith(mockClusterConfig(mock.brokers), topics, {
      // Marks what it opened; refuses (as a GCM failure would) the status, so the batch's bulk call fails too.
      afsloer: async <T>(value: T): Promise<T> => {
        const text = JSON.stringify(value);
        if (text.includes('"statusId"')) throw new Error('Unsupported state or unable to authenticate data');
        return JSON.parse(text.replace(/"bestillingId":/g, '"aabnet":true,"bestillingId":')) as T;
      },
    });
    await expect(opened.done).rejects.toThrow(UnmappableEventError);
    await expect(opened.done).rejects.toMatchObject({ position: status?.position, eventType: 'StatusSendt' });
    expect(await checkpoints.load()).toBe((status?.position as number) - 1);
    const expected = (await expectedRecords(store, topics)).filter(
      (e) => (log.find((l) => l.eventId === e.id)?.position as number) < (status?.position as number),
    );
    const sent = await published(mock.bootstrap, 'open.');
    expect(sent.map((r) => `${r.topic} ${r.headers['ce_id']}`).sort()).toEqual(
      expected.map((e) => `${e.topic} ${e.id}`).sort(),
    );
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => (r.payload ?? '').includes('"aabnet":true'))).toBe(true);
  }, 60_000);

  it('runs afterAcknowledged on every acknowledged send before its checkpoint; a failure stops it unchecked', async () => {
    const topics = topicNames('hook.');
    await helIndsats(domainWriter(store), nyIndsats());
    const head = await store.headPosition();
    const failing = relayWith(mockClusterConfig(mock.brokers), topics, {
      afterAcknowledged: async () => {
        throw new Error('audit log down');
      },
    });
    await expect(failing.done).rejects.toThrow('audit log down');
    expect(await checkpoints.load()).toBe(0);
    await failing.stop();
    const seen: { topic: string; id: string; checkpoint: number }[] = [];
    const relay = relayWith(mockClusterConfig(mock.brokers), topics, {
      afterAcknowledged: async (records) => {
        const checkpoint = await checkpoints.load();
        for (const r of records) seen.push({ topic: r.topic, id: r.headers['ce_id'] as string, checkpoint });
      },
    });
    await caughtUp(relay);
    // Every record the relay sent passed the hook, each before the checkpoint moved past it.
    const expected = await expectedRecords(store, topics);
    expect(seen.map((r) => `${r.topic} ${r.id}`).sort()).toEqual(expected.map((e) => `${e.topic} ${e.id}`).sort());
    expect(seen.every((r) => r.checkpoint < head)).toBe(true);
  }, 60_000);

  it('waits for a store that cannot be read and resumes from its checkpoint', async () => {
    const topics = topicNames('unreadable.');
    const writer = domainWriter(store);
    await helIndsats(writer, nyIndsats());
    let failures = 2;
    const real = store;
    const flaky: EventStore = {
      ...real,
      subscribeToAll(options) {
        if (failures === 0) return real.subscribeToAll(options);
        failures -= 1;
        const done = Promise.reject(new StoreUnavailableError('simulated: disk unavailable'));
        done.catch(() => undefined);
        return { done, stop: async () => undefined };
      },
    };
    const config = mockClusterConfig(mock.brokers);
    const publisher = createKafkaPublisher(createKafka(config), config);
    const relay = startRelay({
      store: flaky,
      publisher,
      checkpoints,
      topics,
      source: 'urn:test',
      laesCpr: () => null,
      retry: { initialMs: 20, maxMs: 50 },
    });
    cleanup.push(async () => {
      await relay.stop();
      await publisher.close();
    });
    await caughtUp(relay);
    expect(failures).toBe(0);
    const seen = asSeen(await published(mock.bootstrap, 'unreadable.'));
    expect(seen.map((r) => r.id).sort()).toEqual((await expectedRecords(store, topics)).map((r) => r.id).sort());
  }, 60_000);

  it('reports lag as head position minus checkpoint, and resumes from the checkpoint after stop()', async () => {
    const topics = topicNames('lag.');
    const writer = domainWriter(store);
    await helIndsats(writer, nyIndsats());
    const first = relayWith(mockClusterConfig(mock.brokers), topics);
    await caughtUp(first);
    const head = await store.headPosition();
    expect(first.stats().checkpoint).toBe(head);
    await first.stop();
    await first.done;

    await helIndsats(writer, nyIndsats());
    expect(await first.lag()).toBe((await store.headPosition()) - head);
    expect(await checkpoints.load()).toBe(head);

    const second = relayWith(mockClusterConfig(mock.brokers), topics);
    await caughtUp(second);
    const seen = asSeen(await published(mock.bootstrap, 'lag.'));
    const expected = await expectedRecords(store, topics);
    expect(seen.map((r) => r.id).sort()).toEqual(expected.map((r) => r.id).sort());
  }, 60_000);
});
