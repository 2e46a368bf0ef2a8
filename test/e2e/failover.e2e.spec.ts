import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffbKatalog, taersklerFor, TOM_REGELFIL } from '@hub/domain';
import { openPostgresEventStore, type RecordedEvent } from '@hub/event-store';
import { dropSchema, freshSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import { openPostgresReadDb, Projector } from '@hub/read-models';
import { snapshot } from '@hub/read-models/testing/read-store.contract';
import { storeMappingContext, toIntegrationMessages, topicNames } from '@hub/relay';
import { readTopic } from '@hub/relay/testing/kcat';
import { eventually } from '@hub/relay/testing/mock-cluster.config';
import { startMockKafka, type MockKafka } from '@hub/relay/testing/mock-kafka';
import { RulesWorker } from '@hub/rules';
import { mintDevToken } from '../../apps/hub/src/auth/dev-token';
import { readModels } from '../../apps/hub/src/read-models/read-side';
import { spawnHub, type HubProcess } from './support/processes';
import { bestilling, vumObservation } from './support/requests';

/**
 * Single-active workers (docs/adr/0011) on PostgreSQL, as the production topology runs them: one API process and two
 * worker processes (projector, relay, rules) sharing one PostgreSQL and one Kafka. Under load, the active worker is
 * killed with SIGKILL; the standby must take every role over within the lease's TTL plus one renew interval, and
 * afterwards no event may have been skipped or applied twice: the read models equal a rebuild from scratch, the relay
 * delivered every message of the log, and the rules, replayed into fresh state, find nothing left to decide.
 */
const TTL_MS = 2000;
const RENEW_MS = TTL_MS / 4;
const TAKEOVER_BOUND_MS = TTL_MS + RENEW_MS + 1500;

interface Health {
  parts: Record<string, { status: string; lease?: { token: number }; relayLease?: { state: string; token?: number } }>;
}

async function health(hub: HubProcess): Promise<Health | undefined> {
  try {
    return (await (await fetch(`${hub.url}/health`)).json()) as Health;
  } catch {
    return undefined;
  }
}

/** The roles this worker process runs right now: a role is active when its lease token is shown. */
async function activeRoles(hub: HubProcess): Promise<string[]> {
  const h = await health(hub);
  if (!h) return [];
  const roles: string[] = [];
  if (h.parts['projector']?.lease) roles.push('projector');
  if (h.parts['rules']?.lease) roles.push('rules');
  if (h.parts['kafka']?.relayLease?.state === 'active') roles.push('relay');
  return roles.sort();
}

/**
 * SIGKILL: the active worker dies. SIGSTOP: it freezes (a long GC pause, a stalled VM) and wakes up after the standby
 * took over, still believing it holds the leases for a moment: its checkpoints' compare-and-set must keep it from
 * applying anything twice, and it must step back to standby.
 */
describe.each(['SIGKILL', 'SIGSTOP'] as const)('failover of the worker roles on PostgreSQL (%s)', (signal) => {
  let mock: MockKafka;
  const schema = freshSchema();
  const dirs: string[] = [];
  const processes: HubProcess[] = [];
  const secret = randomBytes(32);
  let env: Record<string, string>;

  const spawn = async (id: string, roles: string): Promise<HubProcess> => {
    const dir = mkdtempSync(join(tmpdir(), `failover-${id}-`));
    dirs.push(dir);
    const hub = await spawnHub(dir, { ...env, HUB_ROLES: roles, HUB_INSTANCE_ID: id });
    processes.push(hub);
    return hub;
  };

  beforeAll(async () => {
    await requirePostgres();
    mock = await startMockKafka();
    env = {
      HUB_STORE: 'postgres',
      HUB_PG_URL: PG_URL,
      HUB_PG_SCHEMA: schema,
      HUB_LEASE_TTL_MS: String(TTL_MS),
      HUB_JWT_SECRET: secret.toString('base64'),
      HUB_PII_MASTER_KEY: randomBytes(32).toString('base64'),
      HUB_ANALYSE_KEY: randomBytes(32).toString('base64'),
      KAFKA_BROKERS: mock.bootstrap,
      KAFKA_IDEMPOTENT_PRODUCER: 'false',
      KAFKA_AUTO_CREATE_TOPICS: 'true',
      LOG_LEVEL: 'warn',
    };
  }, 60_000);

  afterAll(async () => {
    for (const p of processes) await p.stop('SIGKILL');
    await mock?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    for (const part of ['', '_events', '_leases', '_relay', '_rules', '_vault', '_api', '_audit'])
      await dropSchema(`${schema}${part}`);
  }, 60_000);

  it('a standby takes the projector, relay and rules over, and nothing is skipped or applied twice', async () => {
    const api = await spawn('api', 'api');
    const a = await spawn('worker-a', 'projector,relay,rules');
    await eventually(
      () => activeRoles(a),
      (r) => r.length === 3,
      20_000,
      'worker-a to take every role',
    );
    const b = await spawn('worker-b', 'projector,relay,rules');
    await new Promise((r) => setTimeout(r, 2 * RENEW_MS));
    expect(await activeRoles(b)).toEqual([]);
    const workerGauge = async (hub: HubProcess) =>
      [...(await (await fetch(`${hub.url}/metrics`)).text()).matchAll(/^ffb_hub_worker_active\{role="(\w+)"\} (\d)$/gm)]
        .map(([, role, value]) => `${role}=${value}`)
        .sort();
    expect(await workerGauge(b)).toEqual(['projector=0', 'relay=0', 'rules=0']);

    // Load: bestillinger and VUM-observationer through the API, with a ledger of every acknowledged one.
    const kommune = await mintDevToken(secret, { party: 'myndighed', id: '0101' });
    const tilbud = await mintDevToken(secret, { party: 'udfoerer', id: 'tilbud-4711' });
    const acknowledged: string[] = [];
    let running = true;
    let n = 0;
    const post = async (path: string, token: string, body: unknown, expected: number): Promise<{ id?: string }> => {
      const res = await fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== expected) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id?: string };
    };
    const load = (async () => {
      while (running) {
        const cpr = `0101${String(800000 + n++).padStart(6, '0')}`;
        const { id } = await post('/bestillinger', kommune, bestilling({ cpr }), 201);
        acknowledged.push(id as string);
        await post(`/bestillinger/${id}/kvittering`, tilbud, { version: 1 }, 200);
        await post(`/bestillinger/${id}/accept`, tilbud, { forventetStartdato: '2026-03-15' }, 200);
        await post(`/bestillinger/${id}/vum-observationer`, tilbud, vumObservation(), 201);
      }
    })();

    await eventually(
      async () => acknowledged.length,
      (k) => k >= 15,
      30_000,
      'load before the kill',
    );
    if (signal === 'SIGKILL') await a.stop('SIGKILL');
    else a.child.kill('SIGSTOP');
    const killedAt = Date.now();
    await eventually(
      () => activeRoles(b),
      (r) => r.length === 3,
      15_000,
      'worker-b to take every role',
    );
    const takeoverMs = Date.now() - killedAt;
    process.stdout.write(`failover: worker-b took projector, relay and rules over ${takeoverMs} ms after ${signal}\n`);
    expect(takeoverMs).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);
    expect(await workerGauge(b)).toEqual(['projector=1', 'relay=1', 'rules=1']);

    await eventually(
      async () => acknowledged.length,
      (k) => k >= 30,
      30_000,
      'load after the takeover',
    );
    if (signal === 'SIGSTOP') {
      // The frozen holder wakes up: it must find its leases taken and stand by on every role.
      a.child.kill('SIGCONT');
      await eventually(
        () => activeRoles(a),
        (r) => r.length === 0,
        15_000,
        'worker-a to stand by after waking',
      );
      expect(await workerGauge(a)).toEqual(['projector=0', 'relay=0', 'rules=0']);
      expect(await activeRoles(b)).toEqual(['projector', 'relay', 'rules']);
    }
    running = false;
    await load;

    // worker-b catches up with everything: read models, rules, relay.
    const store = await openPostgresEventStore({ connectionString: PG_URL, schema: `${schema}_events` });
    try {
      const head = await store.headPosition();
      await eventually(
        () => health(b),
        (h) => {
          const models = (h?.parts['projector'] as unknown as { readModels?: { lag: number }[] })?.readModels ?? [];
          const rules = h?.parts['rules'] as unknown as { lag?: number; udbakke?: number } | undefined;
          const relay = (h?.parts['kafka'] as unknown as { relay?: { lag?: number } })?.relay;
          return models.length === 4 && models.every((m) => m.lag === 0) && rules?.lag === 0 && relay?.lag === 0;
        },
        30_000,
        'worker-b to catch up',
      );
      // The hubs stop before the comparison: the check below runs projectors of its own on the same read schema, and
      // the rules would go on appending reminders (the fixtures' dates are in the past) while it compares.
      await b.stop();
      await a.stop('SIGKILL');
      await api.stop();
      const log = await store.readAll();
      // Rules may have appended after `head`; the log is read whole from here on.
      expect(log.length).toBeGreaterThanOrEqual(head);
      expect(log.map((e) => e.position)).toEqual(log.map((_, i) => i + 1));

      // 1. Every acknowledged command is in the log.
      const streams = new Set(log.map((e) => e.streamId));
      expect(acknowledged.filter((id) => !streams.has(`bestilling-${id}`))).toEqual([]);

      // 2. The read models equal a rebuild from scratch in a fresh schema.
      const rebuiltSchema = freshSchema();
      const liveDb = await openPostgresReadDb(PG_URL, schema);
      const freshDb = await openPostgresReadDb(PG_URL, rebuiltSchema);
      const models = readModels(Buffer.from(env['HUB_ANALYSE_KEY'] as string, 'base64'));
      const live = new Projector({ store, readDb: liveDb, models: Object.values(models) });
      const fresh = new Projector({ store, readDb: freshDb, models: Object.values(models) });
      try {
        await live.start();
        await fresh.start();
        await live.caughtUp();
        await fresh.caughtUp();
        for (const model of Object.values(models))
          expect({ model: model.name, rows: await snapshot(liveDb, live, model) }).toEqual({
            model: model.name,
            rows: await snapshot(freshDb, fresh, model),
          });
      } finally {
        await live.stop();
        await fresh.stop();
        await liveDb.close();
        await freshDb.close();
        await dropSchema(rebuiltSchema);
      }

      // 3. The relay delivered every message the log maps to (at least once; a redelivery has the same ce_id).
      const topics = topicNames();
      const context = storeMappingContext(store, async () => null);
      const expected = new Set<string>();
      for (const event of log as RecordedEvent[]) {
        context.remember(event);
        for (const m of await toIntegrationMessages(event, context))
          expected.add(`${topics.outbound(m.recipient)} ${event.eventId}`);
      }
      const delivered = new Set<string>();
      let records = 0;
      for (const topic of new Set([...expected].map((k) => k.split(' ')[0] as string))) {
        const got = await readTopic(mock.bootstrap, topic);
        records += got.length;
        for (const r of got) delivered.add(`${topic} ${r.headers['ce_id']}`);
      }
      expect([...expected].filter((k) => !delivered.has(k))).toEqual([]);
      expect([...delivered].filter((k) => !expected.has(k))).toEqual([]);
      process.stdout.write(
        `failover (${signal}): ${acknowledged.length} bestillinger acknowledged, ${log.length} events, ${expected.size} messages expected, ${records} records delivered (${records - expected.size} redelivered)\n`,
      );

      // 4. The rules: a fresh replay from position 0 finds nothing the two workers did not already record once.
      const ruleDir = mkdtempSync(join(tmpdir(), 'failover-rules-'));
      dirs.push(ruleDir);
      const replay = new RulesWorker({
        store,
        file: join(ruleDir, 'rules.sqlite'),
        katalog: ffbKatalog,
        taerskler: (kommunekode) => taersklerFor(TOM_REGELFIL, kommunekode),
      });
      const before = await store.headPosition();
      replay.start();
      try {
        await replay.idle(30_000);
      } finally {
        await replay.stop();
      }
      expect(await store.headPosition()).toBe(before);
      expect(log.filter((e) => e.streamId.startsWith('tilbagemeldingspligt-')).length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  }, 180_000);
});
