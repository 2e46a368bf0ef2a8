import type { RecordedEvent } from '@hub/event-store';
import type { IntegrationMessage } from './integration-events/integration-event';
import { partyLabel } from './topics';

/**
 * CloudEvents 1.0, Kafka protocol binding, binary content mode: the attributes are headers `ce_<name>`, the data is
 * the record value, the key is the bestilling id. Extension names are lowercase alphanumeric (CloudEvents §3.1.1);
 * the `ffb` ones carry the Beskedfordeler envelope's sender, recipient and sensitivity, and the hub's trace ids.
 */
export const CE = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  subject: 'ce_subject',
  time: 'ce_time',
  dataschema: 'ce_dataschema',
  contentType: 'content-type',
  sender: 'ce_ffbsender',
  recipient: 'ce_ffbrecipient',
  sensitivity: 'ce_ffbsensitivity',
  correlationId: 'ce_ffbcorrelationid',
  causationId: 'ce_ffbcausationid',
} as const;

export const SPEC_VERSION = '1.0';
export const JSON_CONTENT_TYPE = 'application/json';

export const schemaUri = (type: string): string => `urn:ffb-hub:schema:${type}`;

/** Who caused an event, from its metadata: `myndighed:0101`, `udfoerer:tilbud-4711`, or the hub itself. */
export function senderOf(event: RecordedEvent): string {
  const actor = event.metadata.actor;
  if (actor.party === 'myndighed' && actor['kommunekode'])
    return partyLabel({ party: 'myndighed', id: actor['kommunekode'] });
  if (actor.party === 'udfoerer' && actor['tilbudId']) return partyLabel({ party: 'udfoerer', id: actor['tilbudId'] });
  return 'hub';
}

/**
 * The headers of one message. `ce_id` is the stored event's id, so a consumer dedupes redeliveries on it; when one
 * event gives several messages, each goes to another recipient (another topic), so the id stays unique per topic.
 */
export function cloudEventHeaders(
  event: RecordedEvent,
  message: IntegrationMessage,
  source: string,
): Record<string, string> {
  return {
    [CE.specversion]: SPEC_VERSION,
    [CE.id]: event.eventId,
    [CE.type]: message.type,
    [CE.source]: source,
    [CE.subject]: message.subject,
    [CE.time]: event.metadata.occurredAt,
    [CE.dataschema]: schemaUri(message.type),
    [CE.contentType]: JSON_CONTENT_TYPE,
    [CE.sender]: senderOf(event),
    [CE.recipient]: partyLabel(message.recipient),
    [CE.sensitivity]: message.sensitivity,
    [CE.correlationId]: event.metadata.correlationId,
    [CE.causationId]: event.metadata.causationId,
  };
}
