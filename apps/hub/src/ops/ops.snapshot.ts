import { pligtQueries, type pligtQueries as P } from '@hub/read-models';
import type { DeadLetterNote } from '@hub/relay';
import type { KafkaRuntime } from '../kafka/kafka.providers';
import type { ReadSide } from '../read-models/read-side';
import type { OpsMetrics } from './metrics';

type MetricJson = Awaited<ReturnType<OpsMetrics['registry']['getMetricsAsJSON']>>[number];

export interface OpsPunkt {
  readonly t: number;
  readonly head: number;
  readonly kommandoer: number;
  readonly projektionLagSek: number;
  readonly relayLag: number | null;
}

/** What /ops shows: ids, codes, counts and times only. */
export interface OpsSnapshot {
  readonly tid: string;
  readonly dele: Record<string, number>;
  readonly head: number | null;
  readonly kommandoer: { readonly ok: number; readonly afvist: number; readonly fejl: number; readonly sumSek: number };
  readonly projektioner: { readonly readModel: string; position: number; lag: number; lagSek: number }[];
  readonly relay: { readonly position?: number; lag?: number; lagSek?: number; sendt?: number } | null;
  readonly regler: { readonly lag?: number; afventer?: number; forfaldne?: number; affyringer: Record<string, number> };
  readonly aabne: { readonly tilbagemeldinger?: number; krav?: number; kravOverskredne?: number };
  readonly deadLetters: { readonly byCode: Record<string, number>; readonly latest: readonly DeadLetterNote[] } | null;
  readonly overskredneKrav: readonly P.OverskredetKrav[];
  readonly fagsystemer: { readonly party: string; id: string; kanal: string; sidst: number }[];
  readonly historik: readonly OpsPunkt[];
}

const values = (m: MetricJson | undefined) =>
  (m?.values ?? []) as { labels: Record<string, string>; value: number; metricName?: string }[];

/** Builds the page's figures from the same registry /metrics serves, plus the lists only the page shows. */
export async function opsSnapshot(
  metrics: OpsMetrics,
  readSide: ReadSide,
  kafka: KafkaRuntime | undefined,
  historik: readonly OpsPunkt[],
): Promise<OpsSnapshot> {
  const json = await metrics.registry.getMetricsAsJSON();
  const by = new Map(json.map((m) => [m.name, m]));
  const single = (name: string) => values(by.get(name))[0]?.value;
  const perLabel = (name: string, label: string) =>
    Object.fromEntries(values(by.get(name)).map((v) => [v.labels[label] as string, v.value]));
  const kommandoer = { ok: 0, afvist: 0, fejl: 0, sumSek: 0 };
  for (const v of values(by.get('ffb_hub_command_duration_seconds'))) {
    if (v.metricName === 'ffb_hub_command_duration_seconds_count') {
      const o = v.labels['outcome'] as 'ok' | 'afvist' | 'fejl';
      if (o in kommandoer) kommandoer[o] += v.value;
    } else if (v.metricName === 'ffb_hub_command_duration_seconds_sum') kommandoer.sumSek += v.value;
  }
  const pos = perLabel('ffb_hub_projection_position', 'read_model');
  const lag = perLabel('ffb_hub_projection_lag_events', 'read_model');
  const lagSek = perLabel('ffb_hub_projection_lag_seconds', 'read_model');
  const relayPos = single('ffb_hub_relay_position');
  let overskredneKrav: readonly P.OverskredetKrav[] = [];
  try {
    const tk = await readSide.tables(readSide.models.tilbagemeldingspligt);
    overskredneKrav = await pligtQueries.overskredneKrav(readSide.db, tk, readSide.idag(), 20);
  } catch {
    // the read model is not built yet: the list stays empty, ffb_hub_up tells the rest
  }
  const dl = kafka?.deadLetters();
  return {
    tid: new Date().toISOString(),
    dele: perLabel('ffb_hub_up', 'part'),
    head: single('ffb_hub_log_head_position') ?? null,
    kommandoer,
    projektioner: Object.keys(pos).map((readModel) => ({
      readModel,
      position: pos[readModel] ?? 0,
      lag: lag[readModel] ?? 0,
      lagSek: lagSek[readModel] ?? 0,
    })),
    relay:
      relayPos === undefined
        ? null
        : {
            position: relayPos,
            lag: single('ffb_hub_relay_lag_events'),
            lagSek: single('ffb_hub_relay_lag_seconds'),
            sendt: single('ffb_hub_relay_records_sent_total'),
          },
    regler: {
      lag: single('ffb_hub_rules_lag_events'),
      afventer: single('ffb_hub_frister_afventer'),
      forfaldne: single('ffb_hub_frister_forfaldne'),
      affyringer: perLabel('ffb_hub_rule_firings_total', 'regel'),
    },
    aabne: {
      tilbagemeldinger: single('ffb_hub_tilbagemeldinger_aabne'),
      krav: single('ffb_hub_tilbagemeldingskrav_aabne'),
      kravOverskredne: single('ffb_hub_tilbagemeldingskrav_overskredne'),
    },
    deadLetters: dl ? { byCode: { ...dl.byCode }, latest: dl.latest } : null,
    overskredneKrav,
    fagsystemer: values(by.get('ffb_hub_fagsystem_last_seen_seconds')).map((v) => ({
      party: v.labels['party'] as string,
      id: v.labels['id'] as string,
      kanal: v.labels['kanal'] as string,
      sidst: v.value,
    })),
    historik,
  };
}

/** The point of the sparklines a snapshot adds. */
export function punkt(s: OpsSnapshot): OpsPunkt {
  return {
    t: Date.parse(s.tid),
    head: s.head ?? 0,
    kommandoer: s.kommandoer.ok + s.kommandoer.afvist + s.kommandoer.fejl,
    projektionLagSek: Math.max(0, ...s.projektioner.map((p) => p.lagSek)),
    relayLag: s.relay?.lag ?? null,
  };
}
