import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EventToAppend, ExpectedRevision } from '../libs/event-store/src/event-store.port';
import { EVENTS_TABLE_V1, openSqliteEventStore } from '../libs/event-store/src/sqlite/sqlite.event-store';
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
