import type { Kode } from '../ffb/katalog';
import type { BestillingEvent, Indsatsmaal, Lovgrundlag, YdelseLinje } from './bestilling.events';

/** Fase of a bestilling. Terminal: afvist, annulleret, afsluttet. */
export type BestillingFase = 'afgivet' | 'accepteret' | 'afvist' | 'annulleret' | 'afsluttet';

export interface IndsatsmaalTilstand extends Indsatsmaal {
  readonly aktiv: boolean;
}

export interface BestillingFindes {
  readonly fase: BestillingFase;
  readonly bestillingId: string;
  readonly borgerId: string;
  readonly kommunekode: string;
  readonly tilbudId: string;
  readonly version: number;
  /** The latest version the udfører has kvitteret for; 0 = none. */
  readonly kvitteretVersion: number;
  readonly tilbudstype: Kode;
  readonly lovgrundlag: readonly Lovgrundlag[];
  readonly primaerMaalgruppe: Kode;
  readonly oevrigeMaalgrupper: readonly Kode[];
  readonly stoettebehov: Kode;
  readonly borgerensOensker: string;
  readonly indsatsformaal: string;
  readonly indsatsmaal: readonly IndsatsmaalTilstand[];
  readonly ydelser: readonly YdelseLinje[];
  readonly vumObservationer: readonly string[];
  readonly tilbagemeldinger: readonly {
    readonly tilbagemeldingId: string;
    readonly kvitteret: boolean;
    readonly opfylderKravId: string | null;
  }[];
  /** Ids of status, opfølgning and other sub-entities, so no id is used twice in one bestilling. */
  readonly brugteIder: readonly string[];
}

export type BestillingState = { readonly fase: 'ingen' } | BestillingFindes;

export const initialState = (): BestillingState => ({ fase: 'ingen' });

export function aktiveIndsatsmaal(state: BestillingFindes): readonly IndsatsmaalTilstand[] {
  return state.indsatsmaal.filter((m) => m.aktiv);
}

function replaceById<T, K extends keyof T>(list: readonly T[], key: K, replacements: readonly T[]): T[] {
  return list.map((item) => replacements.find((r) => r[key] === item[key]) ?? item);
}

/** Pure and total: every stored event folds, whatever the state (a stored event is a fact). */
export function evolve(state: BestillingState, event: BestillingEvent): BestillingState {
  if (event.type === 'BestillingAfgivet') {
    const d = event.data;
    return {
      fase: 'afgivet',
      bestillingId: d.bestillingId,
      borgerId: d.borgerId,
      kommunekode: d.kommunekode,
      tilbudId: d.tilbudId,
      version: d.version,
      kvitteretVersion: 0,
      tilbudstype: d.tilbudstype,
      lovgrundlag: d.lovgrundlag,
      primaerMaalgruppe: d.primaerMaalgruppe,
      oevrigeMaalgrupper: d.oevrigeMaalgrupper,
      stoettebehov: d.stoettebehov,
      borgerensOensker: d.borgerensOensker,
      indsatsformaal: d.indsatsformaal,
      indsatsmaal: d.indsatsmaal.map((m) => ({ ...m, aktiv: true })),
      ydelser: d.ydelser,
      vumObservationer: [],
      tilbagemeldinger: [],
      brugteIder: [],
    };
  }
  if (state.fase === 'ingen') return state;
  switch (event.type) {
    case 'BestillingAendret': {
      const d = event.data;
      const aendrede = d.aendredeIndsatsmaal.map((m) => ({ ...m, aktiv: true }));
      return {
        ...state,
        version: d.version,
        ...(d.indsatsformaal === undefined ? {} : { indsatsformaal: d.indsatsformaal }),
        ...(d.stoettebehov === undefined ? {} : { stoettebehov: d.stoettebehov }),
        indsatsmaal: [
          ...replaceById(state.indsatsmaal, 'indsatsmaalId', aendrede).map((m) =>
            d.afsluttedeIndsatsmaal.includes(m.indsatsmaalId) ? { ...m, aktiv: false } : m,
          ),
          ...d.tilfoejedeIndsatsmaal.map((m) => ({ ...m, aktiv: true })),
        ],
        ydelser: [...replaceById(state.ydelser, 'ydelseLinjeId', d.aendredeYdelser), ...d.tilfoejedeYdelser],
      };
    }
    case 'BestillingAnnulleret':
      return { ...state, fase: 'annulleret' };
    case 'BestillingKvitteret':
      return { ...state, kvitteretVersion: Math.max(state.kvitteretVersion, event.data.version) };
    case 'BestillingAccepteret':
      return { ...state, fase: 'accepteret' };
    case 'BestillingAfvist':
      return { ...state, fase: 'afvist' };
    case 'VumObservationRegistreret':
      return {
        ...state,
        vumObservationer: [...state.vumObservationer, event.data.observationId],
        brugteIder: [...state.brugteIder, event.data.observationId],
      };
    case 'StatusSendt':
      return { ...state, brugteIder: [...state.brugteIder, event.data.statusId] };
    case 'TilbagemeldingSendt':
      return {
        ...state,
        tilbagemeldinger: [
          ...state.tilbagemeldinger,
          {
            tilbagemeldingId: event.data.tilbagemeldingId,
            kvitteret: false,
            opfylderKravId: event.data.opfylderKravId ?? null,
          },
        ],
        brugteIder: [...state.brugteIder, event.data.tilbagemeldingId],
      };
    case 'TilbagemeldingKvitteret':
      return {
        ...state,
        tilbagemeldinger: state.tilbagemeldinger.map((t) =>
          t.tilbagemeldingId === event.data.tilbagemeldingId ? { ...t, kvitteret: true } : t,
        ),
      };
    case 'OpfoelgningGennemfoert':
      return {
        ...state,
        stoettebehov: event.data.stoettebehov,
        brugteIder: [...state.brugteIder, event.data.opfoelgningId],
      };
    case 'IndsatsAfsluttet':
      return { ...state, fase: 'afsluttet' };
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
