export { openSqlitePiiVault, type PiiVault } from './pii-vault';
