import { Logger } from '@nestjs/common';
import { sql } from 'kysely';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventStore } from '@hub/event-store';
import { pligtQueries, queries, type Projector } from '@hub/read-models';
import type { RulesWorker } from '@hub/rules';
import type { HubWorkers } from '../workers';
import type { KafkaRuntime } from '../kafka/kafka.providers';
import type { ReadSide } from '../read-models/read-side';
import type { Telemetry } from './telemetry';

/**
 * Every metric the hub promises in /metrics (README "Metrics"); tests and the Grafana dashboard use this list. An
 * instance exports those that apply to it: the relay's with Kafka and the relay role, the dead letters with Kafka and
 * the api role, the rules' with the rules role (RULES_METRIKKER), the projections' with samples per read model only
 * with the projector role.
 */
export const METRIKKER = [
  'ffb_hub_up',
  'ffb_hub_log_head_position',
  'ffb_hub_command_duration_seconds',
  'ffb_hub_projection_position',
  'ffb_hub_projection_lag_events',
  'ffb_hub_projection_lag_seconds',
  'ffb_hub_relay_position',
  'ffb_hub_relay_lag_events',
  'ffb_hub_relay_lag_seconds',
  'ffb_hub_relay_records_sent_total',
  'ffb_hub_dead_letters_total',
  'ffb_hub_rules_lag_events',
  'ffb_hub_rule_firings_total',
  'ffb_hub_frister_afventer',
  'ffb_hub_frister_forfaldne',
  'ffb_hub_tilbagemeldinger_aabne',
  'ffb_hub_tilbagemeldingskrav_aabne',
  'ffb_hub_tilbagemeldingskrav_overskredne',
  'ffb_hub_fagsystem_last_seen_seconds',
  'ffb_hub_worker_active',
] as const;
export type Metrik = (typeof METRIKKER)[number];

/** Metrics only an instance with Kafka configured exports. */
export const KAFKA_METRIKKER: readonly Metrik[] = [
  'ffb_hub_relay_position',
  'ffb_hub_relay_lag_events',
  'ffb_hub_relay_lag_seconds',
  'ffb_hub_relay_records_sent_total',
  'ffb_hub_dead_letters_total',
];

/** Metrics only an instance with the rules role exports. */
export const RULES_METRIKKER: readonly Metrik[] = [
  'ffb_hub_rules_lag_events',
  'ffb_hub_rule_firings_total',
  'ffb_hub_frister_afventer',
  'ffb_hub_frister_forfaldne',
];

export interface OpsSources {
  readonly telemetry: Telemetry;
  readonly store: EventStore;
  readonly readSide: ReadSide;
  /** The worker roles of this instance; a role on standby (another instance holds its lease) has no figures here. */
  readonly workers: HubWorkers;
  readonly kafka?: KafkaRuntime | undefined;
  readonly roles: ReadonlySet<string>;
  readonly now?: () => number;
}

type Labels = Record<string, string>;
type Samples = readonly (readonly [Labels, number])[];

/**
 * A read shared by the metrics of one scrape (the registry collects them concurrently): the same promise for
 * `ttlMs`, then a fresh read.
 */
function shared<T>(read: () => Promise<T>, ttlMs = 500): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > ttlMs) cached = { at: now, value: read() };
    return cached.value;
  };
}

/**
 * The figures read at scrape time (collect callbacks) from where they live: the log's head, each read model's
 * position, the relay, the rules worker, the read models' counts. Nothing is copied; a part that cannot be read has
 * no sample in that scrape (and ffb_hub_up says which), so one failing part never fails the scrape.
 */
export class OpsMetrics {
  private readonly logger = new Logger('Metrics');
  readonly registry: Registry;
  private readonly now: () => number;

