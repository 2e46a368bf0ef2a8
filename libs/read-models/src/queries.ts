import type { Kysely } from 'kysely';
import type { ReadDb } from './read-db';
import type { Tables } from './read-model';
import type { DelmaalDoc, IndsatsDoc } from './indsats-doc';
import type { ObservationDoc } from './observationer.read-model';

/** Every query is scoped: a myndighed sees its own kommune, an udfører its own tilbud; nothing else exists for it. */
export type Scope =
  | { readonly party: 'myndighed'; readonly kommunekode: string }
  | { readonly party: 'udfoerer'; readonly tilbudId: string };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const scoped = (q: any, scope: Scope, prefix = '') =>
  scope.party === 'myndighed'
    ? q.where(`${prefix}kommunekode`, '=', scope.kommunekode)
    : q.where(`${prefix}tilbud_id`, '=', scope.tilbudId);

export interface Side {
  readonly limit?: number;
  readonly offset?: number;
}
const MAX = 500;
const page = <Q extends { limit: (n: number) => Q; offset: (n: number) => Q }>(q: Q, side: Side = {}) =>
  q.limit(Math.min(side.limit ?? 100, MAX)).offset(side.offset ?? 0);

export interface BestillingOversigt {
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly kommunekode: string;
  readonly tilbudId: string;
  readonly fase: string;
  readonly afventer: string | null;
  readonly naesteOpfoelgningsdato: string | null;
  readonly afgivet: string;
}

const oversigt = (r: Record<string, unknown>): BestillingOversigt => ({
  bestillingId: r['id'] as string,
  borgerId: r['borger_id'] as string,
  kommunekode: r['kommunekode'] as string,
  tilbudId: r['tilbud_id'] as string,
  fase: r['fase'] as string,
  afventer: (r['afventer'] as string | null) ?? null,
  naesteOpfoelgningsdato: (r['naeste_opfoelgningsdato'] as string | null) ?? null,
  afgivet: r['afgivet'] as string,
});

/** Bestillinger of the caller, newest first; filter by fase and (udfører) what awaits it. */
export async function bestillinger(
  db: Db,
  t: Tables<'indsats'>,
  scope: Scope,
  filter: { fase?: string; afventer?: 'kvittering' | 'accept' } & Side = {},
): Promise<BestillingOversigt[]> {
  let q = scoped(
    db
      .selectFrom(t.indsats)
      .select([
        'id',
        'borger_id',
        'kommunekode',
        'tilbud_id',
        'fase',
        'afventer',
        'naeste_opfoelgningsdato',
        'afgivet',
      ]),
    scope,
  );
  if (filter.fase) q = q.where('fase', '=', filter.fase);
  if (filter.afventer) q = q.where('afventer', '=', filter.afventer);
  return ((await page(q.orderBy('afgivet', 'desc').orderBy('id'), filter).execute()) as Record<string, unknown>[]).map(
    oversigt,
  );
}

/** One indsats with its indsatsmål, delmål (with gul/rød against `idag`), latest evaluering and status; undefined when not the caller's. */
export async function indsats(
  db: Db,
  t: Tables<'indsats'>,
  scope: Scope,
  bestillingId: string,
  idag: string,
): Promise<(IndsatsDoc & { delmaal: (DelmaalDoc & { markering: Markering })[] }) | undefined> {
  const row = (await scoped(
    db.selectFrom(t.indsats).select('doc').where('id', '=', bestillingId),
    scope,
  ).executeTakeFirst()) as { doc: string } | undefined;
  if (!row) return undefined;
  const doc = JSON.parse(row.doc) as IndsatsDoc;
  return { ...doc, delmaal: doc.delmaal.map((d) => ({ ...d, markering: markering(d, idag) })) };
}

