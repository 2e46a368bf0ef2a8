import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EventStore, RecordedEvent } from '@hub/event-store';
import { openPostgresReadDb, openSqliteReadDb, type ReadDb } from '@hub/read-models';
import { storeMappingContext, toIntegrationMessages, topicNames } from '@hub/relay';
import { listTopics, readTopic } from '@hub/relay/testing/kcat';
import type { MockKafka } from '@hub/relay/testing/mock-kafka';
import { mintDevToken } from '../../apps/hub/src/auth/dev-token';
import { loadConfig } from '../../apps/hub/src/config';
import { hubClock } from '../../apps/hub/src/clock';
import { openEventStore } from '../../apps/hub/src/stores';
import type { LedgerEntry } from './load';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/** A campaign part's hub: a fresh data directory and secret, the environment, and tokens of the two parties. */
export async function campaignHub(name: string, extra: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), `hub-${name}-`));
  const secret = randomBytes(32);
  const env: Record<string, string> = {
    HUB_DATA_DIR: dataDir,
    HUB_JWT_SECRET: secret.toString('base64'),
    HUB_RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
    ...extra,
  };
  const tokens = {
    kommune: await mintDevToken(secret, { party: 'myndighed', id: '0101' }),
    tilbud: await mintDevToken(secret, { party: 'udfoerer', id: 'tilbud-4711' }),
  };
  return { dataDir, env, tokens };
}

/** The Kafka settings of a hub relaying to (and consuming from) the mock broker. */
export const kafkaEnv = (kafka: MockKafka): Record<string, string> => ({
  KAFKA_BROKERS: kafka.bootstrap,
  KAFKA_IDEMPOTENT_PRODUCER: 'false',
  KAFKA_AUTO_CREATE_TOPICS: 'true',
});

/**
 * The log after a run, with the hub stopped: acknowledged events missing from it, deadlines fired twice, and (with a
 * broker) messages never delivered.
 */
export async function checkLog(env: Record<string, string>, ledger: readonly LedgerEntry[], bootstrap?: string) {
  const store = await hubStores(env).events();
  try {
    const all = await store.readAll();
    return {
      eventsInLog: all.length,
      lost: lostEvents(ledger, all),
      deadlines: deadlinesFiredTwice(all),
      relay: bootstrap ? await undelivered(store, bootstrap) : { missing: [] as string[], checked: 0, duplicates: 0 },
    };
  } finally {
    await store.close();
  }
}

/** The live read models against a rebuild from position 0 (the CLI), with the hub stopped. */
export async function checkReadModels(env: Record<string, string>) {
  const stores = hubStores(env);
  const liveDb = await stores.readDb();
  const live = await readModelSnapshot(liveDb).finally(() => liveDb.close());
  await rebuildReadModels(env);
  const rebuiltDb = await stores.readDb();
  const rebuilt = await readModelSnapshot(rebuiltDb).finally(() => rebuiltDb.close());
  return { tables: live.size, diffs: snapshotDiff(live, rebuilt), duplicates: duplicateRows(live) };
}

/** The hub's stores as its configuration names them (the same environment the hub ran with). */
export function hubStores(env: Record<string, string>) {
  const config = loadConfig({ ...process.env, ...env });
  return {
    config,
    events: (): Promise<EventStore> => openEventStore(config, hubClock(undefined)),
    readDb: async (): Promise<ReadDb> =>
      config.readStore.kind === 'postgres'
        ? openPostgresReadDb(config.readStore.url, config.readStore.schema)
        : openSqliteReadDb(join(config.dataDir, 'read.sqlite')),
  };
}

/** Every acknowledged command's events are in the store: returns the event ids that are not. */
export function lostEvents(ledger: readonly LedgerEntry[], log: readonly RecordedEvent[]): string[] {
  const stored = new Set(log.map((e) => e.eventId));
  return ledger.flatMap((entry) => entry.eventIds.filter((id) => !stored.has(id)));
}

