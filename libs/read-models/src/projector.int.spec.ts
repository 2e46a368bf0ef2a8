import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '@hub/event-store';
import { Projector, positionAt } from './projector';
import { dropSchema, freshSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import { CheckpointMovedError, createGeneration, ensureRegistry, generations, setPosition } from './generations';
import { openPostgresReadDb, openSqliteReadDb, type ReadDb } from './read-db';
import { sagsoversigt } from './sagsoversigt.read-model';
import { driveHistory, type Op } from './testing/history';
import { snapshot } from './testing/read-store.contract';

const history = (n: number, seed = 0): Op[] =>
  Array.from({ length: n }, (_, i): Op => [(i * 37 + seed) % 100, i * 11 + seed, i * 3 + seed]);

describe('Projector', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'projector-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('follows a rebuild made by another process (the CLI) and keeps applying the log to the new generation', async () => {
    const store = openSqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    const hubDb = openSqliteReadDb(join(dir, 'read.sqlite'));
    const cliDb = openSqliteReadDb(join(dir, 'read.sqlite'));
    const hub = new Projector({ store, readDb: hubDb, models: [sagsoversigt], registryPollMs: 100 });
    try {
      await hub.start();
      await driveHistory(store, history(80));
      await hub.caughtUp();
      const [before] = await hub.status();

      const cli = new Projector({ store, readDb: cliDb, models: [sagsoversigt] });
      await cli.start();
      await cli.rebuild('sagsoversigt');
      await cli.stop();

      // No event arrives meanwhile: the hub's projector finds the new live generation through the registry.
      for (let i = 0; i < 50 && (await hub.status())[0]?.generation === before?.generation; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await hub.status())[0]?.generation).toBeGreaterThan(before?.generation ?? 0);
      // And keeps applying the log there.
      await driveHistory(store, history(40, 7), undefined, { idOffset: 10_000_000 });
      await hub.caughtUp();
      expect((await hub.status())[0]?.lag).toBe(0);
      const followed = await snapshot(hubDb, hub, sagsoversigt);
      await hub.rebuild('sagsoversigt');
      expect(await snapshot(hubDb, hub, sagsoversigt)).toEqual(followed);
    } finally {
      await hub.stop();
      await hubDb.close();
      await cliDb.close();
      await store.close();
    }
  }, 60_000);

  it('positionAt finds the last event recorded at or before a time', async () => {
    let clock = Date.parse('2026-03-01T00:00:00Z');
    const store = openSqliteEventStore({
      file: join(dir, 'events.sqlite'),
      synchronous: 'NORMAL',
      now: () => new Date((clock += 60_000)),
    });
    await driveHistory(store, history(40));
    const all = await store.readAll();
    expect(all.length).toBeGreaterThan(10);
    const middle = all[Math.floor(all.length / 2)] as (typeof all)[number];
    expect(await positionAt(store, middle.recordedAt)).toBe(middle.position);
    expect(await positionAt(store, '2026-02-01T00:00:00Z')).toBe(0);
    expect(await positionAt(store, '2099-01-01T00:00:00Z')).toBe(all.length);
    await store.close();
  });
});

describe.each(['sqlite', 'postgres'] as const)('Projector fencing on %s', (kind) => {
  let dir: string;
  let schema: string;
  beforeAll(async () => {
    if (kind === 'postgres') await requirePostgres();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fencing-'));
    schema = freshSchema();
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (kind === 'postgres') await dropSchema(schema);
  });
  const openDb = async (): Promise<ReadDb> =>
    kind === 'postgres' ? openPostgresReadDb(PG_URL, schema) : openSqliteReadDb(join(dir, 'read.sqlite'));

  it('a batch committed over a stale checkpoint rolls back with CheckpointMovedError', async () => {
    const db = await openDb();
    try {
      await ensureRegistry(db);
      const g = await createGeneration(db, sagsoversigt, 'live');
      await db.db.transaction().execute((tx) => setPosition(tx, 'sagsoversigt', g.generation, 0, 10));
      const stale = db.db.transaction().execute((tx) => setPosition(tx, 'sagsoversigt', g.generation, 0, 7));
      await expect(stale).rejects.toBeInstanceOf(CheckpointMovedError);
      const [after] = await generations(db, 'sagsoversigt');
      expect(after?.position).toBe(10);
    } finally {
      await db.close();
    }
  });

  it('two projectors on one generation (a paused former lease holder and its successor) end where a rebuild ends', async () => {
    const store = openSqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    const dbA = await openDb();
    const dbB = await openDb();
    const a = new Projector({ store, readDb: dbA, models: [sagsoversigt] });
    const b = new Projector({ store, readDb: dbB, models: [sagsoversigt] });
    try {
      await a.start();
      await driveHistory(store, history(30));
      await a.caughtUp();
      await b.start();
      // Both follow the same generation while the log grows: each batch is compare-and-set on the checkpoint, so
      // the loser of a race rolls back and resumes from where the winner left it.
      await driveHistory(store, history(120, 3), undefined, { idOffset: 10_000_000 });
      const head = await store.headPosition();
      for (let i = 0; i < 200; i++) {
        const positions = [...(await a.status()), ...(await b.status())].map((s) => s.position);
        if (positions.length === 2 && positions.every((p) => p === head)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await generations(dbA, 'sagsoversigt')).map((g) => g.position)).toEqual([head]);
      const both = await snapshot(dbA, a, sagsoversigt);
      await b.stop();
      await a.rebuild('sagsoversigt');
      expect(await snapshot(dbA, a, sagsoversigt)).toEqual(both);
    } finally {
      await a.stop();
      await b.stop();
      await dbA.close();
      await dbB.close();
      await store.close();
    }
  }, 60_000);
});
