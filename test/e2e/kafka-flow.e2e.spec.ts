import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffbKatalog, STANDARD_REGLER } from '@hub/domain';
import { openSqliteEventStore, type EventStore } from '@hub/event-store';
import { openSqlitePiiVault, type PiiVault } from '@hub/privacy';
import { topicNames, type Relay } from '@hub/relay';
import { ensureTopics, listTopics, produce, readTopic, type KcatRecord } from '@hub/relay/testing/kcat';
import { eventually, mockClusterConfig, throughProxy } from '@hub/relay/testing/mock-cluster.config';
import { startMockKafka, type MockKafka } from '@hub/relay/testing/mock-kafka';
import { startTcpProxy, type TcpProxy } from '@hub/relay/testing/tcp-proxy';
import { CommandService } from '../../apps/hub/src/commands/command-service';
import { startKafkaEdge, type KafkaEdge } from '../../apps/hub/src/kafka/kafka.edge';
import { afgivBestilling } from '@hub/domain/testing/fixtures';
import { bestilling, vumObservation } from './support/requests';

const topics = topicNames();
const TIL_UDFOERER = topics.outbound({ party: 'udfoerer', id: 'tilbud-4711' });
const TIL_MYNDIGHED = topics.outbound({ party: 'myndighed', id: '0101' });
const FRA_MYNDIGHED = topics.commands({ party: 'myndighed', id: '0101' });
const FRA_UDFOERER = topics.commands({ party: 'udfoerer', id: 'tilbud-4711' });
const CPR = '0101704321';

/**
 * The whole Kafka flow: the hub's store, CommandService and PII vault with its Kafka edge (relay and inbound
 * consumer), and two fagsystemer that are kcat itself, producing commands and consuming their topics as outside
 * clients. Every broker connection of the hub goes through a proxy, so the broker can be made unreachable.
 */
