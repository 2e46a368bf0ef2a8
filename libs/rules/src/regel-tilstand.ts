import type {
  BestillingEvent,
  DelmaalEvent,
  FfbKatalog,
  Indsatsmaal,
  KravTrigger,
  Maaltype,
  PligtEvent,
  Udvikling,
} from '@hub/domain';

/** Every event the rules read: the bestilling, delmål and tilbagemeldingspligt streams (each carries a bestillingId). */
export type RegelEvent = BestillingEvent | DelmaalEvent | PligtEvent;

/** How much history of evaluations and scores a document keeps: more than any threshold may ask for. */
export const HISTORIK = 12;

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
  /** The evalueringer of its delmål since the last T2 krav on it, oldest first (at most HISTORIK). */
  readonly udviklingSidenKrav: readonly Udvikling[];
}

export interface DelmaalRegelDoc {
  readonly delmaalId: string;
  readonly indsatsmaalId: string;
  readonly navn: string;
  readonly aktiv: boolean;
  readonly oprettet: string;
  readonly evalueringsdato: string | null;
  readonly slutdato: string;
  readonly evalueret: boolean;
  readonly senesteObservation: string | null;
  /** 0–4 støttebehov scores of its delmålsobservationer since the last T2 krav on its indsatsmål, oldest first. */
  readonly scoresSidenKrav: readonly number[];
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
  /** The date the indsats started (the udfører's forventet startdato, else the day of accept). */
  readonly startdato: string | null;
  /** Whether any delmålsobservation or VUM-observation documents the indsats. */
  readonly dokumenteret: boolean;
  readonly indsatsmaal: readonly IndsatsmaalRegelDoc[];
  readonly delmaal: readonly DelmaalRegelDoc[];
  readonly tilbagemeldinger: readonly { readonly tilbagemeldingId: string; readonly kvitteret: boolean }[];
  readonly krav: readonly {
    readonly kravId: string;
    readonly trigger: KravTrigger;
    readonly indsatsmaalId: string | null;
    readonly opfyldt: boolean;
  }[];
}

export const erAaben = (doc: RegelDoc): boolean => doc.fase === 'afgivet' || doc.fase === 'accepteret';

const sidste = <T>(list: readonly T[], item: T): T[] => [...list, item].slice(-HISTORIK);

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

/** A T2 krav raised or met on an indsatsmål starts its count again: the next needs a new streak of its own. */
function nulstilT2(doc: RegelDoc, indsatsmaalId: string | null): RegelDoc {
  if (indsatsmaalId === null) return doc;
  return {
    ...doc,
    indsatsmaal: doc.indsatsmaal.map((m) => (m.indsatsmaalId === indsatsmaalId ? { ...m, udviklingSidenKrav: [] } : m)),
    delmaal: doc.delmaal.map((m) => (m.indsatsmaalId === indsatsmaalId ? { ...m, scoresSidenKrav: [] } : m)),
  };
}

/** Marks a krav met; a met T2 krav restarts its indsatsmål's count (evalueringer while it was open were covered). */
function kravOpfyldt(doc: RegelDoc, kravId: string | null): RegelDoc {
  const krav = doc.krav.find((k) => k.kravId === kravId);
  if (!krav || krav.opfyldt) return doc;
  const next = { ...doc, krav: doc.krav.map((k) => (k === krav ? { ...k, opfyldt: true } : k)) };
  return krav.trigger === 'T2' ? nulstilT2(next, krav.indsatsmaalId) : next;
}

