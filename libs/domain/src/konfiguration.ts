/**
 * Configuration of the "Warn" rules of reference.md §5. The sources give no thresholds; the defaults are ours: every
 * Warn rule warns, R-22 (Høje-Taastrup's local 2–3 indsatsmål) is off until a kommune turns it on, and delmål scoring
 * is a tilbud's local decision, optional unless the tilbud requires it.
 */
export const ADVARSELSREGLER = ['R-08', 'R-16', 'R-18', 'R-22'] as const;
export type Advarselsregel = (typeof ADVARSELSREGLER)[number];

/**
 * Thresholds of the tilbagemeldingspligt rules (libs/rules), per kommune. The sources give none (reference.md §4.2:
 * "Timing: ad hoc — None given", Q-06); these defaults are ours, chosen to match the rhythm the sources describe
 * (documentation "løbende", opfølgning every few months) and documented as ours in docs/adr/0008.
 */
export interface Taerskler {
  /** T1: days after the indsats started with no documentation at all before a tilbagemelding is required. */
  readonly t1DageUdenDokumentation: number;
  /** T2 Udvikle: consecutive evalueringer without fremgang (on the indsatsmål's delmål) that require one. */
  readonly t2EvalueringerUdenFremgang: number;
  /** T2 Begrænse tab: consecutive evalueringer concluding tilbagegang, more than the måltype expects. */
  readonly t2EvalueringerMedTilbagegang: number;
  /** T2: the number of latest delmålsobservation scores (0–4 støttebehov) read as a trend. */
  readonly t2ScoreVindue: number;
  /** Days the udfører has to send a required tilbagemelding; past them the krav is overdue. */
  readonly kravFristDage: number;
  /** A bestilling version not kvitteret after this many days: a reminder to the udfører… */
  readonly kvitteringPaamindelseDage: number;
  /** …and after this many: an escalation to the myndighed. */
  readonly kvitteringEskaleringDage: number;
  /** Days before an indsatsmål's opfølgningsdato: status requested of the udfører, a reminder to the sagsbehandler. */
  readonly opfoelgningVarselDage: number;
  /** An active delmål without a delmålsobservation for this many days: a reminder to the udfører. */
  readonly delmaalUdenObservationDage: number;
  /** A tilbagemelding the myndighed has not kvitteret for after this many days: an escalation. */
  readonly tilbagemeldingKvitteringDage: number;
}

/** How many evalueringer and scores the rules keep per indsatsmål and delmål: the bound of the T2 thresholds. */
export const T2_HISTORIK = 12;

/** Bounds of each threshold beyond "a whole number of days from 1 to 3650". */
const GRAENSER: Partial<Record<keyof Taerskler, { readonly min: number; readonly max: number }>> = {
  t2EvalueringerUdenFremgang: { min: 1, max: T2_HISTORIK },
  t2EvalueringerMedTilbagegang: { min: 1, max: T2_HISTORIK },
  // A trend needs two scores at least.
  t2ScoreVindue: { min: 2, max: T2_HISTORIK },
};

export const STANDARD_TAERSKLER: Taerskler = {
  t1DageUdenDokumentation: 21,
  t2EvalueringerUdenFremgang: 2,
  t2EvalueringerMedTilbagegang: 2,
  t2ScoreVindue: 3,
  kravFristDage: 14,
  kvitteringPaamindelseDage: 3,
  kvitteringEskaleringDage: 7,
  opfoelgningVarselDage: 30,
  delmaalUdenObservationDage: 14,
  tilbagemeldingKvitteringDage: 10,
};

/** What a kommune decides: which Warn rules it enforces as rejections, and R-22's range. */
export interface KommuneRegler {
  readonly afvisAdvarsler: readonly Advarselsregel[];
  readonly antalIndsatsmaal?: { readonly min: number; readonly max: number };
  /** Its thresholds of the tilbagemeldingspligt rules; unset ones take the file's, then the defaults. */
  readonly tilbagemeldingspligt?: Partial<Taerskler>;
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
  /** Thresholds for every kommune that sets none of its own. */
  readonly tilbagemeldingspligt?: Partial<Taerskler>;
}

export const TOM_REGELFIL: Regelfil = { kommuner: {}, tilbud: {} };

/** The tilbagemeldingspligt thresholds in force for a kommune: its own, else the file's, else ours. */
export function taersklerFor(fil: Regelfil, kommunekode: string): Taerskler {
  return { ...STANDARD_TAERSKLER, ...fil.tilbagemeldingspligt, ...fil.kommuner[kommunekode]?.tilbagemeldingspligt };
}

function parseTaerskler(raw: unknown, where: string, errors: string[]): Partial<Taerskler> {
  if (!isObject(raw)) {
    errors.push(`${where}: must be an object`);
    return {};
  }
  const known = Object.keys(STANDARD_TAERSKLER);
  unknownKeys(raw, known, where, errors);
  const out: Record<string, number> = {};
  for (const key of known) {
    const value = raw[key];
    if (value === undefined) continue;
    const { min, max } = GRAENSER[key as keyof Taerskler] ?? { min: 1, max: 3650 };
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max)
      errors.push(`${where}.${key}: must be an integer from ${min} to ${max}`);
    else out[key] = value as number;
  }
  return out as Partial<Taerskler>;
}

/** What must hold between thresholds once merged: the escalation comes after the reminder. */
function kontrollerSammenhaeng(t: Taerskler, where: string, errors: string[]): void {
  if (t.kvitteringEskaleringDage <= t.kvitteringPaamindelseDage)
    errors.push(
      `${where}: kvitteringEskaleringDage (${t.kvitteringEskaleringDage}) must be after kvitteringPaamindelseDage (${t.kvitteringPaamindelseDage})`,
    );
}

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
  unknownKeys(raw, ['afvisAdvarsler', 'antalIndsatsmaal', 'tilbagemeldingspligt'], where, errors);
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
  const pligt = raw['tilbagemeldingspligt'];
  return {
    afvisAdvarsler: (Array.isArray(afvis) ? afvis : []) as Advarselsregel[],
    ...(antal === undefined ? {} : { antalIndsatsmaal: antal as { min: number; max: number } }),
    ...(pligt === undefined
      ? {}
      : { tilbagemeldingspligt: parseTaerskler(pligt, `${where}.tilbagemeldingspligt`, errors) }),
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
  unknownKeys(input, ['kommuner', 'tilbud', 'tilbagemeldingspligt'], 'rules file', errors);
  const pligt =
    input['tilbagemeldingspligt'] === undefined
      ? undefined
      : parseTaerskler(input['tilbagemeldingspligt'], 'tilbagemeldingspligt', errors);
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
  const value: Regelfil = { kommuner, tilbud, ...(pligt ? { tilbagemeldingspligt: pligt } : {}) };
  if (errors.length === 0) {
    kontrollerSammenhaeng({ ...STANDARD_TAERSKLER, ...pligt }, 'tilbagemeldingspligt', errors);
    for (const kode of Object.keys(kommuner))
      kontrollerSammenhaeng(taersklerFor(value, kode), `kommuner.${kode}.tilbagemeldingspligt`, errors);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}
