import {
  T2_HISTORIK,
  type BestillingEvent,
  type DelmaalEvent,
  type FfbKatalog,
  type Indsatsmaal,
  type KravTrigger,
  type Maaltype,
  type PligtCommand,
  type PligtEvent,
  type Udvikling,
} from '@hub/domain';

/** Every event the rules read: the bestilling, delmål and tilbagemeldingspligt streams (each carries a bestillingId). */
export type RegelEvent = BestillingEvent | DelmaalEvent | PligtEvent;

export interface IndsatsmaalRegelDoc {
  readonly indsatsmaalId: string;
  readonly nummer: number;
  readonly maaltype: Maaltype | null;
  readonly undertema: string;
  readonly relateredeUndertemaer: readonly string[];
  /** 0–4 (higher is more limited), null for "Ikke vurderet" or an unknown code. */
  readonly forventetNiveau: number | null;
  readonly opfoelgningsdato: string;
  /** When its current opfølgningsdato was set: an opfølgning after this is the one for that date. */
  readonly opfoelgningsdatoSat: string;
  readonly aktiv: boolean;
  /** The evalueringer of its delmål since the last T2 krav on it was decided or met, oldest first. */
  readonly udviklingSidenKrav: readonly Udvikling[];
}

export interface DelmaalRegelDoc {
  readonly delmaalId: string;
  readonly indsatsmaalId: string;
  /** Not afsluttet, and its indsatsmål still active (R-20: nothing is documented on a delmål of an ended one). */
  readonly aktiv: boolean;
  /** 0–4 støttebehov scores of its delmålsobservationer since the last T2 krav on its indsatsmål, oldest first. */
  readonly scoresSidenKrav: readonly number[];
}

export interface KravRegelDoc {
  readonly kravId: string;
  readonly trigger: KravTrigger;
  readonly indsatsmaalId: string | null;
  /** Neither met nor lapsed. */
  readonly aaben: boolean;
}

/** The small rule state of one bestilling: only what the rules read. Pure data, folded like a decider's state. */
export interface RegelDoc {
  readonly bestillingId: string;
  readonly kommunekode: string;
  readonly tilbudId: string;
  readonly borgerId: string;
  readonly fase: 'afgivet' | 'accepteret' | 'afvist' | 'annulleret' | 'afsluttet';
  readonly version: number;
  /** When the current version was afgivet or ændret. */
  readonly versionSendt: string;
  readonly kvitteretVersion: number;
  /** The date the indsats started: the udfører's forventet startdato, but never before the day of accept. */
  readonly startdato: string | null;
  /** Whether any delmålsobservation or VUM-observation documents the indsats. */
  readonly dokumenteret: boolean;
  readonly indsatsmaal: readonly IndsatsmaalRegelDoc[];
  readonly delmaal: readonly DelmaalRegelDoc[];
  /**
   * The krav of the bestilling, as the rules decided them, in log order: a krav is open here from the event that
   * decided it, before its own event is read back, so a replay judges "one open krav" exactly as the first run did.
   */
  readonly krav: readonly KravRegelDoc[];
}

export const erAaben = (doc: RegelDoc): boolean => doc.fase === 'afgivet' || doc.fase === 'accepteret';

/** An open krav of this trigger on this indsatsmål (null: on the indsats as a whole). */
export const harAabentKrav = (doc: RegelDoc, trigger: KravTrigger, indsatsmaalId: string | null): boolean =>
  doc.krav.some((k) => k.aaben && k.trigger === trigger && k.indsatsmaalId === indsatsmaalId);

const sidste = <T>(list: readonly T[], item: T): T[] => [...list, item].slice(-T2_HISTORIK);

