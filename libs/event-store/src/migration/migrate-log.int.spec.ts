import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidAppendError } from '../errors';
import type { EventStore } from '../event-store.port';
import { openPostgresEventStore } from '../postgres/postgres.event-store';
import { openSqliteEventStore } from '../sqlite/sqlite.event-store';
import { dropSchema, PG_URL, requirePostgres } from '../testing/postgres';
import { migrateLog, MigrationRefusedError } from './migrate-log';
import { writeHistoryFile, EVENTS_PER_BESTILLING } from './testing/history-file';
import { verifyLogs } from './verify-logs';

/** 10,102 bestillinger of the benchmark history: 1,000,098 events. */
const BESTILLINGER = Math.ceil(1_000_000 / EVENTS_PER_BESTILLING);

describe('migrateLog SQLite → PostgreSQL', () => {
  let dir: string;
  const schemas: string[] = [];
  const fresh = (): string => {
    const schema = `mig_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return schema;
  };
  const log = (line: string): void => {
    process.stderr.write(`[migrate-log.int] ${line}\n`);
  };

  beforeAll(requirePostgres);
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'migrate-'))));
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  it('copies a realistic history of 1,000,000+ events and both logs compare equal event by event', async () => {
    const file = join(dir, 'events.sqlite');
    let started = Date.now();
    const written = await writeHistoryFile(file, BESTILLINGER);
    log(`generated ${written} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(written).toBeGreaterThanOrEqual(1_000_000);

    const source = openSqliteEventStore({ file });
    const target = await openPostgresEventStore({ connectionString: PG_URL, schema: fresh() });
    try {
      const progress: number[] = [];
      const result = await migrateLog({
        source,
        target,
        batchSize: 5000,
        onProgress: (p) => progress.push(p.copied),
      });
      log(
        `migrated ${result.copied} events in ${(result.elapsedMs / 1000).toFixed(1)} s, ${Math.round(result.eventsPerSecond)} events/s`,
      );
      expect(result).toMatchObject({ resumedAt: 0, copied: written, head: written });
      expect(progress).toHaveLength(Math.ceil(written / 5000));
      expect(await target.headPosition()).toBe(written);

      started = Date.now();
      const verified = await verifyLogs(source, target, { pageSize: 10_000 });
      log(`verified ${verified.compared} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      expect(verified).toEqual({ equal: true, compared: written });
    } finally {
      await target.close();
      await source.close();
    }
  }, 600_000);

  it('refuses a PostgreSQL target holding another log before writing anything, and resumes a prefix', async () => {
    const file = join(dir, 'events.sqlite');
    const otherFile = join(dir, 'other.sqlite');
    await writeHistoryFile(file, 30);
    const other = openSqliteEventStore({ file: otherFile });
    const source = openSqliteEventStore({ file });
    const schema = fresh();
    let target = await openPostgresEventStore({ connectionString: PG_URL, schema });
    const closeAll = (): Promise<unknown> => Promise.all([other.close(), source.close(), target.close()]);
    try {
      await other.appendToStream(
        'andet-1',
        [
          {
            eventId: '00000000-0000-4000-8000-00000000abcd',
            type: 'Andet',
            data: {},
            metadata: {
              schemaVersion: 1,
              occurredAt: '2026-01-01T00:00:00.000Z',
              correlationId: '00000000-0000-4000-8000-00000000abce',
              causationId: '00000000-0000-4000-8000-00000000abcf',
              actor: { party: 'test', subject: 't' },
            },
          },
        ],
        { expectedRevision: 'no_stream' },
      );
      await migrateLog({ source: other, target });
      const before = await target.readAll();
      await expect(migrateLog({ source, target })).rejects.toThrow(MigrationRefusedError);
      expect(await target.readAll()).toEqual(before);

      // A prefix of the source's own log (a run that stopped) is continued, whatever the page size was.
      await target.close();
      const schema2 = fresh();
      target = await openPostgresEventStore({ connectionString: PG_URL, schema: schema2 });
      await target.importRecorded(await source.readAll({ maxCount: 1234 }));
      const result = await migrateLog({ source, target, batchSize: 500 });
      expect(result).toMatchObject({ resumedAt: 1234, copied: (await source.headPosition()) - 1234 });
      expect(await verifyLogs(source, target as EventStore)).toEqual({
        equal: true,
        compared: await source.headPosition(),
      });
      // importRecorded itself refuses a page that does not continue the head: two migrations cannot interleave.
      await expect(target.importRecorded(await source.readAll({ maxCount: 10 }))).rejects.toThrow(InvalidAppendError);
    } finally {
      await closeAll();
    }
  }, 60_000);
});
