import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openPostgresEventStore, openSqliteEventStore } from '@hub/event-store';
import { migrateLog, verifyLogs } from '@hub/event-store/migration';
import { writeHistoryFile } from '@hub/event-store/migration/testing/history-file';
import { dropSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import { openPostgresReadDb, openSqliteReadDb, Projector, type ReadDb } from '@hub/read-models';
import { driveHistory, type Op } from '@hub/read-models/testing/history';
import { snapshot } from '@hub/read-models/testing/read-store.contract';
import { listTopics, readTopic } from '@hub/relay/testing/kcat';
import { eventually } from '@hub/relay/testing/mock-cluster.config';
import { startMockKafka, type MockKafka } from '@hub/relay/testing/mock-kafka';
import { mintDevToken } from '../../apps/hub/src/auth/dev-token';
import { ANALYSE_KEY_FILE, JWT_SECRET_FILE, PII_KEY_FILE } from '../../apps/hub/src/config';
import { readModels } from '../../apps/hub/src/read-models/read-side';
import { spawnHub, type HubProcess } from './support/processes';
import { bestilling } from './support/requests';

const ROOT = join(__dirname, '..', '..');
const ARGS = ['-r', '@swc-node/register', join(ROOT, 'scripts/migrate.ts')];

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI; `killWhen` is polled every 50 ms and SIGKILLs the process when it returns true. */
function cli(args: string[], killWhen?: () => Promise<boolean>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...ARGS, ...args], { cwd: ROOT, env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let timer: NodeJS.Timeout | undefined;
    if (killWhen) {
      const poll = async (): Promise<void> => {
        if (child.exitCode !== null) return;
        if (await killWhen().catch(() => false)) child.kill('SIGKILL');
        else timer = setTimeout(() => void poll(), 50);
      };
      void poll();
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function pgHead(schema: string): Promise<number> {
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ position: string }>(`SELECT position FROM "${schema}".head`);
    return Number(rows[0]?.position ?? 0);
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL returns bigint columns as strings, SQLite as numbers: compare integer-looking values as numbers on both
 * sides (the same mapping for both, so it hides no difference but that one), then sort the rows again.
 */
async function rows(readDb: ReadDb, projector: Projector, model: Parameters<Projector['liveTables']>[0]) {
  const tables = await snapshot(readDb, projector, model);
  return Object.fromEntries(
    Object.entries(tables).map(([name, list]) => [
      name,
      (list as Record<string, unknown>[])
        .map((row) =>
          Object.fromEntries(
            Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v]),
          ),
        )
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ]),
  );
}

/** The schemas a hub on PostgreSQL opens beside HUB_PG_SCHEMA (apps/hub/src/stores.ts). */
const PARTS = ['events', 'leases', 'relay', 'rules', 'vault', 'api', 'audit'] as const;

const ops = (n: number): Op[] => Array.from({ length: n }, (_, i): Op => [(i * 37) % 100, i * 11, i * 3]);

describe('npm run migrate (SQLite → PostgreSQL)', () => {
  let dir: string;
  const schemas: string[] = [];
  /** A fresh HUB_PG_SCHEMA: the CLI writes the log to `<s>_events`, the vault to `_vault`, read models to `<s>`. */
  const fresh = (): string => {
    const schema = `mv_${randomBytes(6).toString('hex')}`;
    schemas.push(schema, ...PARTS.map((part) => `${schema}_${part}`));
    return schema;
  };

  beforeAll(requirePostgres);
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'migrate-cli-'))));
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  it('killed with SIGKILL mid-copy, runs again and finishes; the logs compare equal; a third run copies nothing', async () => {
    const total = await writeHistoryFile(join(dir, 'events.sqlite'), 1010);
    const base = fresh();
    const schema = `${base}_events`;
    const target = ['--from', dir, '--to', 'postgres', '--pg-url', PG_URL, '--pg-schema', base, '--batch', '2000'];

    let headAtKill = 0;
    const killed = await cli(target, async () => {
      headAtKill = await pgHead(schema);
      return headAtKill >= 10_000;
    });
    expect(killed.signal).toBe('SIGKILL');
    const afterKill = await pgHead(schema);
    expect(afterKill).toBeGreaterThanOrEqual(headAtKill);
    expect(afterKill).toBeLessThan(total);
    expect(afterKill % 2000).toBe(0); // every page is one transaction: nothing of a page in flight survives

    const resumed = await cli([...target, '--verify']);
    expect(resumed.stderr).not.toContain('failed');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`resumed at  position ${afterKill}`);
    expect(resumed.stdout).toMatch(
      new RegExp(`copied +${total - afterKill} events in [\\d.]+ s \\([\\d,]+ events/s\\)`),
    );
    expect(resumed.stdout).toContain(`verified    ${total} events equal in every field`);
    expect(resumed.stderr).toMatch(
      /copied [\d,]+\/[\d,]+ events \([\d.]+ %\), position \d+, [\d,]+ events\/s, ETA \d+ s/,
    );

    const source = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    const pg = await openPostgresEventStore({ connectionString: PG_URL, schema });
    try {
      expect(await verifyLogs(source, pg)).toEqual({ equal: true, compared: total });
    } finally {
      await pg.close();
      await source.close();
    }

    const third = await cli(target);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain(`resumed at  position ${total}`);
    expect(third.stdout).toMatch(/copied +0 events/);
  }, 180_000);

  it('refuses a target holding another log with a clear message and writes nothing', async () => {
    await writeHistoryFile(join(dir, 'events.sqlite'), 20);
    const base = fresh();
    const schema = `${base}_events`;
    const otherStore = openSqliteEventStore({ file: join(dir, 'other.sqlite') });
    const pg = await openPostgresEventStore({ connectionString: PG_URL, schema });
    try {
      await driveHistory(otherStore, ops(40));
      await migrateLog({ source: otherStore, target: pg });
      const before = await pg.readAll();
      expect(before.length).toBeGreaterThan(0);

      const run = await cli(['--from', dir, '--to', 'postgres', '--pg-url', PG_URL, '--pg-schema', base]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(
          `^refused: The target holds another log: its event at position 1 is ${before[0]?.eventId} .*` +
            'Nothing was written; migrate into an empty store.',
        ),
      );
      expect(run.stdout).toBe('');
      expect(await pg.readAll()).toEqual(before);
    } finally {
      await pg.close();
      await otherStore.close();
    }
  }, 60_000);

  it('--rebuild-read-models builds the same read models in PostgreSQL as from the SQLite log', async () => {
    const key = randomBytes(32);
    writeFileSync(join(dir, 'analyse-pseudonym.key'), key.toString('base64'));
    const source = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    await driveHistory(source, ops(300));
    const head = await source.headPosition();
    const readSchema = fresh();
    const schema = `${readSchema}_events`;
    const args = ['--from', dir, '--to', 'postgres', '--pg-url', PG_URL, '--pg-schema', readSchema];

    const run = await cli([...args, '--rebuild-read-models']);
    expect(run.stderr).not.toContain('failed');
    expect(run.code).toBe(0);
    const models = Object.values(readModels(key));
    for (const model of models)
      expect(run.stdout).toMatch(new RegExp(`${model.name} \\(generation \\d+, position ${head}\\)`));

    const sqliteDb = openSqliteReadDb(join(dir, 'read.sqlite'));
    const pg = await openPostgresEventStore({ connectionString: PG_URL, schema });
    const pgDb: ReadDb = await openPostgresReadDb(PG_URL, readSchema);
    const fromSqlite = new Projector({ store: source, readDb: sqliteDb, models });
    const migrated = new Projector({ store: pg, readDb: pgDb, models });
    try {
      await fromSqlite.start();
      await fromSqlite.caughtUp();
      await migrated.start();
      await migrated.caughtUp();
      for (const model of models) {
        const expected = await rows(sqliteDb, fromSqlite, model);
        expect(Object.values(expected).some((rows) => rows.length > 0)).toBe(true);
        expect([model.name, await rows(pgDb, migrated, model)]).toEqual([model.name, expected]);
      }
      // Run again: the log is complete and the live read models are rebuilt from it, still equal.
      await migrated.stop();
      const again = await cli([...args, '--rebuild-read-models']);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/copied +0 events/);
      await migrated.start();
      await migrated.caughtUp();
      for (const model of models)
        expect(await rows(pgDb, migrated, model)).toEqual(await rows(sqliteDb, fromSqlite, model));
    } finally {
      await migrated.stop();
      await fromSqlite.stop();
      await pgDb.close();
      await sqliteDb.close();
      await pg.close();
      await source.close();
    }
  }, 120_000);
});