/** Bosted's yellow and red (reference.md R-41): an active delmål past its evalueringsdato, or past its slutdato. */
export type Markering = 'roed' | 'gul' | null;
export function markering(d: DelmaalDoc, idag: string): Markering {
  if (d.fase !== 'aktiv') return null;
  if (d.slutdato < idag) return 'roed';
  const evalueretSiden =
    d.senesteEvaluering !== null && d.evalueringsdato !== null && d.senesteEvaluering.dato >= d.evalueringsdato;
  return d.evalueringsdato !== null && d.evalueringsdato < idag && !evalueretSiden ? 'gul' : null;
}

/** The udfører's running indsatser, each with its delmål marked gul or rød. */
export async function aktiveIndsatser(db: Db, t: Tables<'indsats'>, scope: Scope, idag: string, side: Side = {}) {
  const rows = (await page(
    scoped(db.selectFrom(t.indsats).select('doc').where('fase', '=', 'accepteret'), scope)
      .orderBy('naeste_opfoelgningsdato')
      .orderBy('id'),
    side,
  ).execute()) as { doc: string }[];
  return rows.map((r) => {
    const doc = JSON.parse(r.doc) as IndsatsDoc;
    return { ...doc, delmaal: doc.delmaal.map((d) => ({ ...d, markering: markering(d, idag) })) };
  });
}

export interface Frist {
  readonly bestillingId: string;
  readonly hvad: 'opfoelgning' | 'evaluering' | 'delmaal_slut';
  readonly dato: string;
  readonly indsatsmaalId?: string;
  readonly delmaalId?: string;
  readonly forfalden: boolean;
}

/**
 * Opfølgninger due up to `til` (and those already overdue) for the myndighed; for the udfører also what falls due
 * before each indsats' next opfølgningsdato (delmål evalueringer and slutdatoer), so the status can be made in time.
 */
export async function frister(db: Db, t: Tables<'indsats'>, scope: Scope, idag: string, til: string): Promise<Frist[]> {
  const rows = (await scoped(
    db.selectFrom(t.indsats).select('doc').where('fase', '=', 'accepteret').where('naeste_opfoelgningsdato', '<=', til),
    scope,
  ).execute()) as { doc: string }[];
  const out: Frist[] = [];
  for (const r of rows) {
    const doc = JSON.parse(r.doc) as IndsatsDoc;
    for (const m of doc.indsatsmaal.filter((x) => x.aktiv && x.opfoelgningsdato <= til)) {
      out.push({
        bestillingId: doc.bestillingId,
        hvad: 'opfoelgning',
        dato: m.opfoelgningsdato,
        indsatsmaalId: m.indsatsmaalId,
        forfalden: m.opfoelgningsdato < idag,
      });
      if (scope.party !== 'udfoerer') continue;
      for (const d of doc.delmaal.filter((x) => x.fase === 'aktiv' && x.indsatsmaalId === m.indsatsmaalId)) {
        if (d.evalueringsdato && d.evalueringsdato <= m.opfoelgningsdato)
          out.push({
            bestillingId: doc.bestillingId,
            hvad: 'evaluering',
            dato: d.evalueringsdato,
            delmaalId: d.delmaalId,
            forfalden: d.evalueringsdato < idag,
          });
        if (d.slutdato <= m.opfoelgningsdato)
          out.push({
            bestillingId: doc.bestillingId,
            hvad: 'delmaal_slut',
            dato: d.slutdato,
            delmaalId: d.delmaalId,
            forfalden: d.slutdato < idag,
          });
      }
    }
  }
  return out.sort((a, b) => a.dato.localeCompare(b.dato) || a.bestillingId.localeCompare(b.bestillingId));
}

/** The myndighed's tilbagemelding inbox: open (not yet kvitteret) or kvitteret. */
export async function tilbagemeldinger(
  db: Db,
  t: Tables<'tilbagemelding'>,
  scope: Scope,
  status: 'aaben' | 'kvitteret' | 'alle' = 'alle',
  side: Side = {},
) {
  let q = scoped(
    db.selectFrom(t.tilbagemelding).select(['id', 'bestilling_id', 'trigger', 'sendt', 'kvitteret', 'doc']),
    scope,
  );
  if (status === 'aaben') q = q.where('kvitteret', 'is', null);
  if (status === 'kvitteret') q = q.where('kvitteret', 'is not', null);
  const rows = (await page(q.orderBy('sendt', 'desc').orderBy('id'), side).execute()) as {
    bestilling_id: string;
    doc: string;
  }[];
  return rows.map((r) => ({ bestillingId: r.bestilling_id, ...(JSON.parse(r.doc) as object) }));
}

