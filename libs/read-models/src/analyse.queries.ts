import type { Kysely } from 'kysely';
import type { Tables } from './read-model';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

/**
 * Analyst queries (reference.md §6.5) on the pseudonymised analyse read model, for one kommune. Groups smaller than
 * `minGruppe` are suppressed (R-48: "De sikreste resultater får I, når I opgør målinger for en målgruppe af en vis
 * størrelse"; anonymised at management level): their counts come back as null with `undertrykt: true`.
 */
export interface AnalyseOptions {
  readonly kommunekode: string;
  readonly minGruppe: number;
}

type Rows = Record<string, unknown>[];
const num = (x: unknown): number => Number(x);

function undertryk<T extends { n: number | null }>(grupper: T[], minGruppe: number): (T & { undertrykt: boolean })[] {
  return grupper.map((g) =>
    g.n !== null && g.n < minGruppe
      ? {
          ...g,
          ...Object.fromEntries(
            Object.keys(g)
              .filter((k) => typeof g[k as keyof T] === 'number')
              .map((k) => [k, null]),
          ),
          undertrykt: true,
        }
      : { ...g, undertrykt: false },
  );
}

/** Q-A3: målopfyldelse per undertema (or per tilbud) for followed-up indsatsmål: counts and shares per category. */
export async function maalopfyldelse(
  db: Db,
  t: Tables<'indsatsmaal'>,
  o: AnalyseOptions,
  gruppering: 'undertema' | 'tilbud_id' = 'undertema',
) {
  const rows = (await db
    .selectFrom(t.indsatsmaal)
    .select([gruppering, 'maalopfyldelse'])
    .select((eb) => eb.fn.countAll().as('antal'))
    .where('kommunekode', '=', o.kommunekode)
    .where('maalopfyldelse', '!=', 'ikke_fulgt_op')
    .groupBy([gruppering, 'maalopfyldelse'])
    .execute()) as Rows;
  const grupper = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const key = r[gruppering] as string;
    grupper.set(key, { ...(grupper.get(key) ?? {}), [r['maalopfyldelse'] as string]: num(r['antal']) });
  }
  return undertryk(
    [...grupper.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([gruppe, fordeling]) => ({ gruppe, n: Object.values(fordeling).reduce((a, b) => a + b, 0), fordeling })),
    o.minGruppe,
  ).map((g) => (g.undertrykt ? { ...g, fordeling: null } : g));
}

/** Q-A5: the outcome of opfølgning (latest status på indsats) per tilbudstype, and the share "afslutning og visitation til ny". */
export async function opfoelgningsudfald(db: Db, t: Tables<'indsatsmaal'>, o: AnalyseOptions) {
  // One row per bestilling: its latest status på indsats is the same on each of its indsatsmål rows.
  const rows = (await db
    .selectFrom(t.indsatsmaal)
    .select(['bestilling_id', 'tilbudstype', 'seneste_status', 'accepteret', 'afsluttet'])
    .where('kommunekode', '=', o.kommunekode)
    .where('seneste_status', 'is not', null)
    .groupBy(['bestilling_id', 'tilbudstype', 'seneste_status', 'accepteret', 'afsluttet'])
    .execute()) as Rows;
  const grupper = new Map<string, { n: number; fordeling: Record<string, number>; dage: number[] }>();
  for (const r of rows) {
    const g = grupper.get(r['tilbudstype'] as string) ?? { n: 0, fordeling: {}, dage: [] };
    g.n += 1;
    const status = r['seneste_status'] as string;
    g.fordeling[status] = (g.fordeling[status] ?? 0) + 1;
    if (r['accepteret'] && r['afsluttet'])
      g.dage.push((Date.parse(r['afsluttet'] as string) - Date.parse(r['accepteret'] as string)) / 86_400_000);
    grupper.set(r['tilbudstype'] as string, g);
  }
  return undertryk(
    [...grupper.entries()].map(([tilbudstype, g]) => ({
      tilbudstype,
      n: g.n,
      fordeling: g.fordeling,
      andelVisitationTilNy: (g.fordeling['afslutningOgVisitationTilNy'] ?? 0) / g.n,
      medianDageTilAfslutning: median(g.dage),
    })),
    o.minGruppe,
  ).map((g) => (g.undertrykt ? { ...g, fordeling: null, andelVisitationTilNy: null } : g));
}

/** Q-A10: VUM-observationer on undertemaer no active indsatsmål covered, per tilbud and undertema. */
export async function nyeBehov(db: Db, t: Tables<'tag'>, o: AnalyseOptions) {
  const rows = (await db
    .selectFrom(t.tag)
    .select(['tilbud_id', 'undertema'])
    .select((eb) => eb.fn.countAll().as('antal'))
    .where('kommunekode', '=', o.kommunekode)
    .where('type', '=', 'vum')
    .where('daekket', '=', 0)
    .groupBy(['tilbud_id', 'undertema'])
    .orderBy('tilbud_id')
    .orderBy('undertema')
    .execute()) as Rows;
  return undertryk(
    rows.map((r) => ({ tilbudId: r['tilbud_id'] as string, undertema: r['undertema'] as string, n: num(r['antal']) })),
    o.minGruppe,
  );
}

