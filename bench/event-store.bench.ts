import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EventToAppend, ExpectedRevision, RecordedEvent } from '../libs/event-store/src/event-store.port';
import { copyLine } from '../libs/event-store/src/postgres/postgres-copy';
import { openPostgresEventStore } from '../libs/event-store/src/postgres/postgres.event-store';
import { EVENTS_TABLE_V1, openSqliteEventStore } from '../libs/event-store/src/sqlite/sqlite.event-store';
import { PG_URL } from '../libs/event-store/src/testing/postgres';
import { type BenchOptions, type BenchRow, median } from './bench.types';

type Synchronous = 'FULL' | 'NORMAL';

interface Scenario {
  readonly synchronous: Synchronous;
  readonly eventsPerAppend: number;
  readonly streams: number;
  readonly events: { readonly full: number; readonly quick: number };
  readonly aim: number;
  /** Files in memory: no disk in the figure, only CPU, which shows the adapter's own overhead most sharply. */
  readonly inMemoryFs?: boolean;
}

/**
 * FULL is the store's default (an acknowledged append survives power loss), so it is the headline. NORMAL takes the
 * fsync out and shows the adapter's own CPU overhead, which FULL hides behind the disk. With 100 events per append
 * there are 100 streams, so every stream still takes several appends with an exact expected revision.
 */
const SCENARIOS: readonly Scenario[] = [
  { synchronous: 'FULL', eventsPerAppend: 1, streams: 1000, events: { full: 4000, quick: 1500 }, aim: 0.5 },
  { synchronous: 'FULL', eventsPerAppend: 100, streams: 100, events: { full: 30_000, quick: 10_000 }, aim: 0.7 },
  { synchronous: 'NORMAL', eventsPerAppend: 1, streams: 1000, events: { full: 15_000, quick: 5000 }, aim: 0.5 },
  { synchronous: 'NORMAL', eventsPerAppend: 100, streams: 100, events: { full: 30_000, quick: 10_000 }, aim: 0.7 },
  {
    synchronous: 'NORMAL',
    eventsPerAppend: 1,
    streams: 1000,
    events: { full: 20_000, quick: 5000 },
    aim: 0.5,
    inMemoryFs: true,
  },
  {
    synchronous: 'NORMAL',
    eventsPerAppend: 100,
    streams: 100,
    events: { full: 40_000, quick: 10_000 },
    aim: 0.7,
    inMemoryFs: true,
  },
];

/** Linux's tmpfs; where it is missing, the in-memory scenarios are left out (and say so). */
const IN_MEMORY_FS = '/dev/shm';

interface Append {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
}

/** A bestilling-like event: about 500 bytes of data and 250 of metadata as JSON, like the hub's real events. */
function realisticEvent(n: number): EventToAppend {
  const version = '2.1.0';
  return {
    eventId: randomUUID(),
    type: 'BestillingAfgivet',
    data: {
      bestillingId: randomUUID(),
      borgerId: randomUUID(),
      kommunekode: '0101',
      tilbudId: randomUUID(),
      indsats: { code: randomUUID(), display: 'Socialpædagogisk støtte (SEL § 85)', version },
      indsatsmaal: [{ code: randomUUID(), display: 'Borgeren kan selv handle ind', version }],
      startdato: '2026-12-01',
      slutdato: '2027-05-31',
      omfang: { timer: 6 + (n % 5), enhed: 'uge' },
      bemaerkning: 'Opstart aftalt med borgeren; første møde i hjemmet.',
    },
    metadata: {
      schemaVersion: 1,
      occurredAt: '2026-11-22T09:30:00.000Z',
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { party: 'myndighed', subject: 'sagsbehandler-0101-42' },
      ffbVersion: version,
    },
  };
}

function workload(scenario: Scenario, totalEvents: number): Append[] {
  const streamIds = Array.from({ length: scenario.streams }, () => `bestilling-${randomUUID()}`);
  const appends: Append[] = [];
  for (let n = 0; n * scenario.eventsPerAppend < totalEvents; n++) {
    appends.push({
      streamId: streamIds[n % streamIds.length] as string,
      events: Array.from({ length: scenario.eventsPerAppend }, (_, k) => realisticEvent(n + k)),
    });
  }
  return appends;
}

function freshFile(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  return file;
}

