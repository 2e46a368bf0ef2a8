import type { BestillingEvent, DelmaalEvent, Kode } from '@hub/domain';

/** Every event of the hub's two streams; each carries the bestillingId it belongs to. */
export type HubEvent = BestillingEvent | DelmaalEvent;

export interface IndsatsmaalDoc {
  readonly indsatsmaalId: string;
  readonly nummer: number;
  readonly maalformulering: string;
  readonly maaltype: Kode;
  readonly undertema: Kode;
  readonly relateredeUndertemaer: readonly Kode[];
  readonly aktueltFunktionsevneniveau: Kode;
  readonly forventetFunktionsevneniveau: Kode;
  readonly opfoelgningsdato: string;
  readonly aktiv: boolean;
  readonly senesteStatus: { readonly statustekst: string; readonly sendt: string } | null;
}

export interface DelmaalDoc {
  readonly delmaalId: string;
  readonly indsatsmaalId: string;
  readonly navn: string;
  readonly fase: 'aktiv' | 'afsluttet';
  readonly startdato: string;
  readonly evalueringsdato: string | null;
  readonly slutdato: string;
  readonly antalObservationer: number;
  readonly senesteObservation: string | null;
  readonly senesteEvaluering: { readonly dato: string; readonly udvikling: string; readonly konklusion: string } | null;
  readonly maalopfyldelse: string | null;
}

export interface TilbagemeldingDoc {
  readonly tilbagemeldingId: string;
  readonly trigger: string;
  readonly tekst: string;
  readonly indsatsmaalId: string | null;
  readonly observationer: number;
  readonly opfylderKravId: string | null;
  readonly sendt: string;
  readonly kvitteret: string | null;
}

export interface OpfoelgningDoc {
  readonly opfoelgningId: string;
  readonly gennemfoert: string;
  readonly funktionsevne: readonly { readonly undertema: Kode; readonly funktionsevneniveau: Kode }[];
  readonly stoettebehov: Kode;
  readonly statusPaaIndsats: Kode;
}

/**
 * A bestilling as the read models see it: everything the parties and the analysts ask about one indsats, folded from
 * both streams. Pure and total, like a decider's evolve; every read model folds its own copy with this function.
 */
export interface IndsatsDoc {
  readonly bestillingId: string;
  readonly kommunekode: string;
  readonly tilbudId: string;
  readonly borgerId: string;
  readonly fase: 'afgivet' | 'accepteret' | 'afvist' | 'annulleret' | 'afsluttet';
  readonly version: number;
  readonly kvitteretVersion: number;
  readonly afgivet: string;
  readonly accepteret: string | null;
  readonly afsluttet: string | null;
  readonly tilbudstype: Kode;
  readonly primaerMaalgruppe: Kode;
  readonly oevrigeMaalgrupper: readonly Kode[];
  readonly stoettebehovVedStart: Kode;
  readonly stoettebehov: Kode;
  readonly ydelser: readonly {
    readonly ydelseLinjeId: string;
    readonly ydelse: Kode;
    readonly startdato: string;
    readonly slutdato: string | null;
  }[];
  readonly indsatsmaal: readonly IndsatsmaalDoc[];
  readonly delmaal: readonly DelmaalDoc[];
  readonly tilbagemeldinger: readonly TilbagemeldingDoc[];
  readonly opfoelgninger: readonly OpfoelgningDoc[];
  readonly antalVumObservationer: number;
  readonly senesteStatus: string | null;
  /** Position of the last event folded in: makes a replayed event a no-op (idempotent writer). */
  readonly position: number;
}

/** Undertemaer the active indsatsmål cover (their own and their related ones). */
export function daekkedeUndertemaer(doc: IndsatsDoc): ReadonlySet<string> {
  return new Set(
    doc.indsatsmaal
      .filter((m) => m.aktiv)
      .flatMap((m) => [m.undertema.code, ...m.relateredeUndertemaer.map((r) => r.code)]),
  );
}

