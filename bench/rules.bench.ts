import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ffbKatalog, STANDARD_TAERSKLER, type SendPaamindelse } from '@hub/domain';
import { FFB, opretDelmaal } from '@hub/domain/testing/fixtures';
import { openSqliteEventStore, type EventStore, type EventToAppend } from '@hub/event-store';
import {
  accepteret,
  afgivelse,
  domainWriter,
  myndighedFor,
  nyIndsats,
  udfoererFor,
  type DomainWriter,
  type Indsats,
} from '@hub/relay/testing/domain-writer';
import { plusDage, RulesWorker, tilRegelEvent } from '@hub/rules';
import type { BenchOptions, BenchRow } from './bench.types';
import { EVENTS_PER_BESTILLING, writeHistory } from './history';

/** The worker's default batch size (the hub runs it with the defaults); the floor reads the same batches. */
const BATCH = 500;
/** The history's first day: every deadline it sets falls due later, so nothing fires during the catch-up. */
const HISTORY_START = '2025-01-01T00:00:00.000Z';
/** Where the latency runs' virtual clock starts: after the fixtures' dates, before their deadlines. */
const LATENCY_START = '2026-03-20T09:00:00.000Z';

const ms = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e6;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};

// ---------------------------------------------------------------------------------------------------------------------
// 1. Rule evaluation throughput over the benchmark history

/** The floor any consumer of the log pays: subscribeToAll from 0 in the same batches, each record mapped, nothing else. */
async function floorSeconds(store: EventStore, head: number): Promise<{ seconds: number; mapped: number }> {
  let mapped = 0;
  const started = process.hrtime.bigint();
  let reached: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (reached = resolve));
  const sub = store.subscribeToAll({
    after: 0,
    batchSize: BATCH,
    handler: async (batch) => {
      for (const recorded of batch) if (tilRegelEvent(recorded)) mapped += 1;
      if ((batch[batch.length - 1]?.position ?? 0) >= head) reached();
    },
  });
  await Promise.race([done, sub.done]);
  const seconds = ms(started) / 1000;
  await sub.stop();
  return { seconds, mapped };
}

