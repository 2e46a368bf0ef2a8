import type { Command, DomainEvent } from '../shared/decider';

/**
 * The tilbagemeldingspligt aggregate (reference.md §4.1–4.2, R-35): what the hub's reactive rules have recorded about
 * one bestilling: tilbagemeldinger it requires of the udfører, when they were met, and the reminders, escalations and
 * overdue notices it sent to either party. One stream per bestilling (`tilbagemeldingspligt-<bestillingId>`), apart
 * from the bestilling's own, so a reminder never moves the revision (ETag) a fagsystem holds for the bestilling.
 *
 * Every event says which rule (id and version) recorded it and which stored events caused it, so a sagsbehandler can
 * see why, and compliance can be counted (Q-A11).
 */

/** A rule and the version of it that fired. */
export interface RegelReference {
  readonly id: string;
  readonly version: number;
}

/** Triggers the rules require a tilbagemelding for (the list in reference.md §4.1 is open; ANDET stays manual). */
export const KRAV_TRIGGERE = ['T1', 'T2', 'T3'] as const;
export type KravTrigger = (typeof KRAV_TRIGGERE)[number];

/** påkrævet: the duty applies (T1, T2); anbefalet: the hub recommends reporting (T3, reference.md §4.1 "Det kunne være"). */
export const KRAV_NIVEAUER = ['paakraevet', 'anbefalet'] as const;
export type KravNiveau = (typeof KRAV_NIVEAUER)[number];

/** What a reminder is about (reference.md §4.2's durable deadlines, and the duties above). */
export const PAAMINDELSE_ARTER = [
  'bestilling_ikke_kvitteret',
  'status_til_opfoelgning',
  'opfoelgning_naermer_sig',
  'opfoelgning_overskredet',
  'delmaal_udokumenteret',
  'delmaal_evaluering_overskredet',
  'delmaal_slutdato_overskredet',
  'tilbagemelding_ikke_kvitteret',
  'tilbagemeldingskrav_overskredet',
] as const;
export type PaamindelseArt = (typeof PAAMINDELSE_ARTER)[number];

export const MODTAGERE = ['udfoerer', 'myndighed'] as const;
export type Modtager = (typeof MODTAGERE)[number];

/** påmindelse: before or at a deadline; overskredet: the deadline passed; eskalering: raised to the other party. */
export const ALVORSGRADER = ['paamindelse', 'overskredet', 'eskalering'] as const;
export type Alvor = (typeof ALVORSGRADER)[number];

/** What a reminder points at; every id is optional, the art says which are set. */
export interface PaamindelseEmne {
  readonly version?: number;
  readonly indsatsmaalId?: string;
  readonly delmaalId?: string;
  readonly tilbagemeldingId?: string;
  readonly kravId?: string;
  /** The date the reminder is about (an opfølgningsdato, an evalueringsdato, a slutdato, a frist). */
  readonly dato?: string;
}

/** The parties of the bestilling, on every event, so each can be routed and scoped without another stream. */
export interface PligtParter {
  readonly bestillingId: string;
  readonly kommunekode: string;
  readonly tilbudId: string;
}

/** Why the hub recorded it: the rule and the stored events (ids) that made it fire. */
export interface Begrundet {
  readonly regel: RegelReference;
  readonly aarsager: readonly string[];
}

/** The hub requires (or recommends) a tilbagemelding from the udfører, by a frist. English: report-back required. */
export type TilbagemeldingKraevet = DomainEvent<
  'TilbagemeldingKraevet',
  PligtParter &
    Begrundet & {
      readonly kravId: string;
      readonly borgerId: string;
      readonly trigger: KravTrigger;
      readonly niveau: KravNiveau;
      readonly indsatsmaalId: string | null;
      readonly delmaalId: string | null;
      /** Danish, generated from the rule and the figures it saw; never the borger's own data. */
      readonly begrundelse: string;
      /** The date the tilbagemelding is expected by. */
      readonly frist: string;
      readonly kraevet: string;
    }
>;

