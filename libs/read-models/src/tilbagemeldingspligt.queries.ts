import { KRAV_TRIGGERE, type KravNiveau } from '@hub/domain';
import type { Kysely } from 'kysely';
import type { Tables } from './read-model';
import type { Scope, Side } from './queries';
import type { KravDoc } from './tilbagemeldingspligt.read-model';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;
type Rows = Record<string, unknown>[];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const scoped = (q: any, scope: Scope) =>
  scope.party === 'myndighed'
    ? q.where('kommunekode', '=', scope.kommunekode)
    : q.where('tilbud_id', '=', scope.tilbudId);

const MAX = 500;
const page = <Q extends { limit: (n: number) => Q; offset: (n: number) => Q }>(q: Q, side: Side = {}) =>
  q.limit(Math.min(side.limit ?? 100, MAX)).offset(side.offset ?? 0);

/** Neither met nor lapsed. */
export const aabent = (k: { opfyldt: string | null; bortfaldet: string | null }): boolean =>
  k.opfyldt === null && k.bortfaldet === null;

/** An open krav (neither met nor lapsed) whose frist lies before today. `idag` is the caller's clock, never read here. */
export const overskredet = (
  k: { opfyldt: string | null; bortfaldet: string | null; frist: string },
  idag: string,
): boolean => aabent(k) && k.frist < idag;

/** Whether a met krav was met by its frist (the date of the tilbagemelding, UTC, as everywhere in the hub). */
export const opfyldtIndenFrist = (k: { opfyldt: string | null; frist: string }): boolean =>
  k.opfyldt !== null && k.opfyldt.slice(0, 10) <= k.frist;

export type KravListe = KravDoc & { readonly overskredet: boolean };

/** For operations: open krav and those of them past their frist, in all kommuner and tilbud (counts only). */
export async function taelKrav(
  db: Db,
  t: Tables<'krav'>,
  idag: string,
): Promise<{ aabne: number; overskredne: number }> {
  const aabne = db.selectFrom(t.krav).where('opfyldt', 'is', null).where('bortfaldet', 'is', null);
  const [a, o] = (await Promise.all([
    aabne.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
    aabne
      .where('frist', '<', idag)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst(),
  ])) as ({ n: number | string | bigint } | undefined)[];
  return { aabne: Number(a?.n ?? 0), overskredne: Number(o?.n ?? 0) };
}

/**
 * One overdue krav as operations see it: where (kommune, tilbud), what (trigger, niveau) and when. No krav or
 * bestilling id: the ops page is public on the internal network, and a case id tells who has an overdue duty on
 * which borger's case; the parties find their own in their own lists.
 */
export interface OverskredetKrav {
  readonly kommunekode: string;
  readonly tilbudId: string;
  readonly trigger: string;
  readonly niveau: string;
  readonly kraevet: string;
  readonly frist: string;
}

/** For operations: the open krav past their frist, the longest overdue first. */
export async function overskredneKrav(db: Db, t: Tables<'krav'>, idag: string, limit = 20): Promise<OverskredetKrav[]> {
  const rows = (await db
    .selectFrom(t.krav)
    .select(['kommunekode', 'tilbud_id', 'trigger', 'niveau', 'kraevet', 'frist'])
    .where('opfyldt', 'is', null)
    .where('bortfaldet', 'is', null)
    .where('frist', '<', idag)
    .orderBy('frist')
    .orderBy('id')
    .limit(Math.min(limit, MAX))
    .execute()) as Record<string, string>[];
  return rows.map((r) => ({
    kommunekode: r['kommunekode'] as string,
    tilbudId: r['tilbud_id'] as string,
    trigger: r['trigger'] as string,
    niveau: r['niveau'] as string,
    kraevet: r['kraevet'] as string,
    frist: r['frist'] as string,
  }));
}

export const KRAV_STATUSSER = ['aaben', 'opfyldt', 'bortfaldet', 'alle'] as const;
export type KravStatus = (typeof KRAV_STATUSSER)[number];

/**
 * The caller's tilbagemeldingskrav: open ones (neither met nor lapsed) by frist, the most urgent first; met ones and
 * lapsed ones newest first; all of them newest krav first.
 */
