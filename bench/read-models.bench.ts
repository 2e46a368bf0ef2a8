import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ffbKatalog, type BestillingEvent, type DelmaalEvent, type Kode } from '@hub/domain';
import { openSqliteEventStore, type EventMetadata, type EventStore } from '@hub/event-store';
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
import { dropSchema, freshSchema, PG_URL, requirePostgres } from '../libs/read-models/src/testing/postgres';
import { median, type BenchOptions, type BenchRow } from './bench.types';

const kode = (prefix: string): Kode =>
  ffbKatalog.kode(ffbKatalog.all().find((k) => k.code.startsWith(prefix))?.code as string);
const K = {
  samspil: kode('3f9da5ac'),
  lavemad: kode('b947f321'),
  udvikle: kode('d41c8072'),
  niveau1: kode('8328ce4a'),
  niveau2: kode('5bdde847'),
  stoette: kode('401a397b'),
  fortsaet: kode('1e971d84'),
  hukommelse: kode('61452fe5'),
  mobilt: kode('d90f4da6'),
  ydelse: kode('05cd5e81'),
  autisme: kode('9b3fd322'),
};
const id = (k: number, kind: number) =>
  `00000000-0000-4${kind.toString(16).padStart(3, '0')}-8000-${k.toString(16).padStart(12, '0')}`;
type Append = { streamId: string; events: (BestillingEvent | DelmaalEvent)[] };

/**
 * One bestilling's year in about 100 events, in appends as the hub writes them: the bestilling and its answers, two
 * delmål, daily delmålsobservationer, VUM-observationer, evalueringer, status, a tilbagemelding and an opfølgning.
 */
