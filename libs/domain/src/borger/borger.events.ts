import type { DomainEvent } from '../shared/decider';

/** A bestilling an erasure reached, with the parties that received it (and so receive the erasure notice). */
export interface SlettetBestilling {
  readonly bestillingId: string;
  readonly kommunekode: string;
  readonly tilbudId: string;
}

/**
 * Borger slettet: the myndighed erased the borger (GDPR art. 17, design.md §3). The borger's data key is deleted from
 * the PII vault (crypto-shredding), so the CPR and every free text written about the borger can no longer be read
 * anywhere: in the log, the read models, a replay or a backup. The event itself carries no personal data.
 */
export type BorgerSlettet = DomainEvent<
  'BorgerSlettet',
  {
    readonly borgerId: string;
    /** The kommune whose myndighed erased the borger. */
    readonly kommunekode: string;
    readonly slettet: string;
    /** Every bestilling of the borger when it was erased: the parties that receive the erasure notice. */
    readonly bestillinger: readonly SlettetBestilling[];
  }
>;

export type BorgerEvent = BorgerSlettet;

export const BORGER_EVENT_TYPES = ['BorgerSlettet'] as const satisfies readonly BorgerEvent['type'][];

export const toBorgerStreamId = (borgerId: string): string => `borger-${borgerId}`;

/** What every erased free text reads as, wherever it is shown. */
export const SLETTET_TEKST = '[slettet]';