  constructor(private readonly s: OpsSources) {
    this.registry = s.telemetry.registry;
    this.now = s.now ?? Date.now;
    const registers = [this.registry];
    const logger = this.logger;
    const hasRelay = s.kafka !== undefined && s.roles.has('relay');
    const hasInbound = s.kafka !== undefined && s.roles.has('api');
    const hasRules = s.workers.has('rules');
    const projector = () => s.workers.current<Projector>('projector');
    const rulesWorker = () => s.workers.current<RulesWorker>('rules');
    const metric = (
      kind: 'gauge' | 'counter',
      name: Metrik,
      help: string,
      labelNames: readonly string[],
      read: () => Promise<Samples>,
      when = true,
    ): void => {
      // A figure this instance does not have is not exported at all (an unlabelled one would read 0).
      if (!when) return;
      const collect = async function (this: Gauge | Counter) {
        this.reset();
        // No sample rather than a 0 the hub does not know (reset leaves an unlabelled metric at 0).
        if (labelNames.length === 0) this.remove({});
        let samples: Samples;
        try {
          samples = await read();
        } catch (error) {
          logger.warn({ msg: 'metrics: a figure cannot be read', metric: name, error: (error as Error).name });
          return;
        }
        for (const [labels, value] of samples) {
          if (this instanceof Gauge) this.set(labels, value);
          else this.inc(labels, value);
        }
      };
      const config = { name, help, labelNames: [...labelNames], registers, collect };
      if (kind === 'gauge') new Gauge(config);
      else new Counter(config);
    };
    const one = (value: number | undefined): Samples => (value === undefined ? [] : [[{}, value]]);

    const up = shared(() => this.up());
    const head = shared(() => s.store.headPosition());
    const projections = shared(async () => {
      const out = [];
      for (const m of (await projector()?.status()) ?? [])
        out.push({ ...m, seconds: m.lag > 0 ? await this.ageAfter(m.position) : 0 });
      return out;
    });
    const relay = shared(async () => {
      const stats = s.kafka?.relayStats();
      if (!stats || stats.checkpoint === undefined) return undefined;
      const lag = Math.max(0, (await s.store.headPosition()) - stats.checkpoint);
      const seconds = lag > 0 ? await this.ageAfter(stats.checkpoint) : 0;
      return { position: stats.checkpoint, lag, seconds, sent: stats.recordsSent ?? 0 };
    });
    const rules = shared(async () => rulesWorker()?.status());
    const counts = shared(async () => {
      const { readSide } = s;
      const tb = await readSide.tables(readSide.models.sagsoversigt);
      const tk = await readSide.tables(readSide.models.tilbagemeldingspligt);
      const [aabne, krav] = await Promise.all([
        queries.taelAabneTilbagemeldinger(readSide.db, tb),
        pligtQueries.taelKrav(readSide.db, tk, readSide.idag()),
      ]);
      return { aabne, kravAabne: krav.aabne, kravOverskredne: krav.overskredne };
    });

    metric(
      'gauge',
      'ffb_hub_up',
      '1 when the part answers and is ok, 0 otherwise; parts: store, read_store, and each role this instance runs (api, projector, rules, kafka).',
      ['part'],
      async () => Object.entries(await up()).map(([part, ok]) => [{ part }, ok ? 1 : 0] as const),
    );
    metric(
      'gauge',
      'ffb_hub_log_head_position',
      'Position of the last event in the log. Never decreases: the append rate is rate() (or deriv()) of it, in events per second.',
      [],
      async () => one(await head()),
    );
    metric(
      'gauge',
      'ffb_hub_projection_position',
      'Position of the last event each read model has applied.',
      ['read_model'],
      async () => (await projections()).map((m) => [{ read_model: m.readModel }, m.position] as const),
    );
    metric(
      'gauge',
      'ffb_hub_projection_lag_events',
      'Events in the log each read model has not applied yet (head minus its position).',
      ['read_model'],
      async () => (await projections()).map((m) => [{ read_model: m.readModel }, m.lag] as const),
    );
    metric(
      'gauge',
      'ffb_hub_projection_lag_seconds',
      'Age of the oldest event each read model has not applied yet (by its recordedAt); 0 when caught up.',
      ['read_model'],
      async () => (await projections()).map((m) => [{ read_model: m.readModel }, m.seconds] as const),
    );
    metric(
      'gauge',
      'ffb_hub_relay_position',
      'Position of the last event the relay has had acknowledged by Kafka (its checkpoint).',
      [],
      async () => one((await relay())?.position),
      hasRelay,
    );
    metric(
      'gauge',
      'ffb_hub_relay_lag_events',
      'Events in the log not yet acknowledged by Kafka.',
      [],
      async () => one((await relay())?.lag),
      hasRelay,
    );
    metric(
      'gauge',
      'ffb_hub_relay_lag_seconds',
      'Age of the oldest event not yet acknowledged by Kafka (by its recordedAt); 0 when caught up.',
      [],
      async () => one((await relay())?.seconds),
      hasRelay,
    );
    metric(
      'counter',
      'ffb_hub_relay_records_sent_total',
      'Records the relay has had acknowledged by Kafka since it (re)started; its throughput is rate() of it.',
      [],
      async () => one((await relay())?.sent),
      hasRelay,
    );
    metric(
      'counter',
      'ffb_hub_dead_letters_total',
      'Commands from Kafka sent to a dead-letter topic since this instance started, by code (the reason: an envelope, field or rule problem).',
      ['code'],
      async () => Object.entries(s.kafka?.deadLetters()?.byCode ?? {}).map(([code, n]) => [{ code }, n] as const),
      hasInbound,
    );
    metric(
      'gauge',
      'ffb_hub_worker_active',
      'Worker roles of this instance: 1 while the role runs here, 0 on standby (another instance holds its lease).',
      ['role'],
      async () => {
        const out: (readonly [Labels, number])[] = s.workers
          .status()
          .map((w) => [{ role: w.role }, w.state === 'active' ? 1 : 0] as const);
        const relay = s.kafka?.relayActive();
        if (relay !== undefined) out.push([{ role: 'relay' }, relay ? 1 : 0]);
        return out;
      },
      s.workers.status().length > 0 || hasRelay,
    );
    metric(
      'gauge',
      'ffb_hub_rules_lag_events',
      'Events in the log the tilbagemeldingspligt rules have not read yet.',
      [],
      async () => one((await rules())?.lag),
      hasRules,
    );
    metric(
      'counter',
      'ffb_hub_rule_firings_total',
      'Decisions each tilbagemeldingspligt rule has made (krav, påmindelser, frister), as recorded in the rules state.',
      ['regel'],
      async () => Object.entries((await rules())?.affyringer ?? {}).map(([regel, n]) => [{ regel }, n] as const),
      hasRules,
    );
    metric(
      'gauge',
      'ffb_hub_frister_afventer',
      'Deadlines the rules are waiting for (pending).',
      [],
      async () => one((await rules())?.fristerAfventer),
      hasRules,
    );
    metric(
      'gauge',
      'ffb_hub_frister_forfaldne',
      'Deadlines past due that have not fired yet (overdue).',
      [],
      async () => one((await rules())?.fristerForfaldne),
      hasRules,
    );
    metric(
      'gauge',
      'ffb_hub_tilbagemeldinger_aabne',
      'Tilbagemeldinger the myndighed has not kvitteret yet, in all kommuner (from the sagsoversigt read model).',
      [],
      async () => one((await counts()).aabne),
    );
    metric(
      'gauge',
      'ffb_hub_tilbagemeldingskrav_aabne',
      'Open tilbagemeldingskrav (neither met nor lapsed), in all kommuner and tilbud.',
      [],
      async () => one((await counts()).kravAabne),
    );
    metric(
      'gauge',
      'ffb_hub_tilbagemeldingskrav_overskredne',
      'Open tilbagemeldingskrav past their frist.',
      [],
      async () => one((await counts()).kravOverskredne),
    );
  }

