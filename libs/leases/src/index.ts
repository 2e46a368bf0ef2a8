export { openPostgresLeaseStore, openSqliteLeaseStore } from './lease-store';
export type { LeaseGrant, LeaseInfo, LeaseStore } from './lease-store';
export { SingleActive } from './single-active';
export type { LeasedWorker, SingleActiveOptions, SingleActiveState, SingleActiveStatus } from './single-active';
