export { openPiiVault, openSqlitePiiVault, type PiiVault, type PiiVaultOptions } from './pii-vault';
export { openPostgresPiiVault, type PostgresPiiVaultOptions } from './postgres.pii-vault';
export {
  createTablesOnce,
  openPostgresPool,
  pgError,
  quotedSchema,
  type PostgresPoolOptions,
  type StoreLocation,
} from './postgres-support';
export { copyVault, VaultMigrationRefusedError, type CopyVaultOptions, type CopyVaultResult } from './migration';