function lifecycle(k: number): Append[] {
  const b = id(k, 1);
  const borger = id(k % 7919, 2);
  const kommunekode = ['0101', '0147', '0151', '0153'][k % 4] as string;
  const tilbudId = `tilbud-${k % 40}`;
  const maal = [id(k, 3), id(k, 4)];
  const dm = [id(k, 5), id(k, 6)];
  const t = (day: number) => new Date(Date.UTC(2025, 0, 1) + (k % 300) * 86_400_000 + day * 3_600_000).toISOString();
  const bestilling = (...events: BestillingEvent[]): Append => ({ streamId: `bestilling-${b}`, events });
  const delmaal = (i: number, ...events: DelmaalEvent[]): Append => ({ streamId: `delmaal-${dm[i]}`, events });
  const indsatsmaal = (i: number) => ({
    indsatsmaalId: maal[i] as string,
    nummer: i + 1,
    maalformulering: 'Jeg vil gerne kunne møde mine venner i byen igen.',
    maaltype: K.udvikle,
    undertema: i === 0 ? K.samspil : K.lavemad,
    aktueltFunktionsevneniveau: K.niveau2,
    forventetFunktionsevneniveau: K.niveau1,
    opfoelgningsdato: '2026-09-01',
    ansvarligForOpfoelgning: 'Social service',
    relateredeUndertemaer: [],
  });
  const out: Append[] = [
    bestilling(
      {
        type: 'BestillingAfgivet',
        data: {
          bestillingId: b,
          version: 1,
          borgerId: borger,
          kommunekode,
          tilbudId,
          tilbudstype: K.mobilt,
          lovgrundlag: ['SEL-85'],
          ydelser: [{ ydelseLinjeId: id(k, 7), ydelse: K.ydelse, startdato: '2025-01-01', slutdato: null }],
          primaerMaalgruppe: K.autisme,
          oevrigeMaalgrupper: [],
          stoettebehov: K.stoette,
          borgerensOensker: 'Jeg vil gerne undgå, at angsten styrer mit liv.',
          indsatsformaal: 'Borgeren indgår i fællesskaber.',
          indsatsmaal: [indsatsmaal(0), indsatsmaal(1)],
          afgivet: t(0),
          advarsler: [],
        },
      },
      { type: 'BestillingKvitteret', data: { bestillingId: b, version: 1, kvitteret: t(1) } },
      { type: 'BestillingAccepteret', data: { bestillingId: b, accepteret: t(2), forventetStartdato: null } },
    ),
  ];
  for (const i of [0, 1]) {
    out.push(
      delmaal(i, {
        type: 'DelmaalOprettet',
        data: {
          delmaalId: dm[i] as string,
          bestillingId: b,
          indsatsmaalId: maal[i] as string,
          borgerId: borger,
          kommunekode,
          tilbudId,
          navn: `Delmål ${i + 1}`,
          delmaalsplan: {
            formaal: 'f',
            borgerensMotivation: 'm',
            ressourcerOgUdfordringer: 'r',
            borgerensIndsats: 'b',
            medarbejdernesIndsatsOgMetode: 'x',
          },
          startdato: '2025-01-05',
          evalueringsdato: '2025-06-01',
          slutdato: '2026-12-31',
          ansvarlig: 'Team',
          oprettet: t(3),
        },
      }),
    );
  }
  for (let day = 0; day < 10; day++) {
    for (const i of [0, 1]) {
      out.push(
        delmaal(
          i,
          ...Array.from({ length: 4 }, (_, j): DelmaalEvent => ({
            type: 'DelmaalsobservationRegistreret',
            data: {
              delmaalId: dm[i] as string,
              bestillingId: b,
              observationId: id(k * 100 + day * 10 + j * 2 + i, 8),
              observation: 'Deltog i fællesspisning i 20 minutter.',
              refleksion: 'Virkede tryg.',
              score: 2,
              observeret: t(10 + day * 24 + j),
              registreret: t(10 + day * 24 + j),
            },
          })),
        ),
      );
    }
    if (day % 2 === 1)
      out.push(
        delmaal(day % 4 === 1 ? 0 : 1, {
          type: 'DelmaalEvalueret',
          data: {
            delmaalId: dm[day % 4 === 1 ? 0 : 1] as string,
            bestillingId: b,
            evalueringId: id(k * 10 + day, 9),
            dato: t(day * 24).slice(0, 10),
            hvordanGaarDet: 'g',
            virkningForBorgeren: 'v',
            borgerensOplevelse: 'o',
            refleksionerOverMetoder: 'r',
            giverAnledningTilAendringer: false,
            udvikling: 'fremgang',
            konklusion: 'På vej.',
            evalueret: t(day * 24),
          },
        }),
      );
    if (day % 2 === 0) {
      out.push(
        bestilling({
          type: 'VumObservationRegistreret',
          data: {
            bestillingId: b,
            observationId: id(k * 10 + day, 10),
            tekst: 'Afvigelse fra det normale.',
            undertemaer: [day % 4 === 0 ? K.hukommelse : K.samspil],
            paavirkerIndsatsen: false,
            observeret: t(day * 24 + 5),
            registreret: t(day * 24 + 5),
          },
        }),
      );
    }
  }
  out.push(
    bestilling(
      {
        type: 'StatusSendt',
        data: {
          bestillingId: b,
          statusId: id(k, 11),
          indsatsmaal: maal.map((m) => ({ indsatsmaalId: m, statustekst: 'Fremgang.' })),
          sendt: t(250),
        },
      },
      {
        type: 'TilbagemeldingSendt',
        data: {
          bestillingId: b,
          tilbagemeldingId: id(k, 12),
          trigger: 'T3',
          tekst: 'Ændret situation.',
          indsatsmaalId: null,
          observationer: [],
          opfylderKravId: null,
          sendt: t(251),
        },
      },
      {
        type: 'TilbagemeldingKvitteret',
        data: { bestillingId: b, tilbagemeldingId: id(k, 12), kvitteret: t(260), bemaerkning: null },
      },
      {
        type: 'OpfoelgningGennemfoert',
        data: {
          bestillingId: b,
          opfoelgningId: id(k, 13),
          gennemfoert: t(270),
          funktionsevne: [
            { undertema: K.samspil, funktionsevneniveau: K.niveau1 },
            { undertema: K.lavemad, funktionsevneniveau: K.niveau2 },
          ],
          borgerensVurdering: 'b',
          udfoerersVurdering: 'u',
          sagsbehandlersVurdering: 's',
          stoettebehov: K.stoette,
          statusPaaIndsats: K.fortsaet,
        },
      },
    ),
  );
  return out;
}

export const EVENTS_PER_BESTILLING = lifecycle(0).reduce((n, a) => n + a.events.length, 0);

/** Writes `bestillinger` lifecycles, interleaved 50 at a time as a day's work would be. */
export async function writeLogForProfile(store: EventStore, n: number): Promise<void> {
  return writeLog(store, n);
}

async function writeLog(store: EventStore, bestillinger: number): Promise<void> {
  const metadata: EventMetadata = {
    schemaVersion: 1,
    occurredAt: '2025-01-01T00:00:00.000Z',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: { party: 'bench', subject: 'bench' },
    ffbVersion: '20240530',
  };
  let n = 0;
  for (let group = 0; group < bestillinger; group += 50) {
    const lifecycles = Array.from({ length: Math.min(50, bestillinger - group) }, (_, i) => lifecycle(group + i));
    for (let step = 0; lifecycles.some((l) => step < l.length); step++) {
      for (const l of lifecycles) {
        const append = l[step];
        if (!append) continue;
        await store.appendToStream(
          append.streamId,
          append.events.map((e) => ({ eventId: id(n++, 14), type: e.type, data: e.data, metadata })),
          { expectedRevision: 'any' },
        );
      }
    }
  }
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
  await writeLog(store, bestillinger);
  const rows: BenchRow[] = [];
  const sqlite = openSqliteReadDb(join(options.tmpDir, 'read.sqlite'));
  rows.push(...(await benchOn('SQLite', sqlite, store, events, options.log)));
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