  /** Seconds since the first event after `position` was recorded; 0 when there is none. */
  private async ageAfter(position: number): Promise<number> {
    const [next] = await this.s.store.readAll({ after: position, maxCount: 1 });
    return next ? Math.max(0, (this.now() - Date.parse(next.recordedAt)) / 1000) : 0;
  }

  /** Whether each part answers: the store, the read store, and each role this instance runs. */
  /** Whether the read store answers. */
  readStoreUp(): Promise<boolean> {
    return sql`select 1`
      .execute(this.s.readSide.db)
      .then(() => true)
      .catch(() => false);
  }

  /** Whether this instance serves the API. */
  get runsApi(): boolean {
    return this.s.roles.has('api');
  }

  async up(): Promise<Record<string, boolean>> {
    const check = async (fn: () => Promise<boolean>) => fn().catch(() => false);
    const out: Record<string, boolean> = {
      store: await check(async () => (await this.s.store.headPosition()) >= 0),
      read_store: await this.readStoreUp(),
    };
    if (this.runsApi) out['api'] = true;
    // A role on standby is up: it is ready to take over.
    const projector = this.s.workers.current<Projector>('projector');
    const rules = this.s.workers.current<RulesWorker>('rules');
    if (this.s.workers.has('projector'))
      out['projector'] = projector ? await check(async () => (await projector.status()) !== undefined) : true;
    if (this.s.workers.has('rules'))
      out['rules'] = rules ? await check(async () => (await rules.status()).state === 'ok') : true;
    if (this.s.kafka) out['kafka'] = await check(async () => (await this.s.kafka?.status())?.status === 'ok');
    return out;
  }

  /** The Prometheus text exposition. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