interface Health {
  readonly parts: Record<string, Record<string, unknown>>;
}

/** The relay's, the rules' and every read model's lag from /health; undefined while a part does not show it. */
async function lags(hub: HubProcess): Promise<{ relay?: number; rules?: number; readModels?: number[] }> {
  const h = (await (await fetch(`${hub.url}/health`)).json()) as Health;
  const relay = (h.parts['kafka']?.['relay'] as { lag?: number } | undefined)?.lag;
  const rules = h.parts['rules']?.['lag'] as number | undefined;
  const models = (h.parts['projector']?.['readModels'] as { lag: number }[] | undefined)?.map((m) => m.lag);
  return { relay, rules, readModels: models };
}

const caughtUp = (hub: HubProcess, what: string) =>
  eventually(
    () => lags(hub),
    (l) => l.relay === 0 && l.rules === 0 && (l.readModels ?? []).length > 0 && !l.readModels?.some((x) => x !== 0),
    30_000,
    `${what} to catch up (relay, rules, read models)`,
  );

/** How often each message (topic and ce_id) is on the broker's outbound topics. */
async function deliveries(mock: MockKafka): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const topic of (await listTopics(mock.bootstrap)).filter((t) => t.startsWith('ffb.') && !t.includes('dlq'))) {
    for (const record of await readTopic(mock.bootstrap, topic)) {
      const key = `${topic} ${record.headers['ce_id']}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

describe('npm run migrate: an embedded hub moves to PostgreSQL with its PII vault and relay checkpoint', () => {
  const dirs: string[] = [];
  const hubs: HubProcess[] = [];
  const base = `mv_${randomBytes(6).toString('hex')}`;
  let mock: MockKafka;
  const kafkaEnv = (): Record<string, string> => ({
    KAFKA_BROKERS: mock.bootstrap,
    KAFKA_IDEMPOTENT_PRODUCER: 'false',
    KAFKA_AUTO_CREATE_TOPICS: 'true',
  });
  const start = async (dir: string, env: Record<string, string>): Promise<HubProcess> => {
    const hub = await spawnHub(dir, { ...kafkaEnv(), ...env });
    hubs.push(hub);
    return hub;
  };
  const tempDir = (name: string): string => {
    const dir = mkdtempSync(join(tmpdir(), name));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    await requirePostgres();
    mock = await startMockKafka();
  }, 30_000);
  afterAll(async () => {
    for (const hub of hubs) await hub.stop('SIGKILL');
    await mock?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    for (const schema of [base, ...PARTS.map((part) => `${base}_${part}`)]) await dropSchema(schema);
  }, 60_000);

  it('a hub on HUB_STORE=postgres serves the migrated bestillinger, knows their borgere and sends nothing twice', async () => {
    // 1. The embedded default, as `npm start` runs it, with its relay sending to Kafka.
    const dir = tempDir('migrate-embedded-');
    const embedded = await start(dir, {});
    const secret = Buffer.from(readFileSync(join(dir, JWT_SECRET_FILE), 'utf8').trim(), 'base64');
    const kommune = await mintDevToken(secret, { party: 'myndighed', id: '0101' });
    const tilbud = await mintDevToken(secret, { party: 'udfoerer', id: 'tilbud-4711' });
    const call = async (hub: HubProcess, method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${hub.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    };
    const afgiv = async (hub: HubProcess, cpr: string): Promise<string> => {
      const res = await call(hub, 'POST', '/bestillinger', kommune, bestilling({ cpr }));
      if (res.status !== 201) throw new Error(`afgiv: ${res.status} ${JSON.stringify(res.json)}`);
      return res.json['id'] as string;
    };
    const borgerOf = async (hub: HubProcess, id: string): Promise<string> => {
      const res = await call(hub, 'GET', `/bestillinger/${id}`, kommune);
      expect(res.status).toBe(200);
      return res.json['borgerId'] as string;
    };
    const listed = async (hub: HubProcess): Promise<string[]> =>
      (
        (await call(hub, 'GET', '/myndighed/bestillinger?limit=500', kommune)).json as unknown as {
          bestillingId: string;
        }[]
      )
        .map((b) => b.bestillingId)
        .sort();

    const cprs = ['0101704321', '0202805432', '0303906543'];
    const ids: string[] = [];
    for (const cpr of cprs) ids.push(await afgiv(embedded, cpr));
    ids.push(await afgiv(embedded, cprs[0] as string)); // a second bestilling for a known borger
    expect((await call(embedded, 'POST', `/bestillinger/${ids[1]}/kvittering`, tilbud, { version: 1 })).status).toBe(
      200,
    );
    const borgere = await Promise.all(ids.map((id) => borgerOf(embedded, id)));
    expect(borgere[3]).toBe(borgere[0]);
    expect(new Set(borgere).size).toBe(3);
    await caughtUp(embedded, 'the embedded hub');
    expect(await listed(embedded)).toEqual([...ids].sort());
    const sentBefore = await deliveries(mock);
    expect(sentBefore.size).toBeGreaterThan(0);
    await embedded.stop();

    // 2. The migration: log, vault, relay checkpoint and read models into the hub's schemas.
    const source = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    const head = await source.headPosition();
    await source.close();
    const args = ['--from', dir, '--to', 'postgres', '--pg-url', PG_URL, '--pg-schema', base];
    const run = await cli([...args, '--verify', '--rebuild-read-models']);
    expect([run.code, run.stderr]).toEqual([0, expect.not.stringContaining('failed')]);
    expect(run.stdout).toContain(`verified    ${head} events equal in every field`);
    expect(run.stdout).toMatch(
      new RegExp(
        `vault +3 borgere \\(0 erased, kept erased\\) into PostgreSQL schema ${base}_vault: 3 copied, 0 already there and equal; master key: new vault`,
      ),
    );
    expect(run.stdout).toMatch(
      new RegExp(`relay +position ${head} \\(event [0-9a-f-]+\\) into PostgreSQL schema ${base}_relay, was 0`),
    );
    expect(run.stdout).toMatch(/not copied +rule state \(mv_\w+_rules\) is derived from the log/);
    expect(run.stdout).toContain('Idempotency-Key records');
    // A rerun copies nothing and keeps the checkpoint.
    const again = await cli(args);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/copied +0 events/);
    expect(again.stdout).toContain('3 borgere (0 erased, kept erased)');
    expect(again.stdout).toContain('0 copied, 3 already there and equal; master key: same check row');
    expect(again.stdout).toContain(`kept: the checkpoint in PostgreSQL schema ${base}_relay is at ${head}`);

    // 3. The production topology, in a data dir holding only the hub's three key files.
    const next = tempDir('migrate-postgres-');
    for (const file of [JWT_SECRET_FILE, PII_KEY_FILE, ANALYSE_KEY_FILE])
      copyFileSync(join(dir, file), join(next, file));
    const pg = await start(next, { HUB_STORE: 'postgres', HUB_PG_URL: PG_URL, HUB_PG_SCHEMA: base });
    expect(await Promise.all(ids.map((id) => borgerOf(pg, id)))).toEqual(borgere);
    await caughtUp(pg, 'the PostgreSQL hub');
    expect(await listed(pg)).toEqual([...ids].sort());
    // The rules replayed the migrated log from position 0 into fresh state and recorded nothing again.
    const migrated = await openPostgresEventStore({ connectionString: PG_URL, schema: `${base}_events` });
    try {
      expect(await migrated.headPosition()).toBe(head);
    } finally {
      await migrated.close();
    }

    // The vault moved: a known CPR gets the borgerId it had, a new one a new borgerId.
    const known = await afgiv(pg, cprs[1] as string);
    const fresh = await afgiv(pg, '0404016654');
    expect(await borgerOf(pg, known)).toBe(borgere[1]);
    expect(borgere).not.toContain(await borgerOf(pg, fresh));

    // The relay continued after its checkpoint: every earlier message is on Kafka as often as before, and the new
    // bestillinger's messages were sent.
    await caughtUp(pg, 'the PostgreSQL hub after new bestillinger');
    const sentAfter = await deliveries(mock);
    for (const [message, count] of sentBefore) expect([message, sentAfter.get(message)]).toEqual([message, count]);
    expect([...sentAfter.keys()].filter((m) => !sentBefore.has(m)).length).toBeGreaterThan(0);
    expect(await listed(pg)).toEqual([...ids, known, fresh].sort());
  }, 180_000);

  it('refuses the replaced --schema and --read-schema options and names --pg-schema', async () => {
    const run = await cli(['--from', tmpdir(), '--to', 'postgres', '--pg-url', PG_URL, '--schema', 'hub_events']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--schema and --read-schema were replaced by --pg-schema <s>');
  });
});
