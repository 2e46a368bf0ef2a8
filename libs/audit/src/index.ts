export { openAuditLog, type AuditAction, type AuditChannel, type AuditEntry, type AuditLog } from './audit-log';
export { openSqliteAuditLog } from './sqlite.audit-log';
export { openPostgresAuditLog, type PostgresAuditLogOptions } from './postgres.audit-log';
