import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteReadDb } from './read-db';
import { describeReadStoreContract } from './testing/read-store.contract';

describeReadStoreContract(
  'SQLite',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-sqlite-'));
    const readDb = openSqliteReadDb(join(dir, 'read.sqlite'));
    return { readDb, cleanup: async () => (await readDb.close(), rmSync(dir, { recursive: true, force: true })) };
  },
  { runs: 25 },
);