const medDelmaal = (doc: RegelDoc, delmaalId: string, f: (d: DelmaalRegelDoc) => DelmaalRegelDoc): RegelDoc => ({
  ...doc,
  delmaal: doc.delmaal.map((d) => (d.delmaalId === delmaalId ? f(d) : d)),
});

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
      tilbagemeldinger: [],
      krav: [],
    };
  }
  if (!doc) return null;
  switch (event.type) {
    case 'BestillingAendret': {
      const d = event.data;
      const aendret = new Map(d.aendredeIndsatsmaal.map((m) => [m.indsatsmaalId, m]));
      return {
        ...doc,
        version: d.version,
        versionSendt: d.aendret,
        indsatsmaal: [
          ...doc.indsatsmaal.map((m) => {
            const ny = aendret.get(m.indsatsmaalId);
            const next = ny ? indsatsmaalDoc(ny, d.aendret, katalog, m) : m;
            return d.afsluttedeIndsatsmaal.includes(m.indsatsmaalId) ? { ...next, aktiv: false } : next;
          }),
          ...d.tilfoejedeIndsatsmaal.map((m) => indsatsmaalDoc(m, d.aendret, katalog)),
        ],
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
    case 'BestillingAccepteret':
      return {
        ...doc,
        fase: 'accepteret',
        startdato: event.data.forventetStartdato ?? event.data.accepteret.slice(0, 10),
      };
    case 'VumObservationRegistreret':
      return { ...doc, dokumenteret: true };
    case 'StatusSendt':
    case 'OpfoelgningGennemfoert':
      return doc;
    case 'TilbagemeldingSendt':
      return kravOpfyldt(
        {
          ...doc,
          tilbagemeldinger: [
            ...doc.tilbagemeldinger,
            { tilbagemeldingId: event.data.tilbagemeldingId, kvitteret: false },
          ],
        },
        event.data.opfylderKravId,
      );
    case 'TilbagemeldingKvitteret':
      return {
        ...doc,
        tilbagemeldinger: doc.tilbagemeldinger.map((t) =>
          t.tilbagemeldingId === event.data.tilbagemeldingId ? { ...t, kvitteret: true } : t,
        ),
      };
    case 'DelmaalOprettet': {
      const d = event.data;
      return {
        ...doc,
        delmaal: [
          ...doc.delmaal,
          {
            delmaalId: d.delmaalId,
            indsatsmaalId: d.indsatsmaalId,
            navn: d.navn,
            aktiv: true,
            oprettet: d.oprettet,
            evalueringsdato: d.evalueringsdato,
            slutdato: d.slutdato,
            evalueret: false,
            senesteObservation: null,
            scoresSidenKrav: [],
          },
        ],
      };
    }
    case 'DelmaalsobservationRegistreret': {
      const d = event.data;
      const next = medDelmaal(doc, d.delmaalId, (m) => ({
        ...m,
        senesteObservation: d.registreret,
        scoresSidenKrav: d.score === null ? m.scoresSidenKrav : sidste(m.scoresSidenKrav, d.score),
      }));
      return { ...next, dokumenteret: true };
    }
    case 'DelmaalEvalueret': {
      const d = event.data;
      const delmaal = doc.delmaal.find((m) => m.delmaalId === d.delmaalId);
      const next = medDelmaal(doc, d.delmaalId, (m) => ({ ...m, evalueret: true }));
      return {
        ...next,
        indsatsmaal: next.indsatsmaal.map((m) =>
          m.indsatsmaalId === delmaal?.indsatsmaalId
            ? { ...m, udviklingSidenKrav: sidste(m.udviklingSidenKrav, d.udvikling) }
            : m,
        ),
      };
    }
    case 'DelmaalAfsluttet':
      return medDelmaal(doc, event.data.delmaalId, (m) => ({ ...m, aktiv: false }));
    case 'TilbagemeldingKraevet': {
      const d = event.data;
      const next = {
        ...doc,
        krav: [...doc.krav, { kravId: d.kravId, trigger: d.trigger, indsatsmaalId: d.indsatsmaalId, opfyldt: false }],
      };
      return d.trigger === 'T2' ? nulstilT2(next, d.indsatsmaalId) : next;
    }
    case 'TilbagemeldingskravOpfyldt':
      return kravOpfyldt(doc, event.data.kravId);
    case 'PaamindelseSendt':
    case 'PaamindelseAfsluttet':
      return doc;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
