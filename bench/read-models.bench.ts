import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteEventStore, type EventStore } from '@hub/event-store';
import {
  analyse,
  analyseQueries,
  observationer,
  openPostgresReadDb,
  openSqliteReadDb,
  Projector,
  queries,
  sagsoversigt,
  type ReadDb,
  type ReadModel,
} from '@hub/read-models';
import { tablesOf } from '../libs/read-models/src/read-model';
import { dropSchema, freshSchema, PG_URL, requirePostgres } from '../libs/event-store/src/testing/postgres';
import { median, type BenchOptions, type BenchRow } from './bench.types';
import { EVENTS_PER_BESTILLING, id, K, writeHistory } from './history';

export { EVENTS_PER_BESTILLING };

/** Writes `n` bestillinger of the benchmark history (kept for profiling scripts). */
export async function writeLogForProfile(store: EventStore, n: number): Promise<void> {
  return writeHistory(store, n);
}

/**
 * The baseline: the rows a read model ends with, written by plain batched INSERTs into a fresh generation of the same
 * model (the same tables and keys) in one transaction, then its indexes: what storing the result costs, not computing it.
 */
async function plainInsertSeconds(readDb: ReadDb, model: ReadModel, live: Record<string, string>): Promise<number> {
  const copy = tablesOf(model, 999_999) as Record<string, string>;
  for (const table of Object.values(copy)) await readDb.db.schema.dropTable(table).ifExists().execute();
  await model.createTables(readDb, copy as never);
  const data = await Promise.all(
    Object.entries(live).map(
      async ([name, table]) =>
        [name, (await readDb.db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[]] as const,
    ),
  );
  const started = process.hrtime.bigint();
  await readDb.db.transaction().execute(async (tx) => {
    for (const [name, rows] of data) {
      const first = rows[0];
      if (!first) continue;
      const per = Math.floor(30_000 / Object.keys(first).length);
      for (let i = 0; i < rows.length; i += per)
        await tx
          .insertInto(copy[name] as string)
          .values(rows.slice(i, i + per))
          .execute();
    }
  });
  // The same indexes the rebuilt tables end with, built the same way: after the rows.
  await model.createIndexes(readDb, copy as never);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const table of Object.values(copy)) await readDb.db.schema.dropTable(table).ifExists().execute();
  return seconds;
}

async function latency(times: number, query: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const s = process.hrtime.bigint();
    await query(i);
    ms.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: median(ms), p99: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))] as number };
}

async function benchOn(
  label: string,
  readDb: ReadDb,
  store: EventStore,
  events: number,
  log: BenchOptions['log'],
): Promise<BenchRow[]> {
  const models: ReadModel[] = [sagsoversigt, observationer, analyse({ pseudonymKey: Buffer.alloc(32, 1) })];
  const rows: BenchRow[] = [];
  for (const model of models) {
    log(`  read models (${label}): building ${model.name} from ${events.toLocaleString('en-US')} events`);
    // On an empty read store, start() creates the first generation at position 0: catching up is a full rebuild.
    const started = process.hrtime.bigint();
    const builder = new Projector({ store, readDb, models: [model], batchSize: 5000 });
    await builder.start();
    await builder.caughtUp();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const live = (await builder.liveTables(model)) as Record<string, string>;
    await builder.stop();
    const plain = await plainInsertSeconds(readDb, model, live);
    rows.push({
      figure: `rebuild ${model.name} into ${label}, ${events.toLocaleString('en-US')} events${label === 'SQLite' ? ' (aim ≥ 50,000/s)' : ''}`,
      unit: 'events/s',
      value: events / seconds,
      baseline: 'plain batched INSERT of its final rows',
      baselineValue: events / plain,
      ratio: plain / seconds,
    });
  }
  // Query latency on the read models at this size.
  const reader = new Projector({ store, readDb, models, batchSize: 5000 });
  await reader.start();
  await reader.caughtUp();
  const [sag, obs, ana] = await Promise.all(models.map((m) => reader.liveTables(m)));
  const scope = { party: 'myndighed' as const, kommunekode: '0101' };
  const q: [string, (i: number) => Promise<unknown>][] = [
    [
      'myndighed bestillinger, a page of 100',
      (i) => queries.bestillinger(readDb.db, sag as never, scope, { limit: 100, offset: (i % 20) * 100 }),
    ],
    [
      'one indsats by id',
      (i) =>
        queries.indsats(
          readDb.db,
          sag as never,
          scope,
          id((i * 4) % (events / EVENTS_PER_BESTILLING), 1),
          '2026-11-22',
        ),
    ],
    [
      'observation search by undertema, a page of 100',
      () => queries.soegObservationer(readDb.db, obs as never, scope, { undertema: K.hukommelse.code, limit: 100 }),
    ],
    [
      'udfører frister',
      (i) =>
        queries.frister(
          readDb.db,
          sag as never,
          { party: 'udfoerer', tilbudId: `tilbud-${i % 40}` },
          '2026-11-22',
          '2026-12-31',
        ),
    ],
    [
      'analyse Q-A3 målopfyldelse per undertema',
      () => analyseQueries.maalopfyldelse(readDb.db, ana as never, { kommunekode: '0101', minGruppe: 5 }),
    ],
  ];
  for (const [name, query] of q) {
    const { p50, p99 } = await latency(name.startsWith('analyse') ? 10 : 100, query);
    rows.push(
      { figure: `query p50 (${label}): ${name}`, unit: 'ms', value: p50 },
      { figure: `query p99 (${label}): ${name}`, unit: 'ms', value: p99 },
    );
  }
  await reader.stop();
  return rows;
}

