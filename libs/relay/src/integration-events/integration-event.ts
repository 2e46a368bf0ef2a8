import type { ObservationReference } from '@hub/domain';
import type { PartyRef } from '../topics';

/**
 * Sikkerhedsklassificering of a message (the Beskedfordeler envelope's field, as a CloudEvents extension). Every
 * message about a borger is `fortrolig`: that a borger receives a social indsats is itself sensitive data
 * (GDPR art. 9, "væsentlige sociale problemer"); events carry only the pseudonymous borgerId. `fortrolig-cpr` marks
 * the one message that also carries the CPR (bestilling afgivet, to the udfører), which needs the care of a direct
 * identifier: keep it out of logs, store it like the hub's vault does.
 */
export type Sensitivity = 'fortrolig' | 'fortrolig-cpr';

/** A public integration event addressed to one party: what the relay sends, before the Kafka envelope. */
export interface IntegrationMessage<Data = unknown> {
  /** The CloudEvents type, versioned: `dk.ffb.bestilling.afgivet.v1`. */
  readonly type: string;
  readonly recipient: PartyRef;
  /** The bestilling (indsats) the message is about: CloudEvents subject and the Kafka key, so each indsats keeps its order. */
  readonly subject: string;
  readonly sensitivity: Sensitivity;
  readonly data: Data;
}

/** Who a bestilling belongs to, read from its first event (BestillingAfgivet): the store is the truth. */
export interface BestillingParter {
  readonly bestillingId: string;
  readonly kommunekode: string;
  readonly tilbudId: string;
  readonly borgerId: string;
}

/** An observation as the myndighed sees it when it is shared (reference.md §4.1–4.3). */
export type DeltObservation =
  | {
      readonly type: 'vum';
      readonly observationId: string;
      readonly tekst: string;
      readonly undertemaer: readonly ApiKode[];
      readonly paavirkerIndsatsen: boolean;
      /** The borger declines the indsats (T1); false on observations stored before the domain recorded it. */
      readonly borgerTagerIkkeImod: boolean;
      readonly observeret: string;
    }
  | {
      readonly type: 'delmaal';
      readonly observationId: string;
      readonly delmaalId: string;
      readonly observation: string;
      readonly refleksion: string | null;
      readonly score: number | null;
      readonly observeret: string;
    };

/** What a mapper may look up beyond the event itself. Every answer comes from the store or the PII vault. */
export interface MappingContext {
  parter(bestillingId: string): Promise<BestillingParter>;
  /** The borger's CPR from the PII vault; null when the borger was erased. */
  laesCpr(borgerId: string): Promise<string | null>;
  observation(bestillingId: string, reference: ObservationReference): Promise<DeltObservation>;
}

/** An FFB code in public messages: the same triple the events store (code UUID, display, CodeSystem version). */
export interface ApiKode {
  readonly code: string;
  readonly display: string;
  readonly version: string;
}
