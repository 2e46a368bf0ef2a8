import type { Command, DomainEvent } from '../shared/decider';

/** Delmålsplan (Høje-Taastrup [003]: "blandt andet" — the list is open, these are the named parts). */
export interface Delmaalsplan {
  readonly formaal: string;
  readonly borgerensMotivation: string;
  readonly ressourcerOgUdfordringer: string;
  readonly borgerensIndsats: string;
  readonly medarbejdernesIndsatsOgMetode: string;
}

/** Delmål oprettet: the udfører sets a sub-goal under an indsatsmål, with the borger (reference.md §2.8). */
export type DelmaalOprettet = DomainEvent<
  'DelmaalOprettet',
  {
    readonly delmaalId: string;
    readonly bestillingId: string;
    readonly indsatsmaalId: string;
    readonly borgerId: string;
    readonly kommunekode: string;
    readonly tilbudId: string;
    readonly navn: string;
    readonly delmaalsplan: Delmaalsplan;
    readonly startdato: string;
    readonly evalueringsdato: string | null;
    readonly slutdato: string;
    readonly ansvarlig: string;
    readonly oprettet: string;
  }
>;

/** Delmålsobservation = resultatdokumentation on one delmål; observation kept apart from refleksion. */
export type DelmaalsobservationRegistreret = DomainEvent<
  'DelmaalsobservationRegistreret',
  {
    readonly delmaalId: string;
    readonly bestillingId: string;
    readonly observationId: string;
    readonly observation: string;
    readonly refleksion: string | null;
    /** 0–4 støttebehov score where the tilbud scores (R-28; Bosted model). */
    readonly score: number | null;
    readonly observeret: string;
    readonly registreret: string;
  }
>;

export const UDVIKLING = ['fremgang', 'uaendret', 'tilbagegang'] as const;
/** The movement the evaluation concludes; T2 of the tilbagemeldingspligt reads it against the måltype. */
export type Udvikling = (typeof UDVIKLING)[number];

/** Evaluering af delmål (Bosted fields, reference.md §2.12) with a konklusion that "flies" into the status. */
export type DelmaalEvalueret = DomainEvent<
  'DelmaalEvalueret',
  {
    readonly delmaalId: string;
    readonly bestillingId: string;
    readonly evalueringId: string;
    readonly dato: string;
    readonly hvordanGaarDet: string;
    readonly virkningForBorgeren: string;
    readonly borgerensOplevelse: string;
    readonly refleksionerOverMetoder: string;
    readonly giverAnledningTilAendringer: boolean;
    readonly udvikling: Udvikling;
    readonly konklusion: string;
    readonly evalueret: string;
  }
>;

export const MAALOPFYLDELSE = ['opnaaet', 'delvist_opnaaet', 'ikke_opnaaet'] as const;
export type Maalopfyldelse = (typeof MAALOPFYLDELSE)[number];

export type DelmaalAfsluttet = DomainEvent<
  'DelmaalAfsluttet',
  {
    readonly delmaalId: string;
    readonly bestillingId: string;
    readonly afsluttet: string;
    readonly maalopfyldelse: Maalopfyldelse;
    readonly konklusion: string;
  }
>;

export type DelmaalEvent = DelmaalOprettet | DelmaalsobservationRegistreret | DelmaalEvalueret | DelmaalAfsluttet;

export const DELMAAL_EVENT_TYPES = [
  'DelmaalOprettet',
  'DelmaalsobservationRegistreret',
  'DelmaalEvalueret',
  'DelmaalAfsluttet',
] as const satisfies readonly DelmaalEvent['type'][];

export type OpretDelmaal = Command<
  'OpretDelmaal',
  {
    readonly delmaalId: string;
    readonly bestillingId: string;
    readonly indsatsmaalId: string;
    readonly navn: string;
    readonly delmaalsplan: Delmaalsplan;
    readonly startdato: string;
    readonly evalueringsdato?: string | null;
    readonly slutdato: string;
    readonly ansvarlig: string;
  }
>;

export type RegistrerDelmaalsobservation = Command<
  'RegistrerDelmaalsobservation',
  {
    readonly delmaalId: string;
    readonly observationId: string;
    readonly observation: string;
    readonly refleksion?: string | null;
    readonly score?: number | null;
    readonly observeret: string;
  }
>;

export type EvaluerDelmaal = Command<
  'EvaluerDelmaal',
  {
    readonly delmaalId: string;
    readonly evalueringId: string;
    readonly dato: string;
    readonly hvordanGaarDet: string;
    readonly virkningForBorgeren: string;
    readonly borgerensOplevelse: string;
    readonly refleksionerOverMetoder: string;
    readonly giverAnledningTilAendringer: boolean;
    readonly udvikling: Udvikling;
    readonly konklusion: string;
  }
>;

export type AfslutDelmaal = Command<
  'AfslutDelmaal',
  { readonly delmaalId: string; readonly maalopfyldelse: Maalopfyldelse; readonly konklusion: string }
>;

export type DelmaalCommand = OpretDelmaal | RegistrerDelmaalsobservation | EvaluerDelmaal | AfslutDelmaal;