function indsatsmaalDoc(m: Indsatsmaal, sat: string, katalog: FfbKatalog, tidligere?: IndsatsmaalRegelDoc) {
  return {
    indsatsmaalId: m.indsatsmaalId,
    nummer: m.nummer,
    maaltype: katalog.maaltype(m.maaltype.code) ?? null,
    undertema: m.undertema.code,
    relateredeUndertemaer: m.relateredeUndertemaer.map((k) => k.code),
    forventetNiveau: katalog.funktionsevneniveau(m.forventetFunktionsevneniveau.code) ?? null,
    opfoelgningsdato: m.opfoelgningsdato,
    opfoelgningsdatoSat:
      tidligere && tidligere.opfoelgningsdato === m.opfoelgningsdato ? tidligere.opfoelgningsdatoSat : sat,
    aktiv: true,
    udviklingSidenKrav: tidligere?.udviklingSidenKrav ?? [],
  } satisfies IndsatsmaalRegelDoc;
}

const medDelmaal = (doc: RegelDoc, delmaalId: string, f: (d: DelmaalRegelDoc) => DelmaalRegelDoc): RegelDoc => ({
  ...doc,
  delmaal: doc.delmaal.map((d) => (d.delmaalId === delmaalId ? f(d) : d)),
});

/** A T2 krav decided or met on an indsatsmål starts its count again: the next needs a new streak of its own. */
function nulstilT2(doc: RegelDoc, indsatsmaalId: string | null): RegelDoc {
  if (indsatsmaalId === null) return doc;
  return {
    ...doc,
    indsatsmaal: doc.indsatsmaal.map((m) => (m.indsatsmaalId === indsatsmaalId ? { ...m, udviklingSidenKrav: [] } : m)),
    delmaal: doc.delmaal.map((m) => (m.indsatsmaalId === indsatsmaalId ? { ...m, scoresSidenKrav: [] } : m)),
  };
}

/** Adds a krav as open, once: from the rule that decided it, or from its event when no rule of this state did. */
function nytKrav(doc: RegelDoc, krav: Omit<KravRegelDoc, 'aaben'>): RegelDoc {
  if (doc.krav.some((k) => k.kravId === krav.kravId)) return doc;
  const next = { ...doc, krav: [...doc.krav, { ...krav, aaben: true }] };
  return krav.trigger === 'T2' ? nulstilT2(next, krav.indsatsmaalId) : next;
}

/** Closes a krav (met or lapsed); a met T2 krav restarts its indsatsmål's count (evalueringer while open were covered). */
function lukKrav(doc: RegelDoc, kravId: string | null, opfyldt: boolean): RegelDoc {
  const krav = doc.krav.find((k) => k.kravId === kravId);
  if (!krav || !krav.aaben) return doc;
  const next = { ...doc, krav: doc.krav.map((k) => (k === krav ? { ...k, aaben: false } : k)) };
  return opfyldt && krav.trigger === 'T2' ? nulstilT2(next, krav.indsatsmaalId) : next;
}

/**
 * What a rule decided that later rules and events must see at once (in log order): a krav is open from the event that
 * decided it, and closed from the event that decided it lapses. Commands carried out later record exactly this.
 */
export function foldBeslutning(doc: RegelDoc, kommando: PligtCommand): RegelDoc {
  switch (kommando.type) {
    case 'KraevTilbagemelding':
      return nytKrav(doc, {
        kravId: kommando.data.kravId,
        trigger: kommando.data.trigger,
        indsatsmaalId: kommando.data.indsatsmaalId,
      });
    case 'LadKravBortfalde':
      return lukKrav(doc, kommando.data.kravId, false);
    default:
      return doc;
  }
}

/**
 * Folds one event into a bestilling's rule state. Pure and total: an event for a bestilling the state does not know
 * (it cannot happen in a valid log, but a fold never throws) leaves it unchanged.
 */
