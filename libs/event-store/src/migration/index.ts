export { migrateLog, resumePosition, MigrationRefusedError } from './migrate-log';
export type { MigrateLogOptions, MigrationProgress, MigrationResult } from './migrate-log';
export { verifyLogs, firstDifference, COMPARED_FIELDS } from './verify-logs';
export type { ComparedField, LogDifference, VerifyLogsOptions, VerifyResult } from './verify-logs';
export { appendGroups, appendWriter, importWriter, replayClock } from './log-writer';
export type { AppendGroup, LogWriter, ReplayClock } from './log-writer';