/** The earliest opfølgningsdato of the active indsatsmål. */
export function naesteOpfoelgningsdato(doc: IndsatsDoc): string | null {
  const datoer = doc.indsatsmaal
    .filter((m) => m.aktiv)
    .map((m) => m.opfoelgningsdato)
    .sort();
  return datoer[0] ?? null;
}

const replace = <T>(list: readonly T[], match: (t: T) => boolean, update: (t: T) => T): T[] =>
  list.map((t) => (match(t) ? update(t) : t));

function maalDoc(m: {
  indsatsmaalId: string;
  nummer: number;
  maalformulering: string;
  maaltype: Kode;
  undertema: Kode;
  relateredeUndertemaer: readonly Kode[];
  aktueltFunktionsevneniveau: Kode;
  forventetFunktionsevneniveau: Kode;
  opfoelgningsdato: string;
}): IndsatsmaalDoc {
  return {
    indsatsmaalId: m.indsatsmaalId,
    nummer: m.nummer,
    maalformulering: m.maalformulering,
    maaltype: m.maaltype,
    undertema: m.undertema,
    relateredeUndertemaer: m.relateredeUndertemaer,
    aktueltFunktionsevneniveau: m.aktueltFunktionsevneniveau,
    forventetFunktionsevneniveau: m.forventetFunktionsevneniveau,
    opfoelgningsdato: m.opfoelgningsdato,
    aktiv: true,
    senesteStatus: null,
  };
}