/**
 * Disk use per event of the embedded log (events.sqlite with its WAL, after the history was written), next to the
 * bytes of the events' own JSON (data and metadata): the ratio is the share of the file that is the events themselves.
 */
function diskPerEvent(dir: string, events: number): BenchRow {
  const file = join(dir, 'events.sqlite');
  const bytes = ['', '-wal', '-shm'].reduce((sum, suffix) => {
    try {
      return sum + statSync(`${file}${suffix}`).size;
    } catch {
      return sum;
    }
  }, 0);
  const db = new Database(file, { readonly: true });
  const json = (
    db.prepare('SELECT sum(length(CAST(data AS BLOB)) + length(CAST(metadata AS BLOB))) AS n FROM events').get() as {
      n: number;
    }
  ).n;
  db.close();
  return {
    figure: `disk use per event, events.sqlite and its WAL, ${events.toLocaleString('en-US')} events`,
    unit: 'bytes',
    value: Math.round(bytes / events),
    baseline: "the event's own JSON (data + metadata)",
    baselineValue: Math.round(json / events),
    ratio: json / bytes,
  };
}

/**
 * Rebuild throughput of each read model over a history of ≥ 1,000,000 events (100,000 with --quick), into SQLite and
 * into PostgreSQL, each next to a plain batched INSERT of the rows it ends with; and query latency at that size.
 */
export async function bench(options: BenchOptions): Promise<BenchRow[]> {
  const bestillinger = options.quick ? 1000 : Math.ceil(1_000_000 / EVENTS_PER_BESTILLING);
  const events = bestillinger * EVENTS_PER_BESTILLING;
  const { mkdirSync } = await import('node:fs');
  mkdirSync(options.tmpDir, { recursive: true });
  const store = openSqliteEventStore({ file: join(options.tmpDir, 'events.sqlite'), synchronous: 'NORMAL' });
  options.log(`  read models: writing a log of ${events.toLocaleString('en-US')} events`);
  await writeHistory(store, bestillinger);
  const rows: BenchRow[] = [diskPerEvent(options.tmpDir, events)];
  const sqlite = openSqliteReadDb(join(options.tmpDir, 'read.sqlite'));
  const rssBefore = process.memoryUsage().rss;
  rows.push(...(await benchOn('SQLite', sqlite, store, events, options.log)));
  const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  rows.push({
    figure: `resident memory after the SQLite builds over ${events.toLocaleString('en-US')} events (bench process: the projector's builds and the baseline's rows; an upper bound)`,
    unit: 'MiB',
    value: mib(process.memoryUsage().rss),
    baseline: 'the same process before the builds (log written, store open)',
    baselineValue: mib(rssBefore),
  });
  await sqlite.close();
  await requirePostgres();
  const schema = freshSchema();
  const pg = await openPostgresReadDb(PG_URL, schema);
  try {
    rows.push(...(await benchOn('PostgreSQL', pg, store, events, options.log)));
  } finally {
    await pg.close();
    await dropSchema(schema);
  }
  await store.close();
  return rows;
}
