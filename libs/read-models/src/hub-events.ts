import { tilBestillingEvent, tilDelmaalEvent } from '@hub/domain';
import type { RecordedEvent } from '@hub/event-store';
import type { AnyTransaction } from './read-model';
import { evolveIndsats, type HubEvent, type IndsatsDoc } from './indsats-doc';
import { loadDocs } from './rows';

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

/**
 * The step every read model shares: load the context documents of the bestillinger a batch touches from `table`,
 * fold the batch into them in order, and return the documents that changed. `visit` sees each event with the document
 * as it was just before it (what the observationer model needs to tag an observation by the indsatsmål then).
 */
export async function foldBatch(
  tx: AnyTransaction,
  table: string,
  recorded: readonly RecordedEvent[],
  visit?: (positioned: PositionedEvent, before: IndsatsDoc | null) => void,
): Promise<IndsatsDoc[]> {
  const events = toHubEvents(recorded);
  const docs = await loadDocs<IndsatsDoc>(
    tx,
    table,
    events.map((e) => bestillingIdOf(e.event)),
  );
  const touched = new Set<string>();
  for (const positioned of events) {
    const id = bestillingIdOf(positioned.event);
    const before = docs.get(id) ?? null;
    visit?.(positioned, before);
    const next = evolveIndsats(before, positioned.event, positioned.position);
    if (next) {
      docs.set(id, next);
      touched.add(id);
    }
  }
  return [...touched].map((id) => docs.get(id) as IndsatsDoc);
}
