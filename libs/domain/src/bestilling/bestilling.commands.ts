import type { Command } from '../shared/decider';
import type {
  Lovgrundlag,
  ObservationReference,
  StatusPaaIndsatsmaal,
  TilbagemeldingTrigger,
} from './bestilling.events';

/**
 * Commands carry FFB codes as UUID strings; the decider resolves them against the catalog. Inputs come from
 * fagsystemer over HTTP and Kafka, so some fields admit the shapes integrations send (e.g. several undertemaer)
 * only so that the domain can refuse them with the rule that forbids them.
 */
export interface IndsatsmaalInput {
  readonly indsatsmaalId: string;
  readonly maalformulering: string;
  readonly maaltype: string;
  /** One A&D undertema code. A list is accepted as input only to be refused with R-02 unless it has one element. */
  readonly undertema: string | readonly string[];
  readonly aktueltFunktionsevneniveau: string;
  readonly forventetFunktionsevneniveau: string;
  readonly opfoelgningsdato: string;
  readonly ansvarligForOpfoelgning: string;
  readonly relateredeUndertemaer?: readonly string[];
}

export interface YdelseInput {
  readonly ydelseLinjeId: string;
  readonly ydelse: string;
  readonly startdato: string;
  readonly slutdato?: string | null;
}

export type AfgivBestilling = Command<
  'AfgivBestilling',
  {
    readonly bestillingId: string;
    readonly borgerId: string;
    readonly kommunekode: string;
    readonly tilbudId: string;
    readonly tilbudstype: string;
    readonly lovgrundlag: readonly Lovgrundlag[];
    readonly ydelser: readonly YdelseInput[];
    readonly primaerMaalgruppe: string | readonly string[];
    readonly oevrigeMaalgrupper?: readonly string[];
    readonly stoettebehov: string | readonly string[];
    readonly borgerensOensker: string;
    readonly indsatsformaal: string;
    readonly indsatsmaal: readonly IndsatsmaalInput[];
  }
>;

export type AendrBestilling = Command<
  'AendrBestilling',
  {
    readonly bestillingId: string;
    readonly begrundelse: string;
    readonly indsatsformaal?: string;
    readonly stoettebehov?: string;
    readonly tilfoejIndsatsmaal?: readonly IndsatsmaalInput[];
    /** Full replacement of existing, active indsatsmål, by id. */
    readonly aendrIndsatsmaal?: readonly IndsatsmaalInput[];
    readonly afslutIndsatsmaal?: readonly string[];
    readonly tilfoejYdelser?: readonly YdelseInput[];
    /** Full replacement of existing ydelse-linjer, by id (e.g. a new slutdato ends a ydelse). */
    readonly aendrYdelser?: readonly YdelseInput[];
  }
>;

export type AnnullerBestilling = Command<
  'AnnullerBestilling',
  { readonly bestillingId: string; readonly begrundelse: string }
>;
export type KvitterBestilling = Command<
  'KvitterBestilling',
  { readonly bestillingId: string; readonly version: number }
>;
export type AccepterBestilling = Command<
  'AccepterBestilling',
  { readonly bestillingId: string; readonly forventetStartdato?: string | null }
>;
export type AfvisBestilling = Command<
  'AfvisBestilling',
  { readonly bestillingId: string; readonly begrundelse: string }
>;

export type RegistrerVumObservation = Command<
  'RegistrerVumObservation',
  {
    readonly bestillingId: string;
    readonly observationId: string;
    readonly tekst: string;
    readonly undertemaer: readonly string[];
    readonly paavirkerIndsatsen: boolean;
    readonly borgerTagerIkkeImod?: boolean;
    readonly observeret: string;
  }
>;

export type SendStatus = Command<
  'SendStatus',
  { readonly bestillingId: string; readonly statusId: string; readonly indsatsmaal: readonly StatusPaaIndsatsmaal[] }
>;

export type SendTilbagemelding = Command<
  'SendTilbagemelding',
  {
    readonly bestillingId: string;
    readonly tilbagemeldingId: string;
    readonly trigger: TilbagemeldingTrigger;
    readonly tekst: string;
    readonly indsatsmaalId?: string | null;
    readonly observationer?: readonly ObservationReference[];
    readonly opfylderKravId?: string | null;
  }
>;

export type KvitterTilbagemelding = Command<
  'KvitterTilbagemelding',
  { readonly bestillingId: string; readonly tilbagemeldingId: string; readonly bemaerkning?: string | null }
>;

export interface FunktionsevneInput {
  readonly undertema: string;
  readonly funktionsevneniveau: string;
}

export type GennemfoerOpfoelgning = Command<
  'GennemfoerOpfoelgning',
  {
    readonly bestillingId: string;
    readonly opfoelgningId: string;
    readonly funktionsevne: readonly FunktionsevneInput[];
    readonly borgerensVurdering: string;
    readonly udfoerersVurdering: string;
    readonly sagsbehandlersVurdering: string;
    readonly stoettebehov: string | readonly string[];
    readonly statusPaaIndsats?: string | null;
  }
>;

export type AfslutIndsats = Command<
  'AfslutIndsats',
  { readonly bestillingId: string; readonly slutdato: string; readonly begrundelse: string }
>;

export type BestillingCommand =
  | AfgivBestilling
  | AendrBestilling
  | AnnullerBestilling
  | KvitterBestilling
  | AccepterBestilling
  | AfvisBestilling
  | RegistrerVumObservation
  | SendStatus
  | SendTilbagemelding
  | KvitterTilbagemelding
  | GennemfoerOpfoelgning
  | AfslutIndsats;
