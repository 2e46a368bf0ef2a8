import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import { openAuditLog } from './audit-log';
import { describeAuditLogContract } from './testing/audit-log.contract';

describeAuditLogContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  return {
    open: () => openAuditLog({ kind: 'sqlite', file: join(dir, 'audit.sqlite') }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describeAuditLogContract('PostgreSQL', async () => {
  await requirePostgres();
  const schema = `au_${randomBytes(6).toString('hex')}`;
  return {
    open: () => openAuditLog({ kind: 'postgres', connectionString: PG_URL, schema }),
    cleanup: () => dropSchema(schema),
  };
});
