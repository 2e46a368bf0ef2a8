export * from './event-store.port';
export * from './errors';
export { handleCommand, readState, StateCache } from './handle-command';
export type { CommandContext, CommandResult, DomainEvent, Folding } from './handle-command';
export { isValidStreamId, STREAM_ID_PATTERN, validateAppend } from './validate-append';
export type { ValidatedEvent } from './validate-append';
export { openSqliteEventStore, SQLITE_SCHEMA_VERSION } from './sqlite/sqlite.event-store';
export type { SqliteEventStoreOptions } from './sqlite/sqlite.event-store';
export { uuidV5 } from './uuid-v5';
