import type { BestillingEvent } from './bestilling/bestilling.events';
import type { DelmaalEvent } from './delmaal/delmaal.events';

/**
 * The fields of each event that hold free text written by a person: text that may identify the borger or describe
 * their health and social situation. The hub encrypts them under the borger's key before they reach the log
 * (design.md §3), so erasing the borger makes them unreadable everywhere. Paths: `a.b` for a nested field, `a[].b`
 * for a field of every element of an array. Codes, ids, dates, numbers and the hub's own texts are not listed.
 * test/e2e/sletning.e2e.spec.ts writes a marker into each of these fields through the API and fails when one reaches
 * the hub's files in clear: a new free-text field needs a path here and a marker there.
 */
export const FRITEKST_FELTER = {
  BestillingAfgivet: [
    'borgerensOensker',
    'indsatsformaal',
    'indsatsmaal[].maalformulering',
    'indsatsmaal[].ansvarligForOpfoelgning',
  ],
  BestillingAendret: [
    'begrundelse',
    'indsatsformaal',
    'tilfoejedeIndsatsmaal[].maalformulering',
    'tilfoejedeIndsatsmaal[].ansvarligForOpfoelgning',
    'aendredeIndsatsmaal[].maalformulering',
    'aendredeIndsatsmaal[].ansvarligForOpfoelgning',
  ],
  BestillingAnnulleret: ['begrundelse'],
  BestillingKvitteret: [],
  BestillingAccepteret: [],
  BestillingAfvist: ['begrundelse'],
  VumObservationRegistreret: ['tekst'],
  StatusSendt: ['indsatsmaal[].statustekst'],
  TilbagemeldingSendt: ['tekst'],
  TilbagemeldingKvitteret: ['bemaerkning'],
  OpfoelgningGennemfoert: ['borgerensVurdering', 'udfoerersVurdering', 'sagsbehandlersVurdering'],
  IndsatsAfsluttet: ['begrundelse'],
  DelmaalOprettet: [
    'navn',
    'ansvarlig',
    'delmaalsplan.formaal',
    'delmaalsplan.borgerensMotivation',
    'delmaalsplan.ressourcerOgUdfordringer',
    'delmaalsplan.borgerensIndsats',
    'delmaalsplan.medarbejdernesIndsatsOgMetode',
  ],
  DelmaalsobservationRegistreret: ['observation', 'refleksion'],
  DelmaalEvalueret: [
    'hvordanGaarDet',
    'virkningForBorgeren',
    'borgerensOplevelse',
    'refleksionerOverMetoder',
    'konklusion',
  ],
  DelmaalAfsluttet: ['konklusion'],
} as const satisfies Record<BestillingEvent['type'] | DelmaalEvent['type'], readonly string[]>;

export type FritekstFelter = Readonly<Record<string, readonly string[]>>;

/**
 * Applies `f` to every string at the given paths of `data`, returning a copy (the input is not changed). Null,
 * absent and non-string values stay as they are.
 */
export async function medFritekst(
  data: unknown,
  paths: readonly string[],
  f: (text: string) => Promise<string> | string,
): Promise<unknown> {
  let result = data;
  for (const path of paths) result = await apply(result, path.split('.'), f);
  return result;
}

async function apply(
  value: unknown,
  segments: readonly string[],
  f: (text: string) => Promise<string> | string,
): Promise<unknown> {
  if (segments.length === 0) return typeof value === 'string' ? f(value) : value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const [head, ...rest] = segments as [string, ...string[]];
  const array = head.endsWith('[]');
  const key = array ? head.slice(0, -2) : head;
  const record = value as Record<string, unknown>;
  if (!(key in record)) return value;
  const inner = record[key];
  const next = array
    ? Array.isArray(inner)
      ? await Promise.all(inner.map((element) => apply(element, rest, f)))
      : inner
    : await apply(inner, rest, f);
  return { ...record, [key]: next };
}
