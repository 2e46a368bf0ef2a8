import type { Kode } from '../ffb/katalog';
import type { DomainEvent } from '../shared/decider';

/** Advarsel: a "Warn" rule (reference.md §5) that the bestilling broke; recorded on the event that carries it. */
export interface Advarsel {
  readonly code: string;
  readonly field?: string;
  readonly message: string;
}

/** Lovgrundlag a bestilling is made under; the paragraphs FFB's indsatskatalog covers (reference.md §3.8). */
export const LOVGRUNDLAG = [
  'SEL-82a',
  'SEL-82b',
  'SEL-82c',
  'SEL-82d',
  'SEL-85',
  'SEL-103',
  'SEL-104',
  'SEL-107',
  'SEL-108',
  'ABL-105',
] as const;
export type Lovgrundlag = (typeof LOVGRUNDLAG)[number];

/** Ydelse-linje: one classified ydelse with its own period. slutdato null = open-ended. */
export interface YdelseLinje {
  readonly ydelseLinjeId: string;
  readonly ydelse: Kode;
  readonly startdato: string;
  readonly slutdato: string | null;
}

/** Indsatsmål: structured goal set by the myndighed (reference.md §2.5). */
export interface Indsatsmaal {
  readonly indsatsmaalId: string;
  /** Ordinal inside the bestilling ("Indsatsmål 1"), kept when others end. */
  readonly nummer: number;
  readonly maalformulering: string;
  readonly maaltype: Kode;
  /** Exactly one A&D undertema. */
  readonly undertema: Kode;
  readonly aktueltFunktionsevneniveau: Kode;
  readonly forventetFunktionsevneniveau: Kode;
  readonly opfoelgningsdato: string;
  readonly ansvarligForOpfoelgning: string;
  readonly relateredeUndertemaer: readonly Kode[];
}

export interface BestillingIndhold {
  readonly tilbudstype: Kode;
  readonly lovgrundlag: readonly Lovgrundlag[];
  readonly ydelser: readonly YdelseLinje[];
  readonly primaerMaalgruppe: Kode;
  readonly oevrigeMaalgrupper: readonly Kode[];
  readonly stoettebehov: Kode;
  readonly borgerensOensker: string;
  readonly indsatsformaal: string;
  readonly indsatsmaal: readonly Indsatsmaal[];
}

/** Bestilling afgivet: the myndighed orders a social indsats from a tilbud. English: order placed. */
export type BestillingAfgivet = DomainEvent<
  'BestillingAfgivet',
  BestillingIndhold & {
    readonly bestillingId: string;
    readonly version: 1;
    readonly borgerId: string;
    readonly kommunekode: string;
    readonly tilbudId: string;
    readonly afgivet: string;
    readonly advarsler: readonly Advarsel[];
  }
>;

/** Bestilling ændret: a new version that adds, changes or ends indsatsmål and ydelser. */
export type BestillingAendret = DomainEvent<
  'BestillingAendret',
  {
    readonly bestillingId: string;
    readonly version: number;
    readonly aendret: string;
    readonly begrundelse: string;
    readonly indsatsformaal?: string;
    readonly stoettebehov?: Kode;
    readonly tilfoejedeIndsatsmaal: readonly Indsatsmaal[];
    readonly aendredeIndsatsmaal: readonly Indsatsmaal[];
    readonly afsluttedeIndsatsmaal: readonly string[];
    readonly tilfoejedeYdelser: readonly YdelseLinje[];
    readonly aendredeYdelser: readonly YdelseLinje[];
    readonly advarsler: readonly Advarsel[];
  }
>;

export type BestillingAnnulleret = DomainEvent<
  'BestillingAnnulleret',
  { readonly bestillingId: string; readonly annulleret: string; readonly begrundelse: string }
>;

/** Kvittering for modtagelse: the udfører confirms it received a version of the bestilling. */
export type BestillingKvitteret = DomainEvent<
  'BestillingKvitteret',
  { readonly bestillingId: string; readonly version: number; readonly kvitteret: string }
>;

export type BestillingAccepteret = DomainEvent<
  'BestillingAccepteret',
  { readonly bestillingId: string; readonly accepteret: string; readonly forventetStartdato: string | null }
>;

export type BestillingAfvist = DomainEvent<
  'BestillingAfvist',
  { readonly bestillingId: string; readonly afvist: string; readonly begrundelse: string }
>;