/** Q-A11: tilbagemeldinger per trigger and tilbud (and måltype), with the median hours until the myndighed kvitterede. */
export async function tilbagemeldingsanalyse(db: Db, t: Tables<'tilbagemelding'>, o: AnalyseOptions) {
  const rows = (await db
    .selectFrom(t.tilbagemelding)
    .select(['trigger', 'tilbud_id', 'maaltype', 'timer_til_kvittering'])
    .where('kommunekode', '=', o.kommunekode)
    .execute()) as Rows;
  const grupper = new Map<
    string,
    { trigger: string; tilbudId: string; maaltype: string | null; n: number; timer: number[]; ukvitteret: number }
  >();
  for (const r of rows) {
    const key = `${r['trigger']}|${r['tilbud_id']}|${r['maaltype']}`;
    const g = grupper.get(key) ?? {
      trigger: r['trigger'] as string,
      tilbudId: r['tilbud_id'] as string,
      maaltype: (r['maaltype'] as string | null) ?? null,
      n: 0,
      timer: [],
      ukvitteret: 0,
    };
    g.n += 1;
    if (r['timer_til_kvittering'] === null) g.ukvitteret += 1;
    else g.timer.push(num(r['timer_til_kvittering']));
    grupper.set(key, g);
  }
  return undertryk(
    [...grupper.values()].map(({ timer, ...g }) => ({ ...g, medianTimerTilKvittering: median(timer) })),
    o.minGruppe,
  );
}

/** Q-A12: documentation fidelity per tilbud: share of indsatsmål with a delmål, with delmålsobservationer, and with a status before the opfølgningsdato. */
export async function dokumentation(db: Db, t: Tables<'indsatsmaal'>, o: AnalyseOptions) {
  const rows = (await db
    .selectFrom(t.indsatsmaal)
    .select(['tilbud_id', 'antal_delmaal', 'antal_delmaalsobservationer', 'status_foer_opfoelgningsdato'])
    .where('kommunekode', '=', o.kommunekode)
    .where('aktiv', '=', 1)
    .execute()) as Rows;
  const grupper = new Map<
    string,
    { n: number; medDelmaal: number; medObservationer: number; statusIRette: number; statusVurderet: number }
  >();
  for (const r of rows) {
    const g = grupper.get(r['tilbud_id'] as string) ?? {
      n: 0,
      medDelmaal: 0,
      medObservationer: 0,
      statusIRette: 0,
      statusVurderet: 0,
    };
    g.n += 1;
    if (num(r['antal_delmaal']) > 0) g.medDelmaal += 1;
    if (num(r['antal_delmaalsobservationer']) > 0) g.medObservationer += 1;
    if (r['status_foer_opfoelgningsdato'] !== null) {
      g.statusVurderet += 1;
      if (num(r['status_foer_opfoelgningsdato']) === 1) g.statusIRette += 1;
    }
    grupper.set(r['tilbud_id'] as string, g);
  }
  return undertryk(
    [...grupper.entries()].map(([tilbudId, g]) => ({
      tilbudId,
      n: g.n,
      andelMedDelmaal: g.medDelmaal / g.n,
      andelMedDelmaalsobservationer: g.medObservationer / g.n,
      andelStatusFoerOpfoelgningsdato: g.statusVurderet === 0 ? null : g.statusIRette / g.statusVurderet,
    })),
    o.minGruppe,
  );
}

/** The pseudonymised outcome data set, one row per indsatsmål, streamed in pages (for CSV and NDJSON export). */
export async function* udtraek(
  db: Db,
  t: Tables<'indsatsmaal'>,
  kommunekode: string,
  pageSize = 1000,
): AsyncGenerator<Record<string, unknown>> {
  for (let offset = 0; ; offset += pageSize) {
    const rows = (await db
      .selectFrom(t.indsatsmaal)
      .selectAll()
      .where('kommunekode', '=', kommunekode)
      .orderBy('id')
      .limit(pageSize)
      .offset(offset)
      .execute()) as Rows;
    for (const r of rows) {
      const { doc, bestilling_id: _b, ...rest } = r;
      yield { ...rest, ...(JSON.parse(doc as string) as object) };
    }
    if (rows.length < pageSize) return;
  }
}

/** The columns of `udtraek` rows as CSV, with nested values as JSON. */
export function csvLinje(values: readonly unknown[]): string {
  return values
    .map((v) => {
      const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