/** The baseline: what any writer of these rows must do at least, with prepared INSERTs and one transaction each. */
function runBaseline(file: string, synchronous: Synchronous, appends: readonly Append[]): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(EVENTS_TABLE_V1);
  const insert = db.prepare(
    'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const revisions = new Map<string, number>();
  const write = db.transaction((append: Append) => {
    const recordedAt = new Date().toISOString();
    let revision = revisions.get(append.streamId) ?? -1;
    for (const event of append.events) {
      revision += 1;
      insert.run(
        append.streamId,
        revision,
        event.eventId,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
        recordedAt,
      );
    }
    revisions.set(append.streamId, revision);
  });
  const started = process.hrtime.bigint();
  for (const append of appends) write(append);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  return seconds;
}

async function runStore(file: string, synchronous: Synchronous, appends: readonly Append[]): Promise<number> {
  const store = openSqliteEventStore({ file, synchronous });
  const revisions = new Map<string, number>();
  const started = process.hrtime.bigint();
  for (const append of appends) {
    const known = revisions.get(append.streamId);
    const expectedRevision: ExpectedRevision = known === undefined ? 'no_stream' : known;
    const result = await store.appendToStream(append.streamId, append.events, { expectedRevision });
    revisions.set(append.streamId, result.nextRevision);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const head = await store.headPosition();
  await store.close();
  const expected = appends.reduce((sum, append) => sum + append.events.length, 0);
  if (head !== expected) throw new Error(`The store holds ${head} events after appending ${expected}`);
  return seconds;
}

export async function bench(options: BenchOptions): Promise<BenchRow[]> {
  const runs = options.quick ? 3 : 7;
  const sample = realisticEvent(0);
  options.log(
    `event store: payload ${Buffer.byteLength(JSON.stringify(sample.data))} B data + ` +
      `${Buffer.byteLength(JSON.stringify(sample.metadata))} B metadata per event, median of ${runs} runs per side`,
  );
  const rows: BenchRow[] = [];
  for (const scenario of SCENARIOS) {
    if (scenario.inMemoryFs && !existsSync(IN_MEMORY_FS)) {
      options.log(`  skipped the in-memory scenarios: ${IN_MEMORY_FS} does not exist here`);
      continue;
    }
    const dir = scenario.inMemoryFs
      ? mkdtempSync(join(IN_MEMORY_FS, 'hub-bench-'))
      : join(options.tmpDir, 'event-store');
    const totalEvents = options.quick ? scenario.events.quick : scenario.events.full;
    const appends = workload(scenario, totalEvents);
    // One discarded run per side, so neither pays for JIT warm-up or the first file creation in the figures.
    const warmUp = appends.slice(0, Math.ceil(appends.length / 10));
    runBaseline(freshFile(dir, 'baseline'), scenario.synchronous, warmUp);
    await runStore(freshFile(dir, 'store'), scenario.synchronous, warmUp);
    const storeRates: number[] = [];
    const baselineRates: number[] = [];
    // Alternating the sides spreads slow phases of the machine (other load, disk flushes) over both.
    for (let run = 0; run < runs; run++) {
      baselineRates.push(totalEvents / runBaseline(freshFile(dir, 'baseline'), scenario.synchronous, appends));
      storeRates.push(totalEvents / (await runStore(freshFile(dir, 'store'), scenario.synchronous, appends)));
    }
    const value = median(storeRates);
    const baselineValue = median(baselineRates);
    rmSync(dir, { recursive: true, force: true });
    const label =
      `${scenario.eventsPerAppend} event${scenario.eventsPerAppend === 1 ? '' : 's'} per append, ` +
      `synchronous=${scenario.synchronous}${scenario.inMemoryFs ? ', files on tmpfs' : ''}`;
    options.log(
      `  ${label}: store ${storeRates.map(Math.round).join(', ')}; ` +
        `baseline ${baselineRates.map(Math.round).join(', ')} events/s`,
    );
    rows.push({
      figure: `event store append, ${label}`,
      unit: 'events/s',
      value,
      baseline: `raw better-sqlite3 INSERTs, ${scenario.eventsPerAppend} row${scenario.eventsPerAppend === 1 ? '' : 's'} per transaction`,
      baselineValue,
      ratio: value / baselineValue,
      aim: scenario.aim,
    });
  }
  return rows;
}

interface PostgresScenario {
  readonly eventsPerAppend: number;
  readonly streams: number;
  readonly events: { readonly full: number; readonly quick: number };
}

/** Same workloads as the SQLite rows; the server's defaults (synchronous_commit=on) make every commit durable. */
const POSTGRES_SCENARIOS: readonly PostgresScenario[] = [
  { eventsPerAppend: 1, streams: 1000, events: { full: 3000, quick: 1000 } },
  { eventsPerAppend: 100, streams: 100, events: { full: 30_000, quick: 10_000 } },
];
const IMPORT_EVENTS = { full: 50_000, quick: 20_000 };
const IMPORT_BATCH = 10_000;

const benchSchema = (): string => `es_bench_${randomUUID().slice(0, 8)}`;

async function dropBenchSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
}