/** VUM-observation: the udfører's note on a deviation from the borger's normal, tagged with undertemaer (§2.10). */
export type VumObservationRegistreret = DomainEvent<
  'VumObservationRegistreret',
  {
    readonly bestillingId: string;
    readonly observationId: string;
    readonly tekst: string;
    readonly undertemaer: readonly Kode[];
    /** "Borgers situation ændrer sig, så det påvirker indsatsen" (T3). */
    readonly paavirkerIndsatsen: boolean;
    /**
     * The observation records that the borger declines or does not take up the indsats (T1, reference.md §4.1:
     * "an observation recording that the borger declines"). Absent on events stored before it existed: false.
     */
    readonly borgerTagerIkkeImod?: boolean;
    readonly observeret: string;
    readonly registreret: string;
  }
>;

export interface StatusPaaIndsatsmaal {
  readonly indsatsmaalId: string;
  readonly statustekst: string;
}

/** Status på indsatsmål sent from udfører to myndighed; answers every active indsatsmål. */
export type StatusSendt = DomainEvent<
  'StatusSendt',
  {
    readonly bestillingId: string;
    readonly statusId: string;
    readonly indsatsmaal: readonly StatusPaaIndsatsmaal[];
    readonly sendt: string;
  }
>;

export const TILBAGEMELDING_TRIGGERE = ['T1', 'T2', 'T3', 'ANDET'] as const;

/**
 * The most observations one tilbagemelding may lay before the sagsbehandler. It bounds the size of the integration
 * event (which carries each observation in full), so no command can make a message the broker refuses.
 */
export const MAX_OBSERVATIONER_PR_TILBAGEMELDING = 20;
/** T1 borger tager ikke imod; T2 ingen udvikling/fastholdelse/begrænset tab som måltypen forventer; T3 situation ændret. */
export type TilbagemeldingTrigger = (typeof TILBAGEMELDING_TRIGGERE)[number];

export interface ObservationReference {
  readonly type: 'vum' | 'delmaal';
  readonly observationId: string;
  /** Set for delmålsobservationer: the delmål the observation belongs to. */
  readonly delmaalId?: string;
}

/** Tilbagemelding: the udfører meets its tilbagemeldingspligt (reference.md §4.1). */
export type TilbagemeldingSendt = DomainEvent<
  'TilbagemeldingSendt',
  {
    readonly bestillingId: string;
    readonly tilbagemeldingId: string;
    readonly trigger: TilbagemeldingTrigger;
    readonly tekst: string;
    readonly indsatsmaalId: string | null;
    readonly observationer: readonly ObservationReference[];
    /** The hub's requirement this tilbagemelding answers (set by the tilbagemeldingspligt rules). */
    readonly opfylderKravId: string | null;
    readonly sendt: string;
  }
>;

export type TilbagemeldingKvitteret = DomainEvent<
  'TilbagemeldingKvitteret',
  {
    readonly bestillingId: string;
    readonly tilbagemeldingId: string;
    readonly kvitteret: string;
    readonly bemaerkning: string | null;
  }
>;

export interface FunktionsevneVurdering {
  readonly undertema: Kode;
  readonly funktionsevneniveau: Kode;
}

/** Opfølgning gennemført by the myndighed (§2.19); always ends in a status på indsats. */
export type OpfoelgningGennemfoert = DomainEvent<
  'OpfoelgningGennemfoert',
  {
    readonly bestillingId: string;
    readonly opfoelgningId: string;
    readonly gennemfoert: string;
    readonly funktionsevne: readonly FunktionsevneVurdering[];
    readonly borgerensVurdering: string;
    readonly udfoerersVurdering: string;
    readonly sagsbehandlersVurdering: string;
    readonly stoettebehov: Kode;
    readonly statusPaaIndsats: Kode;
  }
>;

export type IndsatsAfsluttet = DomainEvent<
  'IndsatsAfsluttet',
  { readonly bestillingId: string; readonly afsluttet: string; readonly slutdato: string; readonly begrundelse: string }
>;

export type BestillingEvent =
  | BestillingAfgivet
  | BestillingAendret
  | BestillingAnnulleret
  | BestillingKvitteret
  | BestillingAccepteret
  | BestillingAfvist
  | VumObservationRegistreret
  | StatusSendt
  | TilbagemeldingSendt
  | TilbagemeldingKvitteret
  | OpfoelgningGennemfoert
  | IndsatsAfsluttet;

/** The stable type names of the bestilling stream; a test keeps this list and the union in step. */
export const BESTILLING_EVENT_TYPES = [
  'BestillingAfgivet',
  'BestillingAendret',
  'BestillingAnnulleret',
  'BestillingKvitteret',
  'BestillingAccepteret',
  'BestillingAfvist',
  'VumObservationRegistreret',
  'StatusSendt',
  'TilbagemeldingSendt',
  'TilbagemeldingKvitteret',
  'OpfoelgningGennemfoert',
  'IndsatsAfsluttet',
] as const satisfies readonly BestillingEvent['type'][];
