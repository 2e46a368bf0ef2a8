import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Database from 'better-sqlite3';
import { readTopic } from '@hub/relay/testing/kcat';
import { eventually } from '@hub/relay/testing/mock-cluster.config';
import { startMockKafka, type MockKafka } from '@hub/relay/testing/mock-kafka';
import { mintDevToken } from '../../apps/hub/src/auth/dev-token';
import { loadConfig } from '../../apps/hub/src/config';
import { validationPipe } from '../../apps/hub/src/http/validation';
import { HubModule } from '../../apps/hub/src/hub.module';
import { parseKafkaConfig } from '../../apps/hub/src/kafka/kafka.config';
import { kafkaProviders } from '../../apps/hub/src/kafka/kafka.providers';
import { freePort } from './support/processes';
import { bestilling } from './support/requests';

/**
 * The Kafka providers inside the Nest app the way HubModule is to wire them (the lines in the issue-5 report): an
 * HTTP command reaches the udfører's topic, and closing the app stops the relay before the store closes.
 */
describe('the Kafka providers in the Nest app', () => {
  let mock: MockKafka;
  let dir: string;
  let app: INestApplication;

  beforeAll(async () => {
    mock = await startMockKafka();
    dir = mkdtempSync(join(tmpdir(), 'kafka-nest-'));
  });
  afterAll(async () => {
    await mock.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes what an HTTP command stored, and shuts down cleanly', async () => {
    const env = {
      HUB_DATA_DIR: dir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      KAFKA_BROKERS: mock.bootstrap,
      KAFKA_IDEMPOTENT_PRODUCER: 'false',
      KAFKA_AUTO_CREATE_TOPICS: 'true',
    };
    const config = loadConfig(env);
    const { kafka, problems } = parseKafkaConfig(env);
    expect(problems).toEqual([]);

    @Module({
      imports: [HubModule.forRoot(config)],
      providers: kafkaProviders(kafka, { dataDir: config.dataDir, relay: true, inbound: false }),
    })
    class HubWithKafka {}

    app = await NestFactory.create(HubWithKafka, { logger: false });
    app.useGlobalPipes(validationPipe());
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const token = await mintDevToken(config.auth.mode === 'hs256' ? config.auth.secret : Buffer.alloc(32), {
      party: 'myndighed',
      id: '0101',
    });
    const res = await fetch(`http://127.0.0.1:${port}/bestillinger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(bestilling()),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };

    const [message] = await eventually(
      () => readTopic(mock.bootstrap, 'ffb.udfoerer.tilbud-4711.v1'),
      (records) => records.length > 0,
      20_000,
      'the bestilling on the udfører topic',
    );
    expect(message?.key).toBe(id);
    expect(message?.headers['ce_type']).toBe('dk.ffb.bestilling.afgivet.v1');
    expect(JSON.parse(message?.payload ?? '{}')).toMatchObject({ bestillingId: id, cpr: '0101704321' });

    await app.close();
    const db = new Database(join(dir, 'kafka.sqlite'), { readonly: true });
    const checkpoint = db.prepare("SELECT position FROM checkpoint WHERE name = 'relay'").pluck().get();
    db.close();
    expect(checkpoint).toBe(1);
  }, 60_000);

  it('serves HTTP at once and shuts down promptly while the broker is unreachable', async () => {
    const env = {
      HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'kafka-nest-down-')),
      PORT: '0',
      LOG_LEVEL: 'silent',
      KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
    };
    const config = loadConfig(env);
    const { kafka } = parseKafkaConfig(env);

    @Module({
      imports: [HubModule.forRoot(config)],
      providers: kafkaProviders(kafka, { dataDir: config.dataDir, relay: true, inbound: true }),
    })
    class HubWithKafka {}

    const started = Date.now();
    const down = await NestFactory.create(HubWithKafka, { logger: false });
    down.useGlobalPipes(validationPipe());
    await down.listen(0, '127.0.0.1');
    const { port } = down.getHttpServer().address() as { port: number };
    const token = await mintDevToken(config.auth.mode === 'hs256' ? config.auth.secret : Buffer.alloc(32), {
      party: 'myndighed',
      id: '0101',
    });
    const res = await fetch(`http://127.0.0.1:${port}/bestillinger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(bestilling()),
    });
    expect(res.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(3000);
    const closing = Date.now();
    await down.close();
    expect(Date.now() - closing).toBeLessThan(8000);
    rmSync(env.HUB_DATA_DIR, { recursive: true, force: true });
  }, 60_000);
});
