export { openKurrentDbEventStore } from './kurrentdb.event-store';
export type { KurrentDbEventStoreOptions } from './kurrentdb.event-store';
