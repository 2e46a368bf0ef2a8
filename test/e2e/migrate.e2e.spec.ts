import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openPostgresEventStore, openSqliteEventStore } from '@hub/event-store';
import { migrateLog, verifyLogs } from '@hub/event-store/migration';
import { writeHistoryFile } from '@hub/event-store/migration/testing/history-file';
import { dropSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import { openPostgresReadDb, openSqliteReadDb, Projector, type ReadDb } from '@hub/read-models';
import { driveHistory, type Op } from '@hub/read-models/testing/history';
import { snapshot } from '@hub/read-models/testing/read-store.contract';
import { readModels } from '../../apps/hub/src/read-models/read-side';

const ROOT = join(__dirname, '..', '..');
const ARGS = ['-r', '@swc-node/register', join(ROOT, 'scripts/migrate.ts')];

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI; `killWhen` is polled every 50 ms and SIGKILLs the process when it returns true. */
function cli(args: string[], killWhen?: () => Promise<boolean>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...ARGS, ...args], { cwd: ROOT, env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let timer: NodeJS.Timeout | undefined;
    if (killWhen) {
      const poll = async (): Promise<void> => {
        if (child.exitCode !== null) return;
        if (await killWhen().catch(() => false)) child.kill('SIGKILL');
        else timer = setTimeout(() => void poll(), 50);
      };
      void poll();
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function pgHead(schema: string): Promise<number> {
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ position: string }>(`SELECT position FROM "${schema}".head`);
    return Number(rows[0]?.position ?? 0);
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL returns bigint columns as strings, SQLite as numbers: compare integer-looking values as numbers on both
 * sides (the same mapping for both, so it hides no difference but that one), then sort the rows again.
 */
async function rows(readDb: ReadDb, projector: Projector, model: Parameters<Projector['liveTables']>[0]) {
  const tables = await snapshot(readDb, projector, model);
  return Object.fromEntries(
    Object.entries(tables).map(([name, list]) => [
      name,
      (list as Record<string, unknown>[])
        .map((row) =>
          Object.fromEntries(
            Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v]),
          ),
        )
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ]),
  );
}

const ops = (n: number): Op[] => Array.from({ length: n }, (_, i): Op => [(i * 37) % 100, i * 11, i * 3]);

describe('npm run migrate (SQLite → PostgreSQL)', () => {
  let dir: string;
  const schemas: string[] = [];
  const fresh = (): string => {
    const schema = `mig_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return schema;
  };

  beforeAll(requirePostgres);
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'migrate-cli-'))));
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  it('killed with SIGKILL mid-copy, runs again and finishes; the logs compare equal; a third run copies nothing', async () => {
    const total = await writeHistoryFile(join(dir, 'events.sqlite'), 1010);
    const schema = fresh();
    const target = ['--from', dir, '--to', 'postgres', '--pg-url', PG_URL, '--schema', schema, '--batch', '2000'];

    let headAtKill = 0;
    const killed = await cli(target, async () => {
      headAtKill = await pgHead(schema);
      return headAtKill >= 10_000;
    });
    expect(killed.signal).toBe('SIGKILL');
    const afterKill = await pgHead(schema);
    expect(afterKill).toBeGreaterThanOrEqual(headAtKill);
    expect(afterKill).toBeLessThan(total);
    expect(afterKill % 2000).toBe(0); // every page is one transaction: nothing of a page in flight survives

    const resumed = await cli([...target, '--verify']);
    expect(resumed.stderr).not.toContain('failed');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`resumed at  position ${afterKill}`);
    expect(resumed.stdout).toMatch(
      new RegExp(`copied +${total - afterKill} events in [\\d.]+ s \\([\\d,]+ events/s\\)`),
    );
    expect(resumed.stdout).toContain(`verified    ${total} events equal in every field`);
    expect(resumed.stderr).toMatch(
      /copied [\d,]+\/[\d,]+ events \([\d.]+ %\), position \d+, [\d,]+ events\/s, ETA \d+ s/,
    );

    const source = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    const pg = await openPostgresEventStore({ connectionString: PG_URL, schema });
    try {
      expect(await verifyLogs(source, pg)).toEqual({ equal: true, compared: total });
    } finally {
      await pg.close();
      await source.close();
    }

    const third = await cli(target);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain(`resumed at  position ${total}`);
    expect(third.stdout).toMatch(/copied +0 events/);
  }, 180_000);

  it('refuses a target holding another log with a clear message and writes nothing', async () => {
    await writeHistoryFile(join(dir, 'events.sqlite'), 20);
    const schema = fresh();
    const otherStore = openSqliteEventStore({ file: join(dir, 'other.sqlite') });
    const pg = await openPostgresEventStore({ connectionString: PG_URL, schema });
    try {
      await driveHistory(otherStore, ops(40));
      await migrateLog({ source: otherStore, target: pg });
      const before = await pg.readAll();
      expect(before.length).toBeGreaterThan(0);

      const run = await cli(['--from', dir, '--to', 'postgres', '--pg-url', PG_URL, '--schema', schema]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(
          `^refused: The target holds another log: its event at position 1 is ${before[0]?.eventId} .*` +
            'Nothing was written; migrate into an empty store.',
        ),
      );
      expect(run.stdout).toBe('');
      expect(await pg.readAll()).toEqual(before);
    } finally {
      await pg.close();
      await otherStore.close();
    }
  }, 60_000);

  it('--rebuild-read-models builds the same read models in PostgreSQL as from the SQLite log', async () => {
    const key = randomBytes(32);
    writeFileSync(join(dir, 'analyse-pseudonym.key'), key.toString('base64'));
    const source = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    await driveHistory(source, ops(300));
    const head = await source.headPosition();
    const schema = fresh();
    const readSchema = fresh();
    const args = ['--from', dir, '--to', 'postgres', '--pg-url', PG_URL, '--schema', schema];

    const run = await cli([...args, '--rebuild-read-models', '--read-schema', readSchema]);
    expect(run.stderr).not.toContain('failed');
    expect(run.code).toBe(0);
    const models = Object.values(readModels(key));
    for (const model of models)
      expect(run.stdout).toMatch(new RegExp(`${model.name} \\(generation \\d+, position ${head}\\)`));

    const sqliteDb = openSqliteReadDb(join(dir, 'read.sqlite'));
    const pg = await openPostgresEventStore({ connectionString: PG_URL, schema });
    const pgDb: ReadDb = await openPostgresReadDb(PG_URL, readSchema);
    const fromSqlite = new Projector({ store: source, readDb: sqliteDb, models });
    const migrated = new Projector({ store: pg, readDb: pgDb, models });
    try {
      await fromSqlite.start();
      await fromSqlite.caughtUp();
      await migrated.start();
      await migrated.caughtUp();
      for (const model of models) {
        const expected = await rows(sqliteDb, fromSqlite, model);
        expect(Object.values(expected).some((rows) => rows.length > 0)).toBe(true);
        expect([model.name, await rows(pgDb, migrated, model)]).toEqual([model.name, expected]);
      }
      // Run again: the log is complete and the live read models are rebuilt from it, still equal.
      await migrated.stop();
      const again = await cli([...args, '--rebuild-read-models', '--read-schema', readSchema]);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/copied +0 events/);
      await migrated.start();
      await migrated.caughtUp();
      for (const model of models)
        expect(await rows(pgDb, migrated, model)).toEqual(await rows(sqliteDb, fromSqlite, model));
    } finally {
      await migrated.stop();
      await fromSqlite.stop();
      await pgDb.close();
      await sqliteDb.close();
      await pg.close();
      await source.close();
    }
  }, 120_000);
});
