import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readTopic } from '@hub/relay/testing/kcat';
import { eventually } from '@hub/relay/testing/mock-cluster.config';
import { startMockKafka, type MockKafka } from '@hub/relay/testing/mock-kafka';
import { startHub } from './support/hub';
import { freePort } from './support/processes';
import { bestilling } from './support/requests';

/**
 * The hub as wired (HubModule with KAFKA_BROKERS set): an HTTP command reaches the udfører's topic, /health shows the
 * relay, and closing the app stops the relay before the store closes.
 */
describe('the hub with Kafka configured', () => {
  let mock: MockKafka;
  beforeAll(async () => (mock = await startMockKafka()));
  afterAll(() => mock.stop());

  it('publishes what an HTTP command stored, reports the relay in /health, and shuts down cleanly', async () => {
    const hub = await startHub({
      KAFKA_BROKERS: mock.bootstrap,
      KAFKA_IDEMPOTENT_PRODUCER: 'false',
      KAFKA_AUTO_CREATE_TOPICS: 'true',
    });
    try {
      const token = await hub.token({ party: 'myndighed', id: '0101' });
      const res = await hub.call('POST', '/bestillinger', { token, body: bestilling() });
      expect(res.status).toBe(201);
      const id: string = res.json.id;
      const records = await eventually(
        () => readTopic(mock.bootstrap, 'ffb.udfoerer.tilbud-4711.v1'),
        (found) => found.some((r) => r.headers['ce_type'] === 'dk.ffb.bestilling.afgivet.v1'),
        20_000,
        'the bestilling on the udfører topic',
      );
      // Beside the bestilling, the hub's own rules may already have reminded the tilbud (the fixture's
      // opfølgningsdato can lie in the past); everything on the topic is about this bestilling.
      expect(records.map((r) => r.key)).toEqual(records.map(() => id));
      const message = records.find((r) => r.headers['ce_type'] === 'dk.ffb.bestilling.afgivet.v1');
      expect(message?.key).toBe(id);
      expect(message?.headers['ce_type']).toBe('dk.ffb.bestilling.afgivet.v1');
      expect(JSON.parse(message?.payload ?? '{}')).toMatchObject({ bestillingId: id, cpr: '0101704321' });
      const health = await eventually(
        () => hub.call('GET', '/health'),
        (h) => h.json.parts?.kafka?.relay?.lag === 0,
        10_000,
        'the relay caught up in /health',
      );
      expect(health.json.parts.kafka).toMatchObject({ status: 'ok', relay: { lag: 0 } });
    } finally {
      await hub.stop({ keepData: true });
    }
    const db = new Database(join(hub.dataDir, 'kafka.sqlite'), { readonly: true });
    const checkpoint = db.prepare("SELECT position FROM checkpoint WHERE name = 'relay'").pluck().get();
    db.close();
    const events = new Database(join(hub.dataDir, 'events.sqlite'), { readonly: true });
    const head = events.prepare('SELECT max(position) FROM events').pluck().get();
    events.close();
    // Shut down cleanly: the relay's checkpoint is at the log's head, the bestilling (1) and anything after it.
    expect(checkpoint).toBe(head);
    expect(checkpoint).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('serves HTTP at once and shuts down promptly while the broker is unreachable', async () => {
    const started = Date.now();
    const hub = await startHub({ KAFKA_BROKERS: `127.0.0.1:${await freePort()}` });
    try {
      const token = await hub.token({ party: 'myndighed', id: '0101' });
      expect((await hub.call('POST', '/bestillinger', { token, body: bestilling() })).status).toBe(201);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      const closing = Date.now();
      await hub.stop();
      expect(Date.now() - closing).toBeLessThan(8000);
    }
  }, 60_000);

  it('answers 503 naming kafka while the relay cannot write its checkpoint, and restarts it and catches up after', async () => {
    const hub = await startHub({
      KAFKA_BROKERS: mock.bootstrap,
      KAFKA_IDEMPOTENT_PRODUCER: 'false',
      KAFKA_AUTO_CREATE_TOPICS: 'true',
    });
    const db = new Database(join(hub.dataDir, 'kafka.sqlite'));
    try {
      const token = await hub.token({ party: 'myndighed', id: '0101' });
      await eventually(
        () => hub.call('GET', '/health'),
        (h) => h.json.parts?.kafka?.relay !== undefined,
        10_000,
        'the relay in /health',
      );
      db.exec('DROP TABLE checkpoint');
      expect((await hub.call('POST', '/bestillinger', { token, body: bestilling() })).status).toBe(201);
      const down = await eventually(
        () => hub.call('GET', '/health'),
        (h) => h.status === 503,
        10_000,
        '503 from /health',
      );
      expect(down.json.parts.kafka).toMatchObject({ status: 'down', relay: { code: 'SQLITE_ERROR' } });
      expect(down.json.parts.store.status).toBe('ok');

      db.exec(
        'CREATE TABLE checkpoint (name TEXT PRIMARY KEY, position INTEGER NOT NULL, updated_at TEXT NOT NULL, event_id TEXT)',
      );
      const up = await eventually(
        () => hub.call('GET', '/health'),
        (h) => h.status === 200 && h.json.parts?.kafka?.relay?.lag === 0,
        20_000,
        'the relay restarted and caught up',
      );
      expect(up.json.parts.kafka).toMatchObject({ status: 'ok' });
      expect(up.json.parts.kafka.relay.restarts).toBeGreaterThan(0);
    } finally {
      db.close();
      await hub.stop();
    }
  }, 60_000);

  it('answers 503 naming kafka and the position when the relay meets an event it cannot map', async () => {
    const hub = await startHub({
      KAFKA_BROKERS: mock.bootstrap,
      KAFKA_IDEMPOTENT_PRODUCER: 'false',
      KAFKA_AUTO_CREATE_TOPICS: 'true',
    });
    try {
      await hub.store.appendToStream(
        `bestilling-${randomUUID()}`,
        [
          {
            eventId: randomUUID(),
            type: 'BestillingOmdoebt',
            data: { cpr: '0101704321' },
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
      const blocked = await eventually(
        () => hub.call('GET', '/health'),
        (h) =>
          h.status === 503 && h.json.parts?.kafka?.status === 'blocked' && h.json.parts?.rules?.status === 'blocked',
        10_000,
        '503 from /health with the relay and the rules blocked',
      );
      expect(blocked.json.parts.kafka).toMatchObject({
        status: 'blocked',
        relay: { code: 'BestillingOmdoebt', position: 1, lag: 1 },
      });
      // The rules stop at the same event rather than skip a fact they may owe a duty on.
      expect(blocked.json.parts.rules).toMatchObject({ status: 'blocked', code: 'BestillingOmdoebt', blockedAt: 1 });
      expect(JSON.stringify(blocked.json)).not.toContain('0101704321');
    } finally {
      await hub.stop();
    }
  }, 60_000);
});