export async function tilbagemeldingskrav(
  db: Db,
  t: Tables<'krav'>,
  scope: Scope,
  idag: string,
  filter: { status?: KravStatus } & Side = {},
): Promise<KravListe[]> {
  let q = scoped(db.selectFrom(t.krav).select(['doc']), scope);
  if (filter.status === 'aaben')
    q = q.where('opfyldt', 'is', null).where('bortfaldet', 'is', null).orderBy('frist').orderBy('kraevet');
  else if (filter.status === 'opfyldt') q = q.where('opfyldt', 'is not', null).orderBy('opfyldt', 'desc');
  else if (filter.status === 'bortfaldet') q = q.where('bortfaldet', 'is not', null).orderBy('bortfaldet', 'desc');
  else q = q.orderBy('kraevet', 'desc');
  const rows = (await page(q.orderBy('id'), filter).execute()) as { doc: string }[];
  return rows.map((r) => {
    const k = JSON.parse(r.doc) as KravDoc;
    return { ...k, overskredet: overskredet(k, idag) };
  });
}

export interface PaamindelseListe {
  readonly paamindelseId: string;
  readonly bestillingId: string;
  readonly kommunekode: string;
  readonly tilbudId: string;
  readonly modtager: string;
  readonly art: string;
  readonly alvor: string;
  readonly sendt: string;
  readonly forfald: string;
  readonly afsluttet: string | null;
}

/**
 * The påmindelser sent to the caller's party (a myndighed never sees those addressed to the udfører, nor the other way
 * round), of its own kommune or tilbud: open ones by forfald, afsluttede newest first.
 */
export async function paamindelser(
  db: Db,
  t: Tables<'paamindelse'>,
  scope: Scope,
  filter: { status?: 'aaben' | 'afsluttet' | 'alle' } & Side = {},
): Promise<PaamindelseListe[]> {
  let q = scoped(
    db
      .selectFrom(t.paamindelse)
      .select([
        'id',
        'bestilling_id',
        'kommunekode',
        'tilbud_id',
        'modtager',
        'art',
        'alvor',
        'sendt',
        'forfald',
        'afsluttet',
        'doc',
      ])
      .where('modtager', '=', scope.party),
    scope,
  );
  if (filter.status === 'aaben') q = q.where('afsluttet', 'is', null).orderBy('forfald');
  else if (filter.status === 'afsluttet') q = q.where('afsluttet', 'is not', null).orderBy('afsluttet', 'desc');
  else q = q.orderBy('sendt', 'desc');
  const rows = (await page(q.orderBy('id'), filter).execute()) as Rows;
  return rows.map((r) => ({
    paamindelseId: r['id'] as string,
    bestillingId: r['bestilling_id'] as string,
    kommunekode: r['kommunekode'] as string,
    tilbudId: r['tilbud_id'] as string,
    modtager: r['modtager'] as string,
    art: r['art'] as string,
    alvor: r['alvor'] as string,
    sendt: r['sendt'] as string,
    forfald: r['forfald'] as string,
    afsluttet: (r['afsluttet'] as string | null) ?? null,
    ...(JSON.parse(r['doc'] as string) as object),
  }));
}

/** Compliance figures of a set of krav (Q-A11's duty side). */
export interface Overholdelse {
  /** Krav recorded in the period. */
  readonly kraevet: number;
  /** Of those, met (by now). */
  readonly opfyldt: number;
  /** Of those met, by their frist. */
  readonly opfyldtIndenFrist: number;
  /** Lapsed unmet (the indsats or indsatsmål ended, or a recommendation ran out): neither open nor met. */
  readonly bortfaldne: number;
  /** Still open: neither met nor lapsed. */
  readonly aabne: number;
  /** Open with the frist before today. */
  readonly overskredne: number;
  /** Met, and the myndighed kvitterede the tilbagemelding that met it. */
  readonly kvitteret: number;
  /** Median days from kraevet to opfyldt over the met ones; null when none is met. */
  readonly medianDageTilOpfyldt: number | null;
}

export interface OverholdelseFilter {
  /** Krav recorded on or after this date. */
  readonly fra?: string;
  /** Krav recorded on or before this date. */
  readonly til?: string;
  readonly niveau?: KravNiveau;
}

