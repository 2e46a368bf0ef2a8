import type { BorgerEvent } from '@hub/domain';
import type { PartyRef } from '../topics';
import type { IntegrationMessage } from './integration-event';

/**
 * To every party that received the borger's bestillinger: the myndighed erased the borger (GDPR art. 17). The hub can
 * no longer read the CPR or any free text about the borger; the receiver deletes its copies of what the hub sent about
 * these bestillinger. It carries no personal data.
 */
export interface ApiBorgerSlettetV1 {
  readonly borgerId: string;
  /** The bestillinger of the borger this party received, each the subject and key of earlier messages. */
  readonly bestillingIds: readonly string[];
  readonly slettet: string;
}

/**
 * One notice per party topic: the myndighed of each kommune and the udfører of each tilbud among the bestillinger. Key
 * and subject are the borgerId: the notice is about the borger, across bestillinger. The relay publishes it after every
 * earlier message in the log was acknowledged.
 */
export function mapBorgerEvent(event: BorgerEvent): readonly IntegrationMessage[] {
  const d = event.data;
  const recipients = new Map<string, { readonly recipient: PartyRef; readonly bestillingIds: string[] }>();
  const add = (recipient: PartyRef, bestillingId: string) => {
    const key = `${recipient.party}:${recipient.id}`;
    const entry = recipients.get(key) ?? { recipient, bestillingIds: [] };
    if (!entry.bestillingIds.includes(bestillingId)) entry.bestillingIds.push(bestillingId);
    recipients.set(key, entry);
  };
  for (const b of d.bestillinger) {
    add({ party: 'myndighed', id: b.kommunekode }, b.bestillingId);
    add({ party: 'udfoerer', id: b.tilbudId }, b.bestillingId);
  }
  return [...recipients.values()].map(({ recipient, bestillingIds }): IntegrationMessage<ApiBorgerSlettetV1> => ({
    type: 'dk.ffb.borger.slettet.v1',
    recipient,
    subject: d.borgerId,
    sensitivity: 'fortrolig',
    data: { borgerId: d.borgerId, bestillingIds, slettet: d.slettet },
  }));
}
