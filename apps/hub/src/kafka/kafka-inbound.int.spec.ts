import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, Partitioners, type Producer } from 'kafkajs';
import { ffbKatalog, STANDARD_REGLER } from '@hub/domain';
import { openSqliteEventStore, StoreUnavailableError, type EventStore } from '@hub/event-store';
import { openSqlitePiiVault, type PiiVault } from '@hub/privacy';
import { openSqliteProcessedMessages, topicNames, type InboundStats } from '@hub/relay';
import { readTopic, type KcatRecord } from '@hub/relay/testing/kcat';
import { eventually, mockClusterConfig } from '@hub/relay/testing/mock-cluster.config';
import { startMockKafka, type MockKafka } from '@hub/relay/testing/mock-kafka';
import { bestilling, indsatsmaal } from '../../../../test/e2e/support/requests';
import { CommandService } from '../commands/command-service';
import { startKafkaEdge, type KafkaEdge } from './kafka.edge';
import { KAFKA_ID_NAMESPACE } from './kafka-command-handler';
import { uuidV5 } from '@hub/event-store';

const topics = topicNames();
const MYNDIGHED = topics.commands({ party: 'myndighed', id: '0101' });
const UDFOERER = topics.commands({ party: 'udfoerer', id: 'tilbud-4711' });
const ANDET_TILBUD = topics.commands({ party: 'udfoerer', id: 'tilbud-9000' });
const DLQ_MYNDIGHED = topics.deadLetter({ party: 'myndighed', id: '0101' });
const DLQ_UDFOERER = topics.deadLetter({ party: 'udfoerer', id: 'tilbud-4711' });
const DLQ_ANDET = topics.deadLetter({ party: 'udfoerer', id: 'tilbud-9000' });

const type = (command: string) => `dk.ffb.kommando.${command.toLowerCase()}.v1`;

/**
 * The inbound edge against the mock cluster, with the real CommandService, SQLite store and PII vault. One consumer
 * group join for the whole file (the mock's join takes about 3 s), so the cases run in order on one consumer.
 */
