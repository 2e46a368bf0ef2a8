/**
 * Configuration of the "Warn" rules of reference.md §5. The sources give no thresholds; the defaults are ours: every
 * Warn rule warns, R-22 (Høje-Taastrup's local 2–3 indsatsmål) is off until a kommune turns it on, and delmål scoring
 * is a tilbud's local decision, optional unless the tilbud requires it.
 */
export const ADVARSELSREGLER = ['R-08', 'R-16', 'R-18', 'R-22'] as const;
export type Advarselsregel = (typeof ADVARSELSREGLER)[number];

/** What a kommune decides: which Warn rules it enforces as rejections, and R-22's range. */
export interface KommuneRegler {
  readonly afvisAdvarsler: readonly Advarselsregel[];
  readonly antalIndsatsmaal?: { readonly min: number; readonly max: number };
}

/** What a tilbud decides: whether every delmålsobservation carries a 0–4 score (R-28, the Bosted model). */
export interface TilbudsRegler {
  readonly delmaalScore: 'valgfri' | 'paakraevet';
}

/** The rules in force for one bestilling: its kommune's and its tilbud's. */
export type Regelkonfiguration = KommuneRegler & TilbudsRegler;

export const STANDARD_REGLER: Regelkonfiguration = { afvisAdvarsler: [], delmaalScore: 'valgfri' };

/** The rules file (HUB_REGLER_FILE): `{ "kommuner": { "0101": {...} }, "tilbud": { "tilbud-4711": {...} } }`. */
export interface Regelfil {
  readonly kommuner: Readonly<Record<string, KommuneRegler>>;
  readonly tilbud: Readonly<Record<string, TilbudsRegler>>;
}

export const TOM_REGELFIL: Regelfil = { kommuner: {}, tilbud: {} };

export function reglerFor(
  fil: Regelfil,
  kommunekode: string | undefined,
  tilbudId: string | undefined,
): Regelkonfiguration {
  const kommune = (kommunekode !== undefined && fil.kommuner[kommunekode]) || STANDARD_REGLER;
  const tilbud = (tilbudId !== undefined && fil.tilbud[tilbudId]) || STANDARD_REGLER;
  return {
    afvisAdvarsler: kommune.afvisAdvarsler,
    ...(kommune.antalIndsatsmaal ? { antalIndsatsmaal: kommune.antalIndsatsmaal } : {}),
    delmaalScore: tilbud.delmaalScore,
  };
}

type Result<T> = { ok: true; value: T } | { ok: false; errors: string[] };
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function unknownKeys(raw: Record<string, unknown>, known: readonly string[], where: string, errors: string[]): void {
  for (const key of Object.keys(raw)) if (!known.includes(key)) errors.push(`${where}: unknown key "${key}"`);
}

function parseKommune(raw: unknown, where: string, errors: string[]): KommuneRegler {
  if (!isObject(raw)) {
    errors.push(`${where}: must be an object`);
    return STANDARD_REGLER;
  }
  unknownKeys(raw, ['afvisAdvarsler', 'antalIndsatsmaal'], where, errors);
  const afvis = raw['afvisAdvarsler'] ?? [];
  if (!Array.isArray(afvis) || afvis.some((r) => !(ADVARSELSREGLER as readonly unknown[]).includes(r))) {
    errors.push(`${where}.afvisAdvarsler: must be a list of ${ADVARSELSREGLER.join(', ')}`);
  }
  const antal = raw['antalIndsatsmaal'];
  if (antal !== undefined) {
    const a = isObject(antal) ? antal : {};
    const ok =
      Number.isInteger(a['min']) &&
      Number.isInteger(a['max']) &&
      (a['min'] as number) >= 1 &&
      (a['max'] as number) >= (a['min'] as number);
    if (!ok) errors.push(`${where}.antalIndsatsmaal: must be { "min": integer >= 1, "max": integer >= min }`);
  }
  return {
    afvisAdvarsler: (Array.isArray(afvis) ? afvis : []) as Advarselsregel[],
    ...(antal === undefined ? {} : { antalIndsatsmaal: antal as { min: number; max: number } }),
  };
}

function parseTilbud(raw: unknown, where: string, errors: string[]): TilbudsRegler {
  if (!isObject(raw)) {
    errors.push(`${where}: must be an object`);
    return STANDARD_REGLER;
  }
  unknownKeys(raw, ['delmaalScore'], where, errors);
  const score = raw['delmaalScore'] ?? 'valgfri';
  if (score !== 'valgfri' && score !== 'paakraevet')
    errors.push(`${where}.delmaalScore: must be "valgfri" or "paakraevet"`);
  return { delmaalScore: score === 'paakraevet' ? 'paakraevet' : 'valgfri' };
}

/** Validates a rules file; returns every problem as a readable line, or the file. */
export function parseRegelfil(input: unknown): Result<Regelfil> {
  const errors: string[] = [];
  if (!isObject(input)) return { ok: false, errors: ['the rules file must be a JSON object'] };
  unknownKeys(input, ['kommuner', 'tilbud'], 'rules file', errors);
  const kommuner: Record<string, KommuneRegler> = {};
  const tilbud: Record<string, TilbudsRegler> = {};
  const rawKommuner = input['kommuner'] ?? {};
  const rawTilbud = input['tilbud'] ?? {};
  if (!isObject(rawKommuner)) errors.push('kommuner: must be an object keyed by kommunekode');
  else
    for (const [kode, raw] of Object.entries(rawKommuner)) {
      if (!/^\d{4}$/.test(kode)) errors.push(`kommuner.${kode}: a kommunekode has 4 digits`);
      kommuner[kode] = parseKommune(raw, `kommuner.${kode}`, errors);
    }
  if (!isObject(rawTilbud)) errors.push('tilbud: must be an object keyed by tilbudId');
  else for (const [id, raw] of Object.entries(rawTilbud)) tilbud[id] = parseTilbud(raw, `tilbud.${id}`, errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { kommuner, tilbud } };
}