/** For operations: tilbagemeldinger the myndighed has not kvitteret yet, in all kommuner (a count, nothing else). */
export async function taelAabneTilbagemeldinger(db: Db, t: Tables<'tilbagemelding'>): Promise<number> {
  const row = (await db
    .selectFrom(t.tilbagemelding)
    .select((eb) => eb.fn.countAll().as('n'))
    .where('kvitteret', 'is', null)
    .executeTakeFirst()) as { n: number | string | bigint } | undefined;
  return Number(row?.n ?? 0);
}

export interface ObservationFilter extends Side {
  readonly kategori?: string;
  readonly overtema?: string;
  readonly undertema?: string;
  readonly fra?: string;
  readonly til?: string;
  readonly borgerId?: string;
  readonly tilbudId?: string;
  readonly type?: 'vum' | 'delmaal';
  /** Only observations with a tag no active indsatsmål covered ("andre relevante indsatsområder"). */
  readonly udenForIndsatsmaal?: boolean;
}

/** Observations searched by VUM kategori, overtema or undertema, period, borger and tilbud, within the caller's scope. */
export async function soegObservationer(db: Db, t: Tables<'observation' | 'tag'>, scope: Scope, f: ObservationFilter) {
  const tagFilter = f.undertema
    ? ['undertema', f.undertema]
    : f.overtema
      ? ['overtema', f.overtema]
      : f.kategori
        ? ['kategori', f.kategori]
        : undefined;
  const columns = [
    'id',
    'type',
    'bestilling_id',
    'delmaal_id',
    'borger_id',
    'tilbud_id',
    'observeret',
    'uden_for_maal',
    'doc',
  ];
  // With a tema the search is driven by the tag index (tema, scope, time), joined to the observations it names;
  // an IN-subquery over all observations was ~0.3 s at a million events on PostgreSQL.
  let q = tagFilter
    ? scoped(
        db
          .selectFrom(`${t.tag} as tg`)
          .innerJoin(`${t.observation} as o`, 'o.id', 'tg.observation_id')
          .select(columns.map((c) => `o.${c}`))
          .distinct()
          .where(`tg.${tagFilter[0]}`, '=', tagFilter[1]),
        scope,
        'tg.',
      )
    : scoped(db.selectFrom(`${t.observation} as o`).select(columns.map((c) => `o.${c}`)), scope, 'o.');
  // "Outside the indsatsmål" with a tema means this tema was the uncovered one.
  if (tagFilter && f.udenForIndsatsmaal) q = q.where('tg.daekket', '=', 0);
  if (f.fra) q = q.where('o.observeret', '>=', f.fra);
  if (f.til) q = q.where('o.observeret', '<=', `${f.til}\uffff`);
  if (f.borgerId) q = q.where('o.borger_id', '=', f.borgerId);
  if (f.tilbudId) q = q.where('o.tilbud_id', '=', f.tilbudId);
  if (f.type) q = q.where('o.type', '=', f.type);
  if (f.udenForIndsatsmaal) q = q.where('o.uden_for_maal', '=', 1);
  const rows = (await page(q.orderBy('o.observeret', 'desc').orderBy('o.id'), f).execute()) as Record<
    string,
    unknown
  >[];
  return rows.map((r) => ({
    observationId: r['id'] as string,
    bestillingId: r['bestilling_id'] as string,
    delmaalId: (r['delmaal_id'] as string | null) ?? null,
    borgerId: r['borger_id'] as string,
    tilbudId: r['tilbud_id'] as string,
    observeret: r['observeret'] as string,
    udenForIndsatsmaal: Number(r['uden_for_maal']) === 1,
    ...(JSON.parse(r['doc'] as string) as ObservationDoc),
  }));
}

export type { ReadDb };
