import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '@hub/event-store';
import { Projector, positionAt } from './projector';
import { dropSchema, freshSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import {
  CheckpointMovedError,
  createGeneration,
  ensureRegistry,
  generations,
  setPosition,
  type Generation,
} from './generations';
import { observationer } from './observationer.read-model';
import type { ReadModel } from './read-model';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The model with every batch slowed down, so a build of a few hundred events takes long enough to be stopped in. */
const slowed = (model: ReadModel, ms: number): ReadModel => ({
  ...model,
  applyBatch: async (...args) => {
    await sleep(ms);
    return model.applyBatch(...args);
  },
});

/** The model whose batches fail while `down()` says so, as when the read store's connection is lost. */
const flaky = (model: ReadModel, down: () => boolean): ReadModel => ({
  ...model,
  applyBatch: async (...args) => {
    if (down()) throw new Error('Connection terminated unexpectedly');
    return model.applyBatch(...args);
  },
});

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(['sqlite', 'postgres'] as const)('Projector across lease terms on %s', (kind) => {
  let dir: string;
  let schema: string;
  beforeAll(async () => {
    if (kind === 'postgres') await requirePostgres();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'terms-'));
    schema = freshSchema();
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (kind === 'postgres') await dropSchema(schema);
  });
  const openDb = async (): Promise<ReadDb> =>
    kind === 'postgres' ? openPostgresReadDb(PG_URL, schema) : openSqliteReadDb(join(dir, 'read.sqlite'));
  const registry = async (db: ReadDb, models: readonly ReadModel[]): Promise<Generation[]> =>
    (await Promise.all(models.map((m) => generations(db, m.name)))).flat();
  /** A build of `model` is under way: its building generation has committed a batch. */
  const building = async (db: ReadDb, model: ReadModel): Promise<boolean> =>
    (await generations(db, model.name)).some((g) => g.state === 'building' && g.position > 0);

  it('stopped during a first build (the lease lost) and started again (taken back), every read model goes live and equals a rebuild', async () => {
    const store = openSqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    await driveHistory(store, history(120));
    const db = await openDb();
    const models = [slowed(sagsoversigt, 150), slowed(observationer, 150)];
    const projector = new Projector({ store, readDb: db, models, batchSize: 10, registryPollMs: 50 });
    try {
      await projector.start();
      await until('both first builds to be under way', async () =>
        (await Promise.all(models.map((m) => building(db, m)))).every(Boolean),
      );
      await projector.stop();
      await projector.start();
      await projector.caughtUp();
      const head = await store.headPosition();
      expect((await projector.status()).map((s) => [s.readModel, s.position, s.lag])).toEqual([
        ['sagsoversigt', head, 0],
        ['observationer', head, 0],
      ]);
      expect(projector.failures.map((f) => f.message).join('\n')).not.toMatch(
        /rebuilt already|does not exist|no such table/,
      );
      expect((await registry(db, models)).map((g) => [g.readModel, g.state])).toEqual([
        ['sagsoversigt', 'live'],
        ['observationer', 'live'],
      ]);
      for (const model of models) {
        const built = await snapshot(db, projector, model);
        await projector.rebuild(model.name);
        expect(await snapshot(db, projector, model)).toEqual(built);
      }
      expect(projector.health()).toEqual({ status: 'ok', building: [], failing: [], down: [] });
    } finally {
      await projector.stop();
      await db.close();
      await store.close();
    }
  }, 60_000);

  it('stopped during a build (first or new version), promotes nothing afterwards', async () => {
    const store = openSqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    await driveHistory(store, history(120));
    const db = await openDb();
    // Version 1 of observationer is live; version 2 and sagsoversigt's first build are under way when the lease goes.
    const v1 = new Projector({ store, readDb: db, models: [observationer] });
    await v1.start();
    await v1.caughtUp();
    await v1.stop();
    const [liveV1] = await generations(db, 'observationer');
    const models = [slowed(sagsoversigt, 15), { ...slowed(observationer, 15), version: observationer.version + 1 }];
    const projector = new Projector({ store, readDb: db, models, batchSize: 10 });
    try {
      await projector.start();
      await until('both builds to be under way', async () =>
        (await Promise.all(models.map((m) => building(db, m)))).every(Boolean),
      );
      await projector.stop();
      const stoppedAt = await registry(db, models);
      // The builds needed ~1 s to go live; wait well past that.
      await sleep(2500);
      expect(await registry(db, models)).toEqual(stoppedAt);
      // Only the live version 1 is left: the stopped builds dropped their generations.
      expect(stoppedAt.map((g) => [g.readModel, g.generation, g.version, g.state])).toEqual([
        ['observationer', liveV1?.generation, observationer.version, 'live'],
      ]);
      expect(await projector.status()).toEqual([]);
    } finally {
      await projector.stop();
      await db.close();
      await store.close();
    }
  }, 60_000);

  it('retries a first build whose read store failed for a moment, and it goes live', async () => {
    const store = openSqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    await driveHistory(store, history(60));
    const db = await openDb();
    let batches = 0;
    // The third batch of the first attempt fails, as when the connection drops; the read store is back at once.
    const model = flaky(sagsoversigt, () => ++batches === 3);
    const projector = new Projector({ store, readDb: db, models: [model], batchSize: 10 });
    try {
      await projector.start();
      await projector.caughtUp();
      expect(projector.failures.map((f) => f.message)).toEqual(['Connection terminated unexpectedly']);
      const [status] = await projector.status();
      expect(status).toMatchObject({ readModel: 'sagsoversigt', lag: 0 });
      expect((await generations(db, 'sagsoversigt')).map((g) => g.state)).toEqual(['live']);
      const built = await snapshot(db, projector, model);
      await projector.rebuild(model.name);
      expect(await snapshot(db, projector, model)).toEqual(built);
    } finally {
      await projector.stop();
      await db.close();
      await store.close();
    }
  }, 60_000);

  it('health: a first build in progress is ok, one without a live generation past the grace or failing again and again is down', async () => {
    const store = openSqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    await driveHistory(store, history(60));
    const db = await openDb();
    let down = true;
    const models = [flaky(sagsoversigt, () => down)];
    const projector = new Projector({ store, readDb: db, models, batchSize: 10, liveGraceMs: 60_000 });
    try {
      await projector.start();
      expect(projector.health()).toEqual({ status: 'ok', building: ['sagsoversigt'], failing: [], down: [] });
      await until('the build to have failed three times', () => projector.health().status === 'down');
      const failing = projector.health();
      expect(failing).toMatchObject({ building: ['sagsoversigt'], down: ['sagsoversigt'] });
      expect(failing.failing).toMatchObject([
        { readModel: 'sagsoversigt', message: 'Connection terminated unexpectedly' },
      ]);
      expect(failing.failing[0]?.failures).toBeGreaterThanOrEqual(3);
      down = false;
      await projector.caughtUp();
      expect(projector.health()).toEqual({ status: 'ok', building: [], failing: [], down: [] });
      await projector.stop();
      expect(projector.health().status).toBe('ok');
    } finally {
      await projector.stop();
    }
    // No live generation for longer than the grace: a build still running (held here) is down past it.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const held: ReadModel = {
      ...observationer,
      applyBatch: async (...args) => {
        await gate;
        return observationer.applyBatch(...args);
      },
    };
    const slow = new Projector({ store, readDb: db, models: [held], batchSize: 10, liveGraceMs: 200 });
    try {
      await slow.start();
      expect(slow.health()).toEqual({ status: 'ok', building: ['observationer'], failing: [], down: [] });
      await sleep(300);
      expect(slow.health()).toEqual({
        status: 'down',
        building: ['observationer'],
        failing: [],
        down: ['observationer'],
      });
      open();
      await slow.caughtUp();
      expect(slow.health().status).toBe('ok');
    } finally {
      await slow.stop();
      await db.close();
      await store.close();
    }
  }, 60_000);
});
