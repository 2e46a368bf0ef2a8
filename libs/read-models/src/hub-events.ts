import { tilBestillingEvent, tilDelmaalEvent } from '@hub/domain';
import type { RecordedEvent } from '@hub/event-store';
import type { HubEvent } from './indsats-doc';

/** A stored event as the current domain event (through the upcasters), with its position. */
export interface PositionedEvent {
  readonly event: HubEvent;
  readonly position: number;
  readonly recordedAt: string;
}

export function toHubEvents(recorded: readonly RecordedEvent[]): PositionedEvent[] {
  return recorded.flatMap((r) => {
    const event = r.streamId.startsWith('bestilling-')
      ? tilBestillingEvent(r)
      : r.streamId.startsWith('delmaal-')
        ? tilDelmaalEvent(r)
        : undefined;
    return event ? [{ event, position: r.position, recordedAt: r.recordedAt }] : [];
  });
}

export const bestillingIdOf = (event: HubEvent): string => event.data.bestillingId;