async function throughput(options: BenchOptions): Promise<BenchRow[]> {
  const bestillinger = options.quick ? 300 : Math.ceil(1_000_000 / EVENTS_PER_BESTILLING);
  const dir = join(options.tmpDir, 'throughput');
  mkdirSync(dir, { recursive: true });
  const store = openSqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
  options.log(`  rules: writing a history of ${fmt(bestillinger * EVENTS_PER_BESTILLING)} events`);
  await writeHistory(store, bestillinger);
  const history = await store.headPosition();
  // Once before the worker, not counted: the file in the page cache and the mapping compiled, for both sides.
  await floorSeconds(store, history);

  options.log(`  rules: a fresh worker catching up from position 0`);
  const file = join(dir, 'rules.sqlite');
  const worker = new RulesWorker({
    store,
    file,
    katalog: ffbKatalog,
    taerskler: () => STANDARD_TAERSKLER,
    clock: () => new Date(HISTORY_START),
    batchSize: BATCH,
  });
  const started = process.hrtime.bigint();
  worker.start();
  await worker.idle(3_600_000);
  const seconds = ms(started) / 1000;
  const status = await worker.status();
  await worker.stop();
  const head = await store.headPosition();
  const firings = Object.values(status.affyringer).reduce((a, b) => a + b, 0);
  const recorded = head - history;

  // The floor over the same log the worker read (the history and the rules' own events).
  const floor = await floorSeconds(store, head);
  await store.close();

  const bytes = statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
  const db = new Database(file, { readonly: true });
  const docs = db.prepare('SELECT COUNT(*) FROM regel_doc').pluck().get() as number;
  const frister = db.prepare('SELECT status, COUNT(*) AS n FROM frist GROUP BY status').all() as {
    status: string;
    n: number;
  }[];
  db.close();
  options.log(
    `  rules: ${fmt(head)} events in ${seconds.toFixed(1)} s (floor ${floor.seconds.toFixed(1)} s, ` +
      `${fmt(floor.mapped)} rule events); firings ${JSON.stringify(status.affyringer)}, ` +
      `${status.afviste} refused, ${recorded} events recorded, ${status.fristerForfaldne} deadlines due; ` +
      `rules.sqlite ${fmt(bytes / 1024)} KiB for ${fmt(docs)} bestillinger, deadlines ` +
      frister.map((f) => `${f.status} ${fmt(f.n)}`).join(', '),
  );
  const events = `${fmt(head)} events`;
  return [
    {
      figure: `rules catch-up from position 0 over ${events} (fold, evaluate, commit, carry out)`,
      unit: 'events/s',
      value: head / seconds,
      baseline: 'subscribeToAll + tilRegelEvent only, same log and batches',
      baselineValue: head / floor.seconds,
      ratio: floor.seconds / seconds,
    },
    { figure: `rule firings during the catch-up (commands decided and carried out)`, unit: 'commands', value: firings },
    {
      figure: `rule events recorded during the catch-up`,
      unit: 'events',
      value: recorded,
    },
    {
      figure: `rule state file (rules.sqlite) per bestilling, ${fmt(docs)} bestillinger`,
      unit: 'bytes',
      value: bytes / docs,
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------------
// 2. Firing latency under load

/** Real time plus a fixed offset, from a monotonic source: the store, the writers and the worker all use it. */
function virtualClock() {
  const base = Date.parse(LATENCY_START) - performance.now();
  return {
    /** Virtual milliseconds (fractional) at a performance.now() reading. */
    at: (perf: number) => perf + base,
    ms: () => performance.now() + base,
    date: () => new Date(performance.now() + base),
    iso: () => new Date(performance.now() + base).toISOString(),
  };
}
type Clock = ReturnType<typeof virtualClock>;

/** The store with a hook after each append that wrote: the events, and when the append started and returned. */
function timedStore(
  store: EventStore,
  appended: (streamId: string, events: readonly EventToAppend[], start: number, end: number) => void,
): EventStore {
  return {
    appendToStream: async (streamId, events, options) => {
      const start = performance.now();
      const result = await store.appendToStream(streamId, events, options);
      if (!result.duplicate) appended(streamId, events, start, performance.now());
      return result;
    },
    readStream: (streamId, options) => store.readStream(streamId, options),
    readAll: (options) => store.readAll(options),
    headPosition: () => store.headPosition(),
    subscribeToAll: (options) => store.subscribeToAll(options),
    close: () => store.close(),
  };
}

interface LoadIndsats {
  readonly indsats: Indsats;
  readonly delmaal: readonly [string, string];
}

/** Calls `step` `rate` times a second from `from` (performance.now()) until `until`, one call at a time. */
async function steady(rate: number, from: number, until: number, step: (n: number) => Promise<void>): Promise<number> {
  let n = 0;
  for (; ; n++) {
    const due = from + (n * 1000) / rate;
    if (due >= until) return n;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await step(n);
  }
}

/** Ordinary domain commands cycling over the load indsatser: delmålsobservationer, VUM-observationer, evalueringer. */
function loadStep(writer: DomainWriter, clock: Clock, set: readonly LoadIndsats[]) {
  return async (n: number): Promise<void> => {
    const { indsats, delmaal } = set[n % set.length] as LoadIndsats;
    const round = Math.floor(n / set.length);
    const delmaalId = delmaal[round % 2] as string;
    const udfoerer = udfoererFor(indsats.tilbudId);
    const kind = round % 10;
    if (kind < 7) {
      await writer.delmaal(
        {
          type: 'RegistrerDelmaalsobservation',
          data: {
            delmaalId,
            observationId: randomUUID(),
            observation: 'Deltog i fællesspisning i 20 minutter.',
            refleksion: 'Virkede tryg.',
            score: 2,
            observeret: clock.iso(),
          },
        },
        udfoerer,
        indsats.bestillingId,
      );
    } else if (kind < 9) {
      await writer.bestilling(
        {
          type: 'RegistrerVumObservation',
          data: {
            bestillingId: indsats.bestillingId,
            observationId: randomUUID(),
            tekst: 'Borgeren har haft en god uge.',
            undertemaer: [FFB.indgaaISamspil],
            paavirkerIndsatsen: false,
            observeret: clock.iso(),
          },
        },
        udfoerer,
      );
    } else {
      await writer.delmaal(
        {
          type: 'EvaluerDelmaal',
          data: {
            delmaalId,
            evalueringId: randomUUID(),
            dato: clock.iso().slice(0, 10),
            hvordanGaarDet: 'Møder op hver uge.',
            virkningForBorgeren: 'Mindre angst ved måltider.',
            borgerensOplevelse: 'Det er hyggeligt.',
            refleksionerOverMetoder: 'Low arousal virker.',
            giverAnledningTilAendringer: false,
            udvikling: 'fremgang',
            konklusion: 'På vej.',
          },
        },
        udfoerer,
        indsats.bestillingId,
      );
    }
  };
}

/** A VUM-observation that the borger declines the indsats: rule T1 requires a tilbagemelding at once. */
async function declines(writer: DomainWriter, clock: Clock, indsats: Indsats): Promise<void> {
  await writer.bestilling(
    {
      type: 'RegistrerVumObservation',
      data: {
        bestillingId: indsats.bestillingId,
        observationId: randomUUID(),
        tekst: 'Borgeren siger nej tak til fællesspisningen og vil ikke have besøg.',
        undertemaer: [FFB.indgaaISamspil],
        paavirkerIndsatsen: false,
        borgerTagerIkkeImod: true,
        observeret: clock.iso(),
      },
    },
    udfoererFor(indsats.tilbudId),
  );
}

async function waitFor(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`rules bench: ${what()} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Sizes {
  /** Seconds of each measurement window. */
  readonly window: number;
  /** Ordinary commands per second in the background. */
  readonly load: number;
  /** Indsatser the load cycles over. */
  readonly loadIndsatser: number;
  /** T1 observations per second (each on its own indsats: an open T1 krav would absorb the next). */
  readonly t1: number;
  /** Deadlines falling due in the window. */
  readonly deadlines: number;
}

async function latency(options: BenchOptions): Promise<BenchRow[]> {
  const size: Sizes = options.quick
    ? { window: 3, load: 200, loadIndsatser: 40, t1: 10, deadlines: 90 }
    : { window: 25, load: 300, loadIndsatser: 200, t1: 20, deadlines: 1250 };
  const dir = join(options.tmpDir, 'latency');
  mkdirSync(dir, { recursive: true });
  const clock = virtualClock();
  const raw = openSqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL', now: clock.date });

  // What the measurements read: observation appends started (by event id), krav recorded (by cause), reminders
  // recorded (virtual time, by påmindelse id), load events in the window.
  const observed = new Map<string, number>();
  const kraevet = new Map<string, number>();
  const sendt = new Map<string, { bestillingId: string; forfald: number; at: number }>();
  let loadEvents = 0;
  const store = timedStore(raw, (streamId, events, start, end) => {
    for (const e of events) {
      const data = e.data as Record<string, unknown>;
      if (e.type === 'VumObservationRegistreret' && data['borgerTagerIkkeImod'] === true)
        observed.set(e.eventId, start);
      else if (e.type === 'TilbagemeldingKraevet') kraevet.set(e.metadata.causationId, end);
      else if (e.type === 'PaamindelseSendt')
        sendt.set(data['paamindelseId'] as string, {
          bestillingId: data['bestillingId'] as string,
          forfald: Date.parse(data['forfald'] as string),
          at: clock.at(end),
        });
      else if (!streamId.startsWith('tilbagemeldingspligt-')) loadEvents += 1;
    }
  });
  const writer = domainWriter(store, clock.iso);

  // Setup: indsatser for the load (accepted, two delmål each) and one accepted indsats per T1 observation, per phase.
  options.log(`  rules: setting up ${size.loadIndsatser} load indsatser and ${2 * size.t1 * size.window} for T1`);
  const setupStarted = process.hrtime.bigint();
  const loadSet: LoadIndsats[] = [];
  for (let i = 0; i < size.loadIndsatser; i++) {
    const indsats = nyIndsats(['0101', '0147', '0151', '0153'][i % 4], `tilbud-${i % 20}`);
    await accepteret(writer, indsats);
    const delmaal: [string, string] = [randomUUID(), randomUUID()];
    for (const [n, delmaalId] of delmaal.entries())
      await writer.delmaal(
        opretDelmaal({
          delmaalId,
          bestillingId: indsats.bestillingId,
          indsatsmaalId: n === 0 ? indsats.maal1 : indsats.maal2,
          startdato: '2026-03-16',
        }),
        udfoererFor(indsats.tilbudId),
        indsats.bestillingId,
      );
    loadSet.push({ indsats, delmaal });
  }
  const t1Sets = [0, 1].map(() => Array.from({ length: size.t1 * size.window }, () => nyIndsats('0101', 'tilbud-t1')));
  for (const indsats of t1Sets.flat()) await accepteret(writer, indsats);
  const perCommandMs = ms(setupStarted) / (size.loadIndsatser * 5 + t1Sets.flat().length * 3);

  /** Load and T1 observations from `from` (performance.now()) for the window; returns when both are done. */
  const underLoad = async (from: number, t1Set: readonly Indsats[]) => {
    const until = from + size.window * 1000;
    const before = loadEvents;
    await new Promise((resolve) => setTimeout(resolve, from - performance.now()));
    const cpu = process.cpuUsage();
    await Promise.all([
      steady(size.load, from, until, loadStep(writer, clock, loadSet)),
      steady(size.t1, from, until, (n) => declines(writer, clock, t1Set[n] as Indsats)),
    ]);
    const seconds = (performance.now() - from) / 1000;
    const used = process.cpuUsage(cpu);
    // Share of one core the whole process used in the window (the load, the timers or the worker, SQLite).
    return { achieved: (loadEvents - before) / seconds, cpu: (used.user + used.system) / 1e4 / seconds };
  };

  // Phase A, the baselines: a plain subscriber notes when it sees each T1 observation; a timer per deadline appends
  // its reminder through the write path when it falls due. The rules worker is not running.
  const headA = await raw.headPosition();
  const seen = new Map<string, number>();
  const plain = raw.subscribeToAll({
    after: headA,
    batchSize: BATCH,
    handler: async (batch) => {
      const now = performance.now();
      // Every event, not only the observations: the append's hook may run after the subscriber has seen it.
      for (const r of batch) if (!seen.has(r.eventId)) seen.set(r.eventId, now);
    },
  });
  const fromA = performance.now() + 200;
  const spacing = (size.window * 1000) / size.deadlines;
  const timerIds: string[] = [];
  const timers: NodeJS.Timeout[] = Array.from({ length: size.deadlines }, (_, i) => {
    const forfald = Math.round(clock.at(fromA) + (i + 0.5) * spacing);
    const paamindelseId = randomUUID();
    timerIds.push(paamindelseId);
    const command: SendPaamindelse = {
      type: 'SendPaamindelse',
      data: {
        bestillingId: randomUUID(),
        kommunekode: '0101',
        tilbudId: 'tilbud-timer',
        regel: { id: 'BESTILLING-KVITTERING', version: 1 },
        aarsager: [randomUUID()],
        paamindelseId,
        art: 'bestilling_ikke_kvitteret',
        modtager: 'udfoerer',
        alvor: 'paamindelse',
        emne: { version: 1 },
        tekst: 'Bestillingens version 1 er ikke kvitteret 3 dage efter, den blev sendt.',
        forfald: new Date(forfald).toISOString(),
      },
    };
    // Like the worker, it carries the command out once the clock has reached forfald (a timer may fire early by < 1 ms).
    const fire = (): void => {
      const rest = forfald - clock.ms();
      if (rest > 0) timers[i] = setTimeout(fire, rest);
      else void writer.pligt(command);
    };
    return setTimeout(fire, forfald - clock.ms());
  });
  options.log(`  rules: baseline phase, ${size.window} s under load`);
  const phaseA = await underLoad(fromA, t1Sets[0] as Indsats[]);
  const obsA = [...observed.keys()];
  await waitFor(
    () => obsA.every((id) => seen.has(id)) && timerIds.every((id) => sendt.has(id)),
    30_000,
    () => 'the baseline phase did not finish',
  );
  timers.forEach((t) => clearTimeout(t));
  await plain.stop();
  const baselineT1 = obsA.map((id) => (seen.get(id) as number) - (observed.get(id) as number));
  const baselineDeadline = timerIds.map((id) => {
    const s = sendt.get(id) as { forfald: number; at: number };
    return s.at - s.forfald;
  });

  // Phase B, the rules worker as the hub runs it (autoTick, the default tickMs and batch size) on the same clock.
  const worker = new RulesWorker({
    store,
    file: join(dir, 'rules.sqlite'),
    katalog: ffbKatalog,
    taerskler: () => STANDARD_TAERSKLER,
    clock: clock.date,
  });
  worker.start();
  await worker.idle(120_000);
  // Bestillinger afgivet (backdated) so that their "not kvitteret" reminder, 3 days later, falls due in the window.
  const margin = 2000 + size.deadlines * perCommandMs * 3;
  const fromB = performance.now() + margin;
  const dage = STANDARD_TAERSKLER.kvitteringPaamindelseDage;
  let afgivet = '';
  const backdated = domainWriter(store, () => afgivet);
  const expected = new Set<string>();
  for (let i = 0; i < size.deadlines; i++) {
    const forfald = Math.round(clock.at(fromB) + (i + 0.5) * spacing);
    afgivet = plusDage(new Date(forfald).toISOString(), -dage);
    const indsats = nyIndsats('0147', `tilbud-${i % 20}`);
    await backdated.bestilling(afgivelse(indsats), myndighedFor(indsats.kommunekode));
    expected.add(indsats.bestillingId);
  }
  await worker.idle(120_000);
  const slack = fromB - performance.now();
  if (slack < 0) throw new Error(`rules bench: the deadlines' setup overran the window's start by ${-slack} ms`);
  options.log(`  rules: rules phase, ${size.window} s under load (setup ${Math.round(slack)} ms ahead)`);
  const phaseB = await underLoad(fromB, t1Sets[1] as Indsats[]);
  const inA = new Set(obsA);
  const obsB = [...observed.keys()].filter((id) => !inA.has(id));
  const reminders = () => [...sendt.values()].filter((s) => expected.has(s.bestillingId));
  const fired = () => reminders().length;
  await waitFor(
    () => obsB.every((id) => kraevet.has(id)) && fired() >= size.deadlines,
    60_000,
    () =>
      `the rules phase did not finish (${obsB.filter((id) => kraevet.has(id)).length}/${obsB.length} krav, ` +
      `${fired()}/${size.deadlines} reminders)`,
  );
  const status = await worker.status();
  await worker.stop();
  await raw.close();
  const t1 = obsB.map((id) => (kraevet.get(id) as number) - (observed.get(id) as number));
  const deadline = reminders().map((s) => s.at - s.forfald);
  options.log(
    `  rules: load ${Math.round(phaseA.achieved)} and ${Math.round(phaseB.achieved)} events/s (aim ${size.load}); ` +
      `CPU ${phaseA.cpu.toFixed(0)} % and ${phaseB.cpu.toFixed(0)} % of a core; ` +
      `${obsA.length} and ${obsB.length} T1 observations; ${baselineDeadline.length} and ${deadline.length} deadlines; ` +
      `worker firings ${JSON.stringify(status.affyringer)}`,
  );
  const load = `${size.load} commands/s`;
  const row = (figure: string, value: number, baseline: string, baselineValue: number): BenchRow => ({
    figure,
    unit: 'ms',
    value,
    baseline,
    baselineValue,
  });
  return [
    {
      figure: `process CPU in the window, rules worker running, under ${load}`,
      unit: '% of a core',
      value: phaseB.cpu,
      baseline: 'same load, plain subscriber and timers instead',
      baselineValue: phaseA.cpu,
    },
    row(
      `T1 firing p50, observation append → TilbagemeldingKraevet stored, under ${load}`,
      percentile(t1, 50),
      'append → seen by a plain subscribeToAll, same load',
      percentile(baselineT1, 50),
    ),
    row(
      `T1 firing p99, observation append → TilbagemeldingKraevet stored, under ${load}`,
      percentile(t1, 99),
      'append → seen by a plain subscribeToAll, same load',
      percentile(baselineT1, 99),
    ),
    row(
      `deadline firing p50, forfald → PaamindelseSendt stored (autoTick), under ${load}`,
      percentile(deadline, 50),
      'a setTimeout per deadline → same command through the write path',
      percentile(baselineDeadline, 50),
    ),
    row(
      `deadline firing p99, forfald → PaamindelseSendt stored (autoTick), under ${load}`,
      percentile(deadline, 99),
      'a setTimeout per deadline → same command through the write path',
      percentile(baselineDeadline, 99),
    ),
  ];
}

/**
 * The tilbagemeldingspligt rules worker: catch-up throughput over the benchmark history (≥ 1,000,000 events; 29,700
 * with --quick) next to the floor of reading and mapping the same log, and firing latency under a steady load next to
 * a plain subscriber and a plain timer.
 */
export async function bench(options: BenchOptions): Promise<BenchRow[]> {
  mkdirSync(options.tmpDir, { recursive: true });
  return [...(await throughput(options)), ...(await latency(options))];
}
