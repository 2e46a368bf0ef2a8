export {
  openPiiVault,
  openSqlitePiiVault,
  SletningIGangError,
  SLETNING_MARK_MS,
  type Ciphertext,
  type PiiVault,
  type PiiVaultOptions,
} from './pii-vault';
export { openPostgresPiiVault, type PostgresPiiVaultOptions } from './postgres.pii-vault';
// The PostgreSQL support every store shares lives in @hub/event-store; re-exported for the stores built on the vault's.
export {
  createTablesOnce,
  openPostgresPool,
  pgError,
  quotedSchema,
  type PostgresPoolOptions,
  type StoreLocation,
} from '@hub/event-store';
export { copyVault, VaultMigrationRefusedError, type CopyVaultOptions, type CopyVaultResult } from './migration';
export { borgerAfTekst, erKrypteretTekst, Fritekst } from './fritekst';