/** Each live read-model table's rows, as sorted JSON lines, by the table's name without its generation. */
export async function readModelSnapshot(readDb: ReadDb): Promise<Map<string, string[]>> {
  const live = (await readDb.db
    .selectFrom('rm_generation')
    .select(['read_model', 'generation'])
    .where('state', '=', 'live')
    .execute()) as { read_model: string; generation: number }[];
  const tables = (await readDb.db.introspection.getTables()).map((t) => t.name);
  const snapshot = new Map<string, string[]>();
  for (const { read_model, generation } of live) {
    for (const table of tables.filter((t) => t.startsWith(`${read_model}_`) && t.endsWith(`_g${generation}`))) {
      const rows = (await readDb.db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
      const lines = rows.map((row) =>
        JSON.stringify(Object.fromEntries(Object.entries(row).sort(([a], [b]) => a.localeCompare(b)))),
      );
      snapshot.set(table.replace(/_g\d+$/, ''), lines.sort());
    }
  }
  return snapshot;
}

/** Rows in one snapshot and not the other (as multisets), per table; a duplicate row counts once per extra copy. */
export function snapshotDiff(live: Map<string, string[]>, rebuilt: Map<string, string[]>): string[] {
  const diffs: string[] = [];
  for (const table of new Set([...live.keys(), ...rebuilt.keys()])) {
    const count = new Map<string, number>();
    for (const line of live.get(table) ?? []) count.set(line, (count.get(line) ?? 0) + 1);
    for (const line of rebuilt.get(table) ?? []) count.set(line, (count.get(line) ?? 0) - 1);
    for (const [line, n] of count)
      if (n !== 0)
        diffs.push(`${table}: ${n > 0 ? 'only live' : 'only rebuilt'} ×${Math.abs(n)} ${line.slice(0, 200)}`);
  }
  return diffs;
}

/** Rows that appear more than once in a table (a batch applied twice would make them). */
export function duplicateRows(snapshot: Map<string, string[]>): number {
  let duplicates = 0;
  for (const lines of snapshot.values()) duplicates += lines.length - new Set(lines).size;
  return duplicates;
}

/** Rebuilds every read model from position 0 with the CLI (a new generation beside the live one, then promoted). */
export async function rebuildReadModels(env: Record<string, string>): Promise<void> {
  await run(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'scripts/read-models.ts'), 'rebuild', 'all'], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    timeout: 300_000,
  });
}

/**
 * The relay delivered every message the log gives at least once: maps each stored event as the relay does and looks
 * for its ce_id on the recipient's topic. Returns what is missing, and how many (topic, ce_id) pairs were checked.
 */
export async function undelivered(
  store: EventStore,
  bootstrap: string,
): Promise<{ missing: string[]; checked: number; duplicates: number }> {
  const topics = topicNames();
  const context = storeMappingContext(store, () => null);
  const expected = new Set<string>();
  for (const event of await store.readAll()) {
    context.remember(event);
    for (const message of await toIntegrationMessages(event, context))
      expected.add(`${topics.outbound(message.recipient)} ${event.eventId}`);
  }
  const delivered = new Map<string, number>();
  for (const topic of (await listTopics(bootstrap)).filter((t) => t.startsWith('ffb.'))) {
    for (const record of await readTopic(bootstrap, topic)) {
      const key = `${topic} ${record.headers['ce_id']}`;
      delivered.set(key, (delivered.get(key) ?? 0) + 1);
    }
  }
  const missing = [...expected].filter((k) => !delivered.has(k));
  const duplicates = [...delivered.values()].reduce((sum, n) => sum + n - 1, 0);
  return { missing, checked: expected.size, duplicates };
}

/**
 * Deadlines the rules fired more than once: the same påmindelse (bestilling, art, alvor, modtager, subject, due time)
 * or the same krav (bestilling, trigger, indsatsmål, delmål, frist) recorded twice.
 */
export function deadlinesFiredTwice(log: readonly RecordedEvent[]): { fired: number; twice: string[] } {
  const seen = new Map<string, number>();
  for (const e of log) {
    if (!e.streamId.startsWith('tilbagemeldingspligt-')) continue;
    const d = e.data as Record<string, unknown>;
    const key =
      e.type === 'PaamindelseSendt'
        ? [e.streamId, d['art'], d['alvor'], d['modtager'], JSON.stringify(d['emne']), d['forfald']].join(' ')
        : e.type === 'TilbagemeldingKraevet'
          ? [e.streamId, d['trigger'], d['indsatsmaalId'], d['delmaalId'], d['frist']].join(' ')
          : undefined;
    if (key) seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return {
    fired: seen.size,
    twice: [...seen].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`),
  };
}

/** Polls /health until the store answers and every lag it reports (relay, rules, read models) is 0. */
export async function waitCaughtUp(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const res = await fetch(`${url}/health`);
      const body = (await res.json()) as { parts: Record<string, unknown> };
      last = JSON.stringify(body);
      const head = (body.parts['store'] as { position?: number } | undefined)?.position;
      const lags: number[] = [];
      const positions: number[] = [];
      const scan = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(scan);
        else if (node && typeof node === 'object')
          for (const [k, v] of Object.entries(node)) {
            if (k === 'lag' && typeof v === 'number') lags.push(v);
            else if (k === 'position' && typeof v === 'number') positions.push(v);
            else scan(v);
          }
      };
      scan(body.parts);
      if (res.ok && head !== undefined && lags.every((l) => l === 0) && positions.every((p) => p === head)) return;
    } catch {
      last = 'no answer';
    }
    if (Date.now() > deadline)
      throw new Error(`the hub did not catch up within ${timeoutMs} ms: ${last.slice(0, 1500)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