/** A tilbagemelding that references the krav was sent: the duty is met. */
export type TilbagemeldingskravOpfyldt = DomainEvent<
  'TilbagemeldingskravOpfyldt',
  PligtParter &
    Begrundet & {
      readonly kravId: string;
      readonly tilbagemeldingId: string;
      readonly opfyldt: string;
    }
>;

/** Why a krav lapsed without a tilbagemelding: the indsats or its indsatsmål ended, or a recommendation ran out. */
export const BORTFALDSAARSAGER = ['indsats_afsluttet', 'indsatsmaal_afsluttet', 'anbefaling_udloebet'] as const;
export type Bortfaldsaarsag = (typeof BORTFALDSAARSAGER)[number];

/**
 * A krav lapsed unmet: nothing can meet it any more (the indsats or its indsatsmål ended), or it was a recommendation
 * (T3, anbefalet) whose frist passed. It leaves the open duties; compliance counts it apart.
 */
export type TilbagemeldingskravBortfaldet = DomainEvent<
  'TilbagemeldingskravBortfaldet',
  PligtParter &
    Begrundet & {
      readonly kravId: string;
      readonly aarsag: Bortfaldsaarsag;
      readonly bortfaldet: string;
    }
>;

/** A reminder, an overdue notice or an escalation sent to one party. */
export type PaamindelseSendt = DomainEvent<
  'PaamindelseSendt',
  PligtParter &
    Begrundet & {
      readonly paamindelseId: string;
      readonly art: PaamindelseArt;
      readonly modtager: Modtager;
      readonly alvor: Alvor;
      readonly emne: PaamindelseEmne;
      /** Danish text for the recipient's worklist. */
      readonly tekst: string;
      /** When the deadline behind it fell due. */
      readonly forfald: string;
      readonly sendt: string;
    }
>;

/** What the reminder waited for happened (or its subject ended): it leaves the recipient's open items. */
export type PaamindelseAfsluttet = DomainEvent<
  'PaamindelseAfsluttet',
  PligtParter &
    Begrundet & {
      readonly paamindelseId: string;
      /** The reminder's recipient, from the PaamindelseSendt it closes. */
      readonly modtager: Modtager;
      readonly afsluttet: string;
    }
>;

export type PligtEvent =
  | TilbagemeldingKraevet
  | TilbagemeldingskravOpfyldt
  | TilbagemeldingskravBortfaldet
  | PaamindelseSendt
  | PaamindelseAfsluttet;

export const PLIGT_EVENT_TYPES = [
  'TilbagemeldingKraevet',
  'TilbagemeldingskravOpfyldt',
  'TilbagemeldingskravBortfaldet',
  'PaamindelseSendt',
  'PaamindelseAfsluttet',
] as const satisfies readonly PligtEvent['type'][];

type Uden<T, K extends keyof T> = Omit<T, K>;

/** Commands only the hub's rules send (never a party): their ids are derived from the rule, subject and cause. */
export type KraevTilbagemelding = Command<'KraevTilbagemelding', Uden<TilbagemeldingKraevet['data'], 'kraevet'>>;
export type RegistrerKravOpfyldt = Command<
  'RegistrerKravOpfyldt',
  Uden<TilbagemeldingskravOpfyldt['data'], 'opfyldt' | 'kommunekode' | 'tilbudId'>
>;
export type LadKravBortfalde = Command<
  'LadKravBortfalde',
  Uden<TilbagemeldingskravBortfaldet['data'], 'bortfaldet' | 'kommunekode' | 'tilbudId'>
>;
export type SendPaamindelse = Command<'SendPaamindelse', Uden<PaamindelseSendt['data'], 'sendt'>>;
export type AfslutPaamindelse = Command<
  'AfslutPaamindelse',
  Uden<PaamindelseAfsluttet['data'], 'afsluttet' | 'kommunekode' | 'tilbudId' | 'modtager'>
>;

export type PligtCommand =
  KraevTilbagemelding | RegistrerKravOpfyldt | LadKravBortfalde | SendPaamindelse | AfslutPaamindelse;