describe('Kafka commands in: same validation and service as HTTP, idempotent, dead letters with the reason', () => {
  let mock: MockKafka;
  let dir: string;
  let store: EventStore;
  let vault: PiiVault;
  let edge: KafkaEdge;
  let producer: Producer;
  let failAppends = 0;
  const logs: string[] = [];

  const send = async (
    topic: string,
    command: string,
    body: unknown,
    options: { id?: string; key?: string; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<string> => {
    const id = options.id ?? randomUUID();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: options.key ?? (body as { bestillingId?: string }).bestillingId ?? 'k',
          value: options.raw ?? JSON.stringify(body),
          headers: {
            ce_specversion: '1.0',
            ce_id: id,
            ce_type: type(command),
            ce_source: 'urn:test:fagsystem',
            'content-type': 'application/json',
            ...options.headers,
          },
        },
      ],
    });
    return id;
  };
  const stats = (): InboundStats => edge.inbound?.stats() as InboundStats;
  const handled = (s: InboundStats) => s.applied + s.duplicates + s.deadLettered;
  const settle = async (count: number) =>
    eventually(stats, (s) => handled(s) >= count, 20_000, `${count} messages handled`);
  const deadLetters = async (topic: string): Promise<KcatRecord[]> => readTopic(mock.bootstrap, topic);
  const events = async (bestillingId: string) => (await store.readStream(`bestilling-${bestillingId}`)).map((e) => e);

  beforeAll(async () => {
    mock = await startMockKafka();
    dir = mkdtempSync(join(tmpdir(), 'kafka-inbound-'));
    const real = openSqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    // The store fails the next `failAppends` appends as unavailable: an outage the consumer must ride out.
    store = {
      ...real,
      appendToStream: async (...args) => {
        if (failAppends > 0) {
          failAppends -= 1;
          throw new StoreUnavailableError('simulated outage');
        }
        return real.appendToStream(...args);
      },
      close: () => real.close(),
    };
    vault = openSqlitePiiVault({ file: join(dir, 'pii.sqlite'), masterKey: randomBytes(32) });
    const commands = new CommandService({
      store,
      katalog: ffbKatalog,
      clock: () => new Date(),
      newId: randomUUID,
      regler: () => STANDARD_REGLER,
    });
    const kafka = new Kafka({ clientId: 'fagsystem', brokers: [...mock.brokers], logLevel: 0 });
    producer = kafka.producer({ idempotent: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    // The mock has no CreateTopics; a metadata request creates the topics the consumer is to find at start.
    const admin = kafka.admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [MYNDIGHED, UDFOERER, ANDET_TILBUD] });
    await admin.disconnect();
    const record = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    edge = await startKafkaEdge({
      config: { client: mockClusterConfig(mock.brokers), topicPrefix: '', groupId: 'hub-test', source: 'urn:test' },
      store,
      vault,
      commands,
      dataDir: dir,
      relay: false,
      inbound: true,
      logger: { info: record('info'), warn: record('warn'), error: record('error') },
      tuning: { retryInitialMs: 20, retryMaxMs: 100 },
    });
  }, 30_000);

  afterAll(async () => {
    await edge?.stop();
    await producer?.disconnect();
    await store?.close();
    await vault?.close();
    await mock?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cpr = '0101704321';
  const bestillingId = randomUUID();

  it('afgiver a bestilling with a CPR: the vault holds the CPR, the events a borgerId', async () => {
    await send(MYNDIGHED, 'AfgivBestilling', bestilling({ bestillingId, cpr }));
    await settle(1);
    const stored = await events(bestillingId);
    expect(stored.map((e) => e.type)).toEqual(['BestillingAfgivet']);
    const borgerId = await vault.findBorger(cpr);
    expect(borgerId).not.toBeNull();
    expect(stored[0]?.data).toMatchObject({ borgerId, kommunekode: '0101', tilbudId: 'tilbud-4711' });
    expect(JSON.stringify(stored)).not.toContain(cpr);
    expect(stored[0]?.metadata).toMatchObject({
      actor: { party: 'myndighed', subject: 'urn:test:fagsystem', kommunekode: '0101' },
    });
    expect(stats()).toMatchObject({ applied: 1, deadLettered: 0 });
  });

  it('applies a redelivered message (same ce_id) once', async () => {
    const id = await send(UDFOERER, 'KvitterBestilling', { bestillingId, version: 1 });
    await send(UDFOERER, 'KvitterBestilling', { bestillingId, version: 1 }, { id });
    await settle(3);
    expect((await events(bestillingId)).map((e) => e.type)).toEqual(['BestillingAfgivet', 'BestillingKvitteret']);
    expect(stats()).toMatchObject({ applied: 2, duplicates: 1, deadLettered: 0 });
  });

  it('dead-letters a poison message with its reason and goes on with the next one on the same partition', async () => {
    const poison = await send(UDFOERER, 'AccepterBestilling', null, { key: bestillingId, raw: '{"bestillingId": ' });
    await send(UDFOERER, 'AccepterBestilling', { bestillingId, forventetStartdato: '2026-03-15' });
    await settle(5);
    const [letter] = await deadLetters(DLQ_UDFOERER);
    expect(letter?.headers).toMatchObject({
      ce_id: poison,
      ce_type: type('AccepterBestilling'),
      ffb_dlq_code: 'KAFKA.UGYLDIG_JSON',
      ffb_dlq_reason: 'the message value is not JSON',
      ffb_dlq_topic: UDFOERER,
      ffb_dlq_attempts: '1',
      ce_ffbsensitivity: 'fortrolig',
    });
    expect(letter?.payload).toBe('{"bestillingId": ');
    expect(letter?.key).toBe(bestillingId);
    expect((await events(bestillingId)).map((e) => e.type)).toContain('BestillingAccepteret');
  });

  it("validates the body with the HTTP DTO and dead-letters every field's problem", async () => {
    const id = await send(MYNDIGHED, 'AfgivBestilling', {
      ...bestilling({ cpr }),
      navn: 'Hans Hansen',
      kommunekode: 101,
    });
    await settle(6);
    const letter = (await deadLetters(DLQ_MYNDIGHED)).find((l) => l.headers['ce_id'] === id);
    const errors = JSON.parse(letter?.headers['ffb_dlq_errors'] ?? '[]') as { field: string; code: string }[];
    expect(letter?.headers['ffb_dlq_code']).toBe(errors[0]?.code);
    // The dead letter carries the afgivelse's body, CPR included, and is marked so.
    expect(letter?.headers['ce_ffbsensitivity']).toBe('fortrolig-cpr');
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'kommunekode', code: 'FELT.UGYLDIG_TYPE' }),
        expect.objectContaining({ field: 'navn', code: 'FELT.UKENDT' }),
      ]),
    );
  });

  it('dead-letters a command whose sender party does not match, before it touches the vault', async () => {
    const otherCpr = '0202804321';
    const wrongParty = await send(UDFOERER, 'AfgivBestilling', bestilling({ cpr: otherCpr, tilbudId: 'tilbud-4711' }));
    const wrongTilbud = await send(ANDET_TILBUD, 'KvitterBestilling', { bestillingId, version: 1 });
    await settle(8);
    const codes = [...(await deadLetters(DLQ_UDFOERER)), ...(await deadLetters(DLQ_ANDET))].map((l) => [
      l.headers['ce_id'],
      l.headers['ffb_dlq_code'],
    ]);
    expect(codes).toEqual(
      expect.arrayContaining([
        [wrongParty, 'ADGANG.FORKERT_PART'],
        [wrongTilbud, 'ADGANG.ANDET_TILBUD'],
      ]),
    );
    expect(await vault.findBorger(otherCpr)).toBeNull();
  });

  it('dead-letters a rule refusal with the rule code, and a refused bestilling leaves no CPR in the vault', async () => {
    const refusedCpr = '0303804321';
    const id = await send(
      MYNDIGHED,
      'AfgivBestilling',
      bestilling({ cpr: refusedCpr, indsatsmaal: [indsatsmaal({ undertema: [randomUUID(), randomUUID()] })] }),
    );
    await settle(9);
    const letter = (await deadLetters(DLQ_MYNDIGHED)).find((l) => l.headers['ce_id'] === id);
    expect(JSON.parse(letter?.headers['ffb_dlq_errors'] ?? '[]')).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'R-02', field: 'indsatsmaal[0].undertema' })]),
    );
    expect(await vault.findBorger(refusedCpr)).toBeNull();
  });

  it('retries while the store is unavailable and applies the command once it is back', async () => {
    const before = stats();
    failAppends = 3;
    const id = await send(UDFOERER, 'RegistrerVumObservation', {
      bestillingId,
      tekst: 'Borgeren har holdt sig på værelset.',
      undertemaer: ['3f9da5ac-9686-4eeb-b517-b46e17fcb1d7'],
      paavirkerIndsatsen: true,
      observeret: '2026-03-01T20:00:00+01:00',
    });
    await settle(10);
    expect(failAppends).toBe(0);
    expect(stats().retries - before.retries).toBeGreaterThanOrEqual(3);
    expect(stats().deadLettered).toBe(before.deadLettered);
    const observation = (await events(bestillingId)).filter((e) => e.type === 'VumObservationRegistreret');
    expect(observation).toHaveLength(1);
    expect(observation[0]?.metadata.causationId).toBe(id);
    // The id the body left out is derived from the message, so a sender can name what it created.
    expect(observation[0]?.data).toMatchObject({
      observationId: uuidV5(`${UDFOERER}\n${id}\nobservationId`, KAFKA_ID_NAMESPACE),
    });
  });

  it('does not apply again a message whose handling was cut off after its append (crash before "done")', async () => {
    const id = randomUUID();
    const processed = openSqliteProcessedMessages({ file: join(dir, 'kafka.sqlite') });
    // What a crash right after the append leaves: the id pending, its event in the store.
    expect(await processed.begin(UDFOERER, id)).toBe('new');
    await processed.close();
    const statusId = randomUUID();
    const body = {
      bestillingId,
      statusId,
      indsatsmaal: (await events(bestillingId))
        .flatMap((e) =>
          e.type === 'BestillingAfgivet' ? (e.data as { indsatsmaal: { indsatsmaalId: string }[] }).indsatsmaal : [],
        )
        .map((m) => ({ indsatsmaalId: m.indsatsmaalId, statustekst: 'Fremgang.' })),
    };
    const before = stats();
    await send(UDFOERER, 'SendStatus', body, { id });
    await settle(handled(before) + 1);
    expect(stats()).toMatchObject({ applied: before.applied + 1, deadLettered: before.deadLettered });
    expect((await events(bestillingId)).filter((e) => e.type === 'StatusSendt')).toHaveLength(1);

    // The same command again under the same id, while the row says pending: found in the store, skipped, not refused.
    const again = openSqliteProcessedMessages({ file: join(dir, 'kafka.sqlite') });
    const second = randomUUID();
    expect(await again.begin(UDFOERER, second)).toBe('new');
    await again.close();
    const commands = new CommandService({
      store,
      katalog: ffbKatalog,
      clock: () => new Date(),
      newId: randomUUID,
      regler: () => STANDARD_REGLER,
    });
    const otherStatus = randomUUID();
    await commands.handle(
      { type: 'SendStatus', data: { ...body, statusId: otherStatus } },
      {
        actor: { party: 'udfoerer', subject: 'urn:test:fagsystem', tilbudId: 'tilbud-4711' },
        correlationId: second,
        causationId: second,
      },
    );
    await send(UDFOERER, 'SendStatus', { ...body, statusId: otherStatus }, { id: second });
    await settle(handled(before) + 2);
    expect(stats().deadLettered).toBe(before.deadLettered);
    expect((await events(bestillingId)).filter((e) => e.type === 'StatusSendt')).toHaveLength(2);
  });

  it('keeps CPR and free text out of its logs', () => {
    const all = logs.join('\n');
    expect(all).toContain('inbound: command dead-lettered');
    for (const secret of [cpr, '0202804321', '0303804321', 'Hans Hansen', 'værelset'])
      expect(all).not.toContain(secret);
  });
});