describe('a myndighed and an udfører exchange a bestilling with the hub over Kafka', () => {
  let mock: MockKafka;
  let proxy: TcpProxy;
  let dir: string;
  let store: EventStore;
  let vault: PiiVault;
  let commands: CommandService;
  let edge: KafkaEdge;
  const logs: string[] = [];
  const bestillingId = randomUUID();

  const command = (topic: string, type: string, body: object, id = randomUUID()) =>
    produce(mock.bootstrap, {
      topic,
      key: bestillingId,
      headers: {
        ce_specversion: '1.0',
        ce_id: id,
        ce_type: `dk.ffb.kommando.${type.toLowerCase()}.v1`,
        ce_source: 'urn:e2e:fagsystem',
        'content-type': 'application/json',
      },
      value: JSON.stringify(body),
    });
  const records = (topic: string, count: number) =>
    eventually(
      () => readTopic(mock.bootstrap, topic),
      (r) => r.length >= count,
      20_000,
      `${count} records on ${topic}`,
    );
  const typesOf = (list: readonly KcatRecord[]) => list.map((r) => r.headers['ce_type']);
  const relay = () => edge.relay?.current() as Relay;

  beforeAll(async () => {
    mock = await startMockKafka();
    proxy = await startTcpProxy(mock.bootstrap);
    dir = mkdtempSync(join(tmpdir(), 'kafka-e2e-'));
    store = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    vault = openSqlitePiiVault({ file: join(dir, 'pii.sqlite'), masterKey: randomBytes(32) });
    commands = new CommandService({
      store,
      katalog: ffbKatalog,
      clock: () => new Date(),
      newId: randomUUID,
      regler: () => STANDARD_REGLER,
    });
    await ensureTopics(mock.bootstrap, [FRA_MYNDIGHED, FRA_UDFOERER]);
    const record = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    edge = await startKafkaEdge({
      config: {
        client: mockClusterConfig(mock.brokers),
        topicPrefix: '',
        groupId: 'hub-e2e',
        source: 'urn:ffb-hub:e2e',
      },
      store,
      vault,
      commands,
      dataDir: dir,
      relay: true,
      inbound: true,
      socketFactory: throughProxy(proxy),
      logger: { info: record('info'), warn: record('warn'), error: record('error') },
      tuning: { retryInitialMs: 50, retryMaxMs: 500, topicRefreshMs: 1000 },
    });
  }, 30_000);

  afterAll(async () => {
    await edge?.stop();
    await proxy?.stop();
    await store?.close();
    await vault?.close();
    await mock?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives the udfører's system the bestilling it was sent, with the CPR, in CloudEvents binary mode (read with kcat)", async () => {
    await command(FRA_MYNDIGHED, 'AfgivBestilling', bestilling({ bestillingId, cpr: CPR }));
    const [afgivet] = await records(TIL_UDFOERER, 1);
    const [stored] = await store.readStream(`bestilling-${bestillingId}`);
    expect(afgivet?.key).toBe(bestillingId);
    expect(afgivet?.headers).toEqual({
      ce_specversion: '1.0',
      ce_id: stored?.eventId,
      ce_type: 'dk.ffb.bestilling.afgivet.v1',
      ce_source: 'urn:ffb-hub:e2e',
      ce_subject: bestillingId,
      ce_time: stored?.metadata.occurredAt,
      ce_dataschema: 'urn:ffb-hub:schema:dk.ffb.bestilling.afgivet.v1',
      'content-type': 'application/json',
      ce_ffbsender: 'myndighed:0101',
      ce_ffbrecipient: 'udfoerer:tilbud-4711',
      ce_ffbsensitivity: 'fortrolig-cpr',
      ce_ffbcorrelationid: expect.any(String),
      ce_ffbcausationid: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(afgivet?.headers['ce_time'] ?? ''))).toBe(false);
    const payload = JSON.parse(afgivet?.payload ?? '{}') as Record<string, unknown>;
    expect(payload).toMatchObject({
      bestillingId,
      cpr: CPR,
      borgerId: await vault.findBorger(CPR),
      tilbudId: 'tilbud-4711',
    });
    expect(JSON.stringify(stored)).not.toContain(CPR);
  }, 30_000);

  it("gives the myndighed's system the kvittering and the accept, in order", async () => {
    await command(FRA_UDFOERER, 'KvitterBestilling', { bestillingId, version: 1 });
    await command(FRA_UDFOERER, 'AccepterBestilling', { bestillingId, forventetStartdato: '2026-03-15' });
    const list = await records(TIL_MYNDIGHED, 2);
    expect(typesOf(list)).toEqual(['dk.ffb.bestilling.kvitteret.v1', 'dk.ffb.bestilling.accepteret.v1']);
    expect(list.every((r) => r.headers['ce_ffbsensitivity'] === 'fortrolig' && r.key === bestillingId)).toBe(true);
  }, 30_000);

  it("returns a refused command on the sender's own dead-letter topic with the reason", async () => {
    const id = randomUUID();
    await command(FRA_UDFOERER, 'AfslutIndsats', { bestillingId, slutdato: '2026-09-30', begrundelse: 'x' }, id);
    const [letter] = await records(topics.deadLetter({ party: 'udfoerer', id: 'tilbud-4711' }), 1);
    expect(letter?.headers).toMatchObject({ ce_id: id, ffb_dlq_code: 'ADGANG.FORKERT_PART' });
    expect(letter?.headers['ffb_dlq_reason']).toMatch(/AfslutIndsats is sent by the myndighed/);
  }, 30_000);

  it('keeps accepting commands while the broker is unreachable; afterwards every event arrives in order and commands flow again', async () => {
    await eventually(
      () => relay().lag(),
      (lag) => lag === 0,
      20_000,
      'caught up',
    );
    await proxy.stop();
    const udfoerer = { party: 'udfoerer', subject: 'bosted', tilbudId: 'tilbud-4711' } as const;
    const meta = { actor: udfoerer, correlationId: randomUUID() };
    for (let n = 0; n < 3; n++) {
      await commands.handle(
        {
          type: 'RegistrerVumObservation',
          data: { ...vumObservation({ tekst: `Observation ${n}.` }), bestillingId, observationId: randomUUID() },
        } as never,
        meta,
      );
    }
    await eventually(
      () => relay().stats().failedSends,
      (n) => n > 0,
      20_000,
      'a failed send',
    );
    expect(await relay().lag()).toBe(3);

    await proxy.start();
    await eventually(
      () => relay().lag(),
      (lag) => lag === 0,
      30_000,
      'caught up after the outage',
    );
    const id = randomUUID();
    await command(
      FRA_UDFOERER,
      'RegistrerVumObservation',
      { ...vumObservation({ tekst: 'Efter.' }), bestillingId },
      id,
    );
    // Wait for the record this command caused, not for a count: a count includes the duplicates an outage may cause.
    const list = await eventually(
      () => readTopic(mock.bootstrap, TIL_MYNDIGHED),
      (r) => r.some((x) => x.headers['ce_ffbcausationid'] === id),
      20_000,
      'the record caused by the last command',
    );

    const stored = (await store.readStream(`bestilling-${bestillingId}`)).filter((e) => e.type !== 'BestillingAfgivet');
    const firstSeen = [...new Set(list.map((r) => r.headers['ce_id']))];
    expect(firstSeen).toEqual(stored.map((e) => e.eventId));
    expect(stored[stored.length - 1]?.metadata.causationId).toBe(id);
  }, 60_000);

  it("puts the bestilling on no other party's topic, and keeps CPR and free text out of the hub's logs", async () => {
    // Another kommune's bestilling to another tilbud, so there are other parties' topics to look at.
    const andenId = randomUUID();
    await commands.handle(afgivBestilling({ bestillingId: andenId, kommunekode: '0147', tilbudId: 'tilbud-5555' }), {
      actor: { party: 'myndighed', subject: 'e2e', kommunekode: '0147' },
      correlationId: randomUUID(),
    });
    await records(topics.outbound({ party: 'udfoerer', id: 'tilbud-5555' }), 1);
    const andre = (await listTopics(mock.bootstrap)).filter(
      (t) => /^ffb\.(udfoerer|myndighed)\./.test(t) && t !== TIL_UDFOERER && t !== TIL_MYNDIGHED,
    );
    expect(andre).toEqual(expect.arrayContaining([topics.outbound({ party: 'udfoerer', id: 'tilbud-5555' })]));
    for (const topic of andre) {
      expect([topic, (await readTopic(mock.bootstrap, topic)).filter((r) => r.key === bestillingId)]).toEqual([
        topic,
        [],
      ]);
    }
    for (const topic of [TIL_UDFOERER, TIL_MYNDIGHED]) {
      expect([topic, (await readTopic(mock.bootstrap, topic)).filter((r) => r.key === andenId)]).toEqual([topic, []]);
    }
    const all = logs.join('\n');
    expect(all).toContain('relay: send failed, retrying');
    for (const secret of [CPR, 'Observation 1.', 'angsten']) expect(all).not.toContain(secret);
  }, 30_000);
});