export function foldRegel(doc: RegelDoc | null, event: RegelEvent, katalog: FfbKatalog): RegelDoc | null {
  if (event.type === 'BestillingAfgivet') {
    const d = event.data;
    return {
      bestillingId: d.bestillingId,
      kommunekode: d.kommunekode,
      tilbudId: d.tilbudId,
      borgerId: d.borgerId,
      fase: 'afgivet',
      version: d.version,
      versionSendt: d.afgivet,
      kvitteretVersion: 0,
      startdato: null,
      dokumenteret: false,
      indsatsmaal: d.indsatsmaal.map((m) => indsatsmaalDoc(m, d.afgivet, katalog)),
      delmaal: [],
      krav: [],
    };
  }
  if (!doc) return null;
  switch (event.type) {
    case 'BestillingAendret': {
      const d = event.data;
      const aendret = new Map(d.aendredeIndsatsmaal.map((m) => [m.indsatsmaalId, m]));
      const afsluttede = new Set(d.afsluttedeIndsatsmaal);
      return {
        ...doc,
        version: d.version,
        versionSendt: d.aendret,
        indsatsmaal: [
          ...doc.indsatsmaal.map((m) => {
            const ny = aendret.get(m.indsatsmaalId);
            const next = ny ? indsatsmaalDoc(ny, d.aendret, katalog, m) : m;
            return afsluttede.has(m.indsatsmaalId) ? { ...next, aktiv: false } : next;
          }),
          ...d.tilfoejedeIndsatsmaal.map((m) => indsatsmaalDoc(m, d.aendret, katalog)),
        ],
        delmaal: doc.delmaal.map((m) => (afsluttede.has(m.indsatsmaalId) ? { ...m, aktiv: false } : m)),
      };
    }
    case 'BestillingAnnulleret':
      return { ...doc, fase: 'annulleret' };
    case 'BestillingAfvist':
      return { ...doc, fase: 'afvist' };
    case 'IndsatsAfsluttet':
      return { ...doc, fase: 'afsluttet' };
    case 'BestillingKvitteret':
      return { ...doc, kvitteretVersion: Math.max(doc.kvitteretVersion, event.data.version) };
    case 'BestillingAccepteret': {
      const accepteret = event.data.accepteret.slice(0, 10);
      const forventet = event.data.forventetStartdato;
      // Nothing can be documented before acceptance: a start date in the past counts from the day of accept.
      return { ...doc, fase: 'accepteret', startdato: forventet && forventet > accepteret ? forventet : accepteret };
    }
    case 'VumObservationRegistreret':
      return doc.dokumenteret ? doc : { ...doc, dokumenteret: true };
    case 'StatusSendt':
    case 'OpfoelgningGennemfoert':
    case 'TilbagemeldingKvitteret':
    case 'PaamindelseSendt':
    case 'PaamindelseAfsluttet':
      return doc;
    case 'TilbagemeldingSendt':
      return lukKrav(doc, event.data.opfylderKravId, true);
    case 'DelmaalOprettet': {
      const d = event.data;
      const maal = doc.indsatsmaal.find((m) => m.indsatsmaalId === d.indsatsmaalId);
      return {
        ...doc,
        delmaal: [
          ...doc.delmaal,
          { delmaalId: d.delmaalId, indsatsmaalId: d.indsatsmaalId, aktiv: maal?.aktiv ?? false, scoresSidenKrav: [] },
        ],
      };
    }
    case 'DelmaalsobservationRegistreret': {
      const { delmaalId, score } = event.data;
      const next =
        score === null
          ? doc
          : medDelmaal(doc, delmaalId, (m) => ({ ...m, scoresSidenKrav: sidste(m.scoresSidenKrav, score) }));
      return next.dokumenteret ? next : { ...next, dokumenteret: true };
    }
    case 'DelmaalEvalueret': {
      const d = event.data;
      const delmaal = doc.delmaal.find((m) => m.delmaalId === d.delmaalId);
      return {
        ...doc,
        indsatsmaal: doc.indsatsmaal.map((m) =>
          m.indsatsmaalId === delmaal?.indsatsmaalId
            ? { ...m, udviklingSidenKrav: sidste(m.udviklingSidenKrav, d.udvikling) }
            : m,
        ),
      };
    }
    case 'DelmaalAfsluttet':
      return medDelmaal(doc, event.data.delmaalId, (m) => ({ ...m, aktiv: false }));
    case 'TilbagemeldingKraevet':
      return nytKrav(doc, {
        kravId: event.data.kravId,
        trigger: event.data.trigger,
        indsatsmaalId: event.data.indsatsmaalId,
      });
    case 'TilbagemeldingskravOpfyldt':
      return lukKrav(doc, event.data.kravId, true);
    case 'TilbagemeldingskravBortfaldet':
      return lukKrav(doc, event.data.kravId, false);
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