/** Folds one event into the doc of its bestilling. Events for a bestilling not seen yet (impossible in a valid log) leave it null. */
export function evolveIndsats(doc: IndsatsDoc | null, event: HubEvent, position: number): IndsatsDoc | null {
  if (event.type === 'BestillingAfgivet') {
    const d = event.data;
    return {
      bestillingId: d.bestillingId,
      kommunekode: d.kommunekode,
      tilbudId: d.tilbudId,
      borgerId: d.borgerId,
      fase: 'afgivet',
      version: d.version,
      kvitteretVersion: 0,
      afgivet: d.afgivet,
      accepteret: null,
      afsluttet: null,
      tilbudstype: d.tilbudstype,
      primaerMaalgruppe: d.primaerMaalgruppe,
      oevrigeMaalgrupper: d.oevrigeMaalgrupper,
      stoettebehovVedStart: d.stoettebehov,
      stoettebehov: d.stoettebehov,
      ydelser: d.ydelser,
      indsatsmaal: d.indsatsmaal.map(maalDoc),
      delmaal: [],
      tilbagemeldinger: [],
      opfoelgninger: [],
      antalVumObservationer: 0,
      senesteStatus: null,
      position,
    };
  }
  if (!doc || position <= doc.position) return doc;
  const next = { ...doc, position };
  switch (event.type) {
    case 'BestillingAendret': {
      const d = event.data;
      const aendrede = new Map(d.aendredeIndsatsmaal.map((m) => [m.indsatsmaalId, m]));
      return {
        ...next,
        version: d.version,
        ...(d.stoettebehov ? { stoettebehov: d.stoettebehov } : {}),
        indsatsmaal: [
          ...doc.indsatsmaal.map((m) => {
            const ny = aendrede.get(m.indsatsmaalId);
            const base = ny ? { ...maalDoc(ny), senesteStatus: m.senesteStatus } : m;
            return d.afsluttedeIndsatsmaal.includes(m.indsatsmaalId) ? { ...base, aktiv: false } : base;
          }),
          ...d.tilfoejedeIndsatsmaal.map(maalDoc),
        ],
        ydelser: [
          ...doc.ydelser.map((y) => d.aendredeYdelser.find((a) => a.ydelseLinjeId === y.ydelseLinjeId) ?? y),
          ...d.tilfoejedeYdelser,
        ],
      };
    }
    case 'BestillingAnnulleret':
      return { ...next, fase: 'annulleret', afsluttet: event.data.annulleret };
    case 'BestillingKvitteret':
      return { ...next, kvitteretVersion: Math.max(doc.kvitteretVersion, event.data.version) };
    case 'BestillingAccepteret':
      return { ...next, fase: 'accepteret', accepteret: event.data.accepteret };
    case 'BestillingAfvist':
      return { ...next, fase: 'afvist', afsluttet: event.data.afvist };
    case 'VumObservationRegistreret':
      return { ...next, antalVumObservationer: doc.antalVumObservationer + 1 };
    case 'StatusSendt': {
      const byMaal = new Map(event.data.indsatsmaal.map((s) => [s.indsatsmaalId, s.statustekst]));
      return {
        ...next,
        senesteStatus: event.data.sendt,
        indsatsmaal: doc.indsatsmaal.map((m) =>
          byMaal.has(m.indsatsmaalId)
            ? { ...m, senesteStatus: { statustekst: byMaal.get(m.indsatsmaalId) as string, sendt: event.data.sendt } }
            : m,
        ),
      };
    }
    case 'TilbagemeldingSendt': {
      const d = event.data;
      return {
        ...next,
        tilbagemeldinger: [
          ...doc.tilbagemeldinger,
          {
            tilbagemeldingId: d.tilbagemeldingId,
            trigger: d.trigger,
            tekst: d.tekst,
            indsatsmaalId: d.indsatsmaalId,
            observationer: d.observationer.length,
            opfylderKravId: d.opfylderKravId,
            sendt: d.sendt,
            kvitteret: null,
          },
        ],
      };
    }
    case 'TilbagemeldingKvitteret':
      return {
        ...next,
        tilbagemeldinger: replace(
          doc.tilbagemeldinger,
          (t) => t.tilbagemeldingId === event.data.tilbagemeldingId,
          (t) => ({ ...t, kvitteret: event.data.kvitteret }),
        ),
      };
    case 'OpfoelgningGennemfoert': {
      const d = event.data;
      return {
        ...next,
        stoettebehov: d.stoettebehov,
        opfoelgninger: [
          ...doc.opfoelgninger,
          {
            opfoelgningId: d.opfoelgningId,
            gennemfoert: d.gennemfoert,
            funktionsevne: d.funktionsevne,
            stoettebehov: d.stoettebehov,
            statusPaaIndsats: d.statusPaaIndsats,
          },
        ],
      };
    }
    case 'IndsatsAfsluttet':
      return { ...next, fase: 'afsluttet', afsluttet: event.data.afsluttet };
    case 'DelmaalOprettet': {
      const d = event.data;
      return {
        ...next,
        delmaal: [
          ...doc.delmaal,
          {
            delmaalId: d.delmaalId,
            indsatsmaalId: d.indsatsmaalId,
            navn: d.navn,
            fase: 'aktiv',
            startdato: d.startdato,
            evalueringsdato: d.evalueringsdato,
            slutdato: d.slutdato,
            antalObservationer: 0,
            senesteObservation: null,
            senesteEvaluering: null,
            maalopfyldelse: null,
          },
        ],
      };
    }
    case 'DelmaalsobservationRegistreret':
      return {
        ...next,
        delmaal: replace(
          doc.delmaal,
          (x) => x.delmaalId === event.data.delmaalId,
          (x) => ({ ...x, antalObservationer: x.antalObservationer + 1, senesteObservation: event.data.observeret }),
        ),
      };
    case 'DelmaalEvalueret':
      return {
        ...next,
        delmaal: replace(
          doc.delmaal,
          (x) => x.delmaalId === event.data.delmaalId,
          (x) => ({
            ...x,
            senesteEvaluering: {
              dato: event.data.dato,
              udvikling: event.data.udvikling,
              konklusion: event.data.konklusion,
            },
          }),
        ),
      };
    case 'DelmaalAfsluttet':
      return {
        ...next,
        delmaal: replace(
          doc.delmaal,
          (x) => x.delmaalId === event.data.delmaalId,
          (x) => ({ ...x, fase: 'afsluttet', maalopfyldelse: event.data.maalopfyldelse }),
        ),
      };
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
