import { BESTILLING_EVENT_TYPES, type BestillingEvent } from './bestilling/bestilling.events';
import { DELMAAL_EVENT_TYPES, type DelmaalEvent } from './delmaal/delmaal.events';
import { PLIGT_EVENT_TYPES, type PligtEvent } from './tilbagemeldingspligt/pligt.events';
import { BORGER_EVENT_TYPES, type BorgerEvent } from './borger/borger.events';

/** The schema version each event type is written with today. A change of shape bumps it and adds an upcaster. */
export const CURRENT_SCHEMA_VERSION = 1;

export interface StoredEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: { readonly schemaVersion: number };
}

/** Upcasters by type, then by the version they read: each returns the data of the next version. */
type Upcasters = Record<string, Record<number, (data: unknown) => unknown>>;
const UPCASTERS: Upcasters = {};

function upcast(event: StoredEvent, known: readonly string[]): { type: string; data: unknown } {
  if (!known.includes(event.type)) throw new Error(`Unknown event type ${event.type} in this stream`);
  let { schemaVersion } = event.metadata;
  if (schemaVersion > CURRENT_SCHEMA_VERSION) {
    throw new Error(
      `${event.type} has schema version ${schemaVersion}; this hub reads up to ${CURRENT_SCHEMA_VERSION}`,
    );
  }
  let data = event.data;
  while (schemaVersion < CURRENT_SCHEMA_VERSION) {
    const step = UPCASTERS[event.type]?.[schemaVersion];
    if (!step) throw new Error(`No upcaster for ${event.type} from schema version ${schemaVersion}`);
    data = step(data);
    schemaVersion += 1;
  }
  return { type: event.type, data };
}

export const tilBestillingEvent = (event: StoredEvent): BestillingEvent =>
  upcast(event, BESTILLING_EVENT_TYPES) as BestillingEvent;
export const tilDelmaalEvent = (event: StoredEvent): DelmaalEvent => upcast(event, DELMAAL_EVENT_TYPES) as DelmaalEvent;
export const tilPligtEvent = (event: StoredEvent): PligtEvent => upcast(event, PLIGT_EVENT_TYPES) as PligtEvent;
export const tilBorgerEvent = (event: StoredEvent): BorgerEvent => upcast(event, BORGER_EVENT_TYPES) as BorgerEvent;
