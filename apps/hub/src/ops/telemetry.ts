import { Gauge, Histogram, Registry } from 'prom-client';

export type Kanal = 'http' | 'kafka';
/** ok: appended (or a no-op); afvist: refused (invalid, a rule, the wrong party, a conflict); fejl: failed otherwise. */
export type Udfald = 'ok' | 'afvist' | 'fejl';

/** What the edges report as commands run: the latency histogram and who was last seen on which channel. */
export interface CommandObserver {
  command(type: string, edge: Kanal, outcome: Udfald, seconds: number): void;
  seen(party: string, id: string, kanal: Kanal): void;
}

/** Distinct (party, id, kanal) series of the last-seen gauge; ~100 kommuner and the tilbud connected fit well below. */
export const MAX_FAGSYSTEMER = 2000;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TYPE = /^[A-Za-z]{1,64}$/;

/**
 * The metrics the edges feed (command latency, last message per fagsystem), on the hub's own registry; the figures
 * read at scrape time are registered on the same registry by OpsMetrics. One registry per app, so two hubs in one
 * process (tests) do not share figures.
 */
export class Telemetry implements CommandObserver {
  readonly registry = new Registry();
  private readonly latency: Histogram<'command' | 'edge' | 'outcome'>;
  private readonly lastSeen: Gauge<'party' | 'id' | 'kanal'>;
  private readonly seenKeys = new Set<string>();

  constructor() {
    this.latency = new Histogram({
      name: 'ffb_hub_command_duration_seconds',
      help: 'Time to handle a command, from the edge (validated) to stored or refused, by command type, edge (http|kafka) and outcome (ok|afvist|fejl).',
      labelNames: ['command', 'edge', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.lastSeen = new Gauge({
      name: 'ffb_hub_fagsystem_last_seen_seconds',
      help: 'Unix time of the last message from a connected fagsystem: HTTP by the authenticated caller, Kafka by the sender topic; labelled by party, its kommunekode or tilbudId, and kanal (http|kafka).',
      labelNames: ['party', 'id', 'kanal'],
      registers: [this.registry],
    });
  }

  command(type: string, edge: Kanal, outcome: Udfald, seconds: number): void {
    this.latency.observe({ command: TYPE.test(type) ? type : 'ukendt', edge, outcome }, seconds);
  }

  seen(party: string, id: string, kanal: Kanal): void {
    if ((party !== 'myndighed' && party !== 'udfoerer') || !ID.test(id)) return;
    const key = `${party}\n${id}\n${kanal}`;
    if (!this.seenKeys.has(key)) {
      if (this.seenKeys.size >= MAX_FAGSYSTEMER) return;
      this.seenKeys.add(key);
    }
    this.lastSeen.set({ party, id, kanal }, Date.now() / 1000);
  }
}

/** Runs a command and reports its latency and outcome; `classify` tells a refusal from a failure. */
export async function observed<T>(
  observer: CommandObserver | undefined,
  type: string,
  edge: Kanal,
  classify: (error: unknown) => Udfald,
  run: () => Promise<T>,
): Promise<T> {
  if (!observer) return run();
  const start = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
  try {
    const result = await run();
    observer.command(type, edge, 'ok', seconds());
    return result;
  } catch (error) {
    observer.command(type, edge, classify(error), seconds());
    throw error;
  }
}