export interface OverholdelseRapport {
  readonly fra: string | null;
  readonly til: string | null;
  /** The day open krav are measured against (overskredne). */
  readonly idag: string;
  readonly samlet: Overholdelse;
  readonly triggere: (Overholdelse & { readonly trigger: string })[];
  /** For the myndighed: the same per tilbud of its kommune (each with its triggers). */
  readonly tilbud?: (Overholdelse & {
    readonly tilbudId: string;
    readonly triggere: (Overholdelse & { readonly trigger: string })[];
  })[];
}

interface KravFakta {
  readonly trigger: string;
  readonly tilbudId: string;
  readonly kraevet: string;
  readonly frist: string;
  readonly opfyldt: string | null;
  readonly kvitteret: string | null;
  readonly bortfaldet: string | null;
}

/** The figures of a list of krav against `idag`. Pure: what the query and its tests compute the same way. */
export function overholdelseAf(krav: readonly KravFakta[], idag: string): Overholdelse {
  const opfyldte = krav.filter((k) => k.opfyldt !== null);
  return {
    kraevet: krav.length,
    opfyldt: opfyldte.length,
    opfyldtIndenFrist: opfyldte.filter(opfyldtIndenFrist).length,
    bortfaldne: krav.filter((k) => k.bortfaldet !== null).length,
    aabne: krav.filter(aabent).length,
    overskredne: krav.filter((k) => overskredet(k, idag)).length,
    kvitteret: opfyldte.filter((k) => k.kvitteret !== null).length,
    medianDageTilOpfyldt: median(
      opfyldte.map((k) => (Date.parse(k.opfyldt as string) - Date.parse(k.kraevet)) / 86_400_000),
    ),
  };
}

function perTrigger(krav: readonly KravFakta[], idag: string) {
  const triggere = [...new Set([...KRAV_TRIGGERE, ...krav.map((k) => k.trigger)])];
  return triggere.map((trigger) => ({
    trigger,
    ...overholdelseAf(
      krav.filter((k) => k.trigger === trigger),
      idag,
    ),
  }));
}

/**
 * Tilbagemeldingspligt compliance for the caller's kommune or tilbud (reference.md §6.5 Q-A11, the duty side): of the
 * krav recorded from `fra` to `til` (dates of `kraevet`, both inclusive, unbounded when absent), how many are met, met by
 * their frist, lapsed, open, overdue against `idag`, kvitteret, and the median days to meet them; in total, per trigger, and for
 * the myndighed per tilbud. A party sees its own krav one by one anyway, so no group is suppressed.
 */
export async function overholdelse(
  db: Db,
  t: Tables<'krav'>,
  scope: Scope,
  idag: string,
  filter: OverholdelseFilter = {},
): Promise<OverholdelseRapport> {
  let q = scoped(
    db.selectFrom(t.krav).select(['trigger', 'tilbud_id', 'kraevet', 'frist', 'opfyldt', 'kvitteret', 'bortfaldet']),
    scope,
  );
  if (filter.fra) q = q.where('kraevet', '>=', filter.fra);
  if (filter.til) q = q.where('kraevet', '<=', `${filter.til}\uffff`);
  if (filter.niveau) q = q.where('niveau', '=', filter.niveau);
  const krav = ((await q.execute()) as Rows).map((r): KravFakta => ({
    trigger: r['trigger'] as string,
    tilbudId: r['tilbud_id'] as string,
    kraevet: r['kraevet'] as string,
    frist: r['frist'] as string,
    opfyldt: (r['opfyldt'] as string | null) ?? null,
    kvitteret: (r['kvitteret'] as string | null) ?? null,
    bortfaldet: (r['bortfaldet'] as string | null) ?? null,
  }));
  const rapport = {
    fra: filter.fra ?? null,
    til: filter.til ?? null,
    idag,
    samlet: overholdelseAf(krav, idag),
    triggere: perTrigger(krav, idag),
  };
  if (scope.party !== 'myndighed') return rapport;
  const tilbud = [...new Set(krav.map((k) => k.tilbudId))].sort();
  return {
    ...rapport,
    tilbud: tilbud.map((tilbudId) => {
      const egne = krav.filter((k) => k.tilbudId === tilbudId);
      return { tilbudId, ...overholdelseAf(egne, idag), triggere: perTrigger(egne, idag) };
    }),
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