/** An empty store schema (the adapter's own DDL, so both sides write the same table with the same indexes). */
async function freshPostgresSchema(): Promise<string> {
  const schema = benchSchema();
  await (await openPostgresEventStore({ connectionString: PG_URL, schema })).close();
  return schema;
}

const RAW_INSERT = (schema: string): string =>
  `INSERT INTO "${schema}".events (position, stream_id, revision, event_id, type, data, metadata, recorded_at)
   SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::uuid[], $5::text[], $6::json[], $7::json[],
     $8::timestamptz[])`;

/**
 * The baseline: one connection, one prepared multi-row INSERT per append (a single statement is its own
 * transaction: one round trip, one commit), positions and revisions counted in memory, nothing checked.
 */
async function runPostgresBaseline(appends: readonly Append[]): Promise<number> {
  const schema = await freshPostgresSchema();
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  const revisions = new Map<string, number>();
  let position = 0;
  const started = process.hrtime.bigint();
  for (const append of appends) {
    const recordedAt = new Date().toISOString();
    let revision = revisions.get(append.streamId) ?? -1;
    const rows: unknown[][] = [[], [], [], [], [], [], [], []];
    for (const event of append.events) {
      revision += 1;
      position += 1;
      const values = [
        position,
        append.streamId,
        revision,
        event.eventId,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
        recordedAt,
      ];
      values.forEach((value, column) => rows[column]?.push(value));
    }
    revisions.set(append.streamId, revision);
    await client.query({ name: 'raw-insert', text: RAW_INSERT(schema), values: rows });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await client.end();
  await dropBenchSchema(schema);
  return seconds;
}

async function runPostgresStore(appends: readonly Append[]): Promise<number> {
  const schema = await freshPostgresSchema();
  const store = await openPostgresEventStore({ connectionString: PG_URL, schema });
  const revisions = new Map<string, number>();
  const started = process.hrtime.bigint();
  for (const append of appends) {
    const known = revisions.get(append.streamId);
    const expectedRevision: ExpectedRevision = known === undefined ? 'no_stream' : known;
    const result = await store.appendToStream(append.streamId, append.events, { expectedRevision });
    revisions.set(append.streamId, result.nextRevision);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const head = await store.headPosition();
  await store.close();
  await dropBenchSchema(schema);
  const expected = appends.reduce((sum, append) => sum + append.events.length, 0);
  if (head !== expected) throw new Error(`The store holds ${head} events after appending ${expected}`);
  return seconds;
}

function recordedLog(appends: readonly Append[]): RecordedEvent[] {
  const revisions = new Map<string, number>();
  const recordedAt = new Date().toISOString();
  return appends
    .flatMap((append) =>
      append.events.map((event) => {
        const revision = (revisions.get(append.streamId) ?? -1) + 1;
        revisions.set(append.streamId, revision);
        return { ...event, streamId: append.streamId, revision, position: 0, recordedAt };
      }),
    )
    .map((event, index) => ({ ...event, position: index + 1 }));
}

/** How runImport writes the rows: through importRecorded, or one of the raw pg baselines. */
type ImportMode = 'store' | 'insert' | 'copy';

/**
 * importRecorded against the same rows written raw in transactions of the same size (10,000 rows): either unnest
 * INSERTs of 5,000 rows, or one COPY … FROM STDIN (text format, values escaped as the adapter escapes them, sent as
 * one CopyData message like the adapter). Neither baseline validates, locks the head or checks revisions.
 */
async function runImport(log: readonly RecordedEvent[], mode: ImportMode): Promise<number> {
  const schema = await freshPostgresSchema();
  const store = await openPostgresEventStore({ connectionString: PG_URL, schema });
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  const started = process.hrtime.bigint();
  for (let offset = 0; offset < log.length; offset += IMPORT_BATCH) {
    const batch = log.slice(offset, offset + IMPORT_BATCH);
    if (mode === 'store') {
      await store.importRecorded(batch);
      continue;
    }
    await client.query('BEGIN');
    if (mode === 'copy') {
      const text = batch
        .map((e) =>
          copyLine([
            String(e.position),
            e.streamId,
            String(e.revision),
            e.eventId,
            e.type,
            JSON.stringify(e.data),
            JSON.stringify(e.metadata),
            e.recordedAt,
          ]),
        )
        .join('');
      const copy = client.query(
        copyFrom(
          `COPY "${schema}".events (position, stream_id, revision, event_id, type, data, metadata, recorded_at) FROM STDIN`,
        ),
      );
      await new Promise<void>((resolve, reject) => {
        copy.on('error', reject).on('finish', resolve);
        copy.end(Buffer.from(text, 'utf8'));
      });
    }
    for (let start = 0; mode === 'insert' && start < batch.length; start += 5000) {
      const rows = batch.slice(start, start + 5000);
      await client.query(RAW_INSERT(schema), [
        rows.map((e) => e.position),
        rows.map((e) => e.streamId),
        rows.map((e) => e.revision),
        rows.map((e) => e.eventId),
        rows.map((e) => e.type),
        rows.map((e) => JSON.stringify(e.data)),
        rows.map((e) => JSON.stringify(e.metadata)),
        rows.map((e) => e.recordedAt),
      ]);
    }
    await client.query('COMMIT');
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const head = await store.headPosition();
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".events`);
  await client.end();
  await store.close();
  await dropBenchSchema(schema);
  if ((mode === 'store' ? head : rows[0]?.n) !== log.length) {
    throw new Error(`${mode}: the schema holds ${rows[0]?.n} events (head ${head}) after importing ${log.length}`);
  }
  return seconds;
}

const CONCURRENT_WRITERS = 8;

/**
 * What the serialised head costs under contention: 8 writers (8 connections), 1 event per append, each writer on its
 * own streams. The baseline takes positions from a sequence, which is as fast as it gets and exactly what the store
 * must not do (gaps on rollback, positions visible out of order; docs/adr/0009).
 */
async function runPostgresConcurrent(appends: readonly Append[], raw: boolean): Promise<number> {
  const schema = await freshPostgresSchema();
  const lanes = Array.from({ length: CONCURRENT_WRITERS }, (_, lane) =>
    appends.filter((_, index) => index % CONCURRENT_WRITERS === lane),
  );
  const store = await openPostgresEventStore({ connectionString: PG_URL, schema, poolSize: CONCURRENT_WRITERS });
  const clients = await Promise.all(
    lanes.map(async () => {
      const client = new Client({ connectionString: PG_URL });
      await client.connect();
      return client;
    }),
  );
  await clients[0]?.query(`CREATE SEQUENCE "${schema}".position_seq`);
  const revisions = new Map<string, number>();
  const started = process.hrtime.bigint();
  await Promise.all(
    lanes.map(async (lane, index) => {
      const client = clients[index] as Client;
      for (const append of lane) {
        const known = revisions.get(append.streamId);
        const event = append.events[0] as EventToAppend;
        if (raw) {
          await client.query({
            name: 'raw-insert-seq',
            text: `INSERT INTO "${schema}".events (position, stream_id, revision, event_id, type, data, metadata, recorded_at)
              VALUES (nextval('"${schema}".position_seq'), $1, $2, $3, $4, $5, $6, $7)`,
            values: [
              append.streamId,
              (known ?? -1) + 1,
              event.eventId,
              event.type,
              JSON.stringify(event.data),
              JSON.stringify(event.metadata),
              new Date().toISOString(),
            ],
          });
          revisions.set(append.streamId, (known ?? -1) + 1);
        } else {
          const result = await store.appendToStream(append.streamId, append.events, {
            expectedRevision: known === undefined ? 'no_stream' : known,
          });
          revisions.set(append.streamId, result.nextRevision);
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await Promise.all(clients.map((client) => client.end()));
  await store.close();
  await dropBenchSchema(schema);
  return seconds;
}

/** `npm run bench -- --only "event store postgres"`: the PostgreSQL adapter against raw pg in the same run. */
export async function benchPostgres(options: BenchOptions): Promise<BenchRow[]> {
  const runs = options.quick ? 3 : 5;
  const server = new Client({ connectionString: PG_URL });
  await server.connect();
  const facts = await server
    .query<{ version: string; sc: string }>(`SELECT version() AS version, current_setting('synchronous_commit') AS sc`)
    .finally(() => server.end());
  options.log(
    `event store postgres: ${facts.rows[0]?.version}; synchronous_commit=${facts.rows[0]?.sc}; median of ${runs} runs`,
  );
  const rows: BenchRow[] = [];
  for (const scenario of POSTGRES_SCENARIOS) {
    const totalEvents = options.quick ? scenario.events.quick : scenario.events.full;
    const appends = workload({ ...scenario, synchronous: 'FULL', aim: 0 }, totalEvents);
    const warmUp = appends.slice(0, Math.ceil(appends.length / 10));
    await runPostgresBaseline(warmUp);
    await runPostgresStore(warmUp);
    const storeRates: number[] = [];
    const baselineRates: number[] = [];
    for (let run = 0; run < runs; run++) {
      baselineRates.push(totalEvents / (await runPostgresBaseline(appends)));
      storeRates.push(totalEvents / (await runPostgresStore(appends)));
    }
    const per = `${scenario.eventsPerAppend} event${scenario.eventsPerAppend === 1 ? '' : 's'} per append`;
    options.log(
      `  ${per}: store ${storeRates.map(Math.round).join(', ')}; baseline ${baselineRates.map(Math.round).join(', ')} events/s`,
    );
    const value = median(storeRates);
    const baselineValue = median(baselineRates);
    rows.push({
      figure: `PostgreSQL event store append, ${per}`,
      unit: 'events/s',
      value,
      baseline: `raw pg multi-row INSERT, ${scenario.eventsPerAppend} row${scenario.eventsPerAppend === 1 ? '' : 's'} per transaction`,
      baselineValue,
      ratio: value / baselineValue,
    });
  }
  {
    const totalEvents = options.quick ? 2000 : 5000;
    const appends = workload(
      { ...(POSTGRES_SCENARIOS[0] as PostgresScenario), synchronous: 'FULL', aim: 0 },
      totalEvents,
    );
    await runPostgresConcurrent(appends.slice(0, 500), true);
    await runPostgresConcurrent(appends.slice(0, 500), false);
    const storeRates: number[] = [];
    const baselineRates: number[] = [];
    for (let run = 0; run < runs; run++) {
      baselineRates.push(totalEvents / (await runPostgresConcurrent(appends, true)));
      storeRates.push(totalEvents / (await runPostgresConcurrent(appends, false)));
    }
    options.log(
      `  ${CONCURRENT_WRITERS} writers: store ${storeRates.map(Math.round).join(', ')}; ` +
        `baseline ${baselineRates.map(Math.round).join(', ')} events/s`,
    );
    rows.push({
      figure: `PostgreSQL event store append, 1 event per append, ${CONCURRENT_WRITERS} concurrent writers`,
      unit: 'events/s',
      value: median(storeRates),
      baseline: `raw pg INSERTs, positions from a sequence, ${CONCURRENT_WRITERS} connections`,
      baselineValue: median(baselineRates),
      ratio: median(storeRates) / median(baselineRates),
    });
  }
  const importEvents = options.quick ? IMPORT_EVENTS.quick : IMPORT_EVENTS.full;
  const log = recordedLog(
    workload({ ...(POSTGRES_SCENARIOS[1] as PostgresScenario), synchronous: 'FULL', aim: 0 }, importEvents),
  );
  const modes: readonly ImportMode[] = ['insert', 'copy', 'store'];
  for (const mode of modes) await runImport(log.slice(0, IMPORT_BATCH), mode);
  const rates: Record<ImportMode, number[]> = { store: [], insert: [], copy: [] };
  for (let run = 0; run < runs; run++) {
    for (const mode of modes) rates[mode].push(log.length / (await runImport(log, mode)));
  }
  options.log(
    `  importRecorded: ${rates.store.map(Math.round).join(', ')}; baselines: INSERT ${rates.insert.map(Math.round).join(', ')}, ` +
      `COPY ${rates.copy.map(Math.round).join(', ')} events/s`,
  );
  const batchRows = `${IMPORT_BATCH.toLocaleString('en-US')} per transaction`;
  const figure = `PostgreSQL importRecorded, ${IMPORT_BATCH.toLocaleString('en-US')} events per batch`;
  const baselines: ReadonlyArray<readonly [ImportMode, string]> = [
    ['insert', `raw pg INSERTs of 5,000 rows, ${batchRows}`],
    ['copy', `raw pg COPY FROM STDIN (text), ${batchRows}`],
  ];
  for (const [mode, baseline] of baselines) {
    rows.push({
      figure,
      unit: 'events/s',
      value: median(rates.store),
      baseline,
      baselineValue: median(rates[mode]),
      ratio: median(rates.store) / median(rates[mode]),
    });
  }
  return rows;
}
