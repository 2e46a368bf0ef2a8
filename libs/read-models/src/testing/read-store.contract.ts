import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { openSqliteEventStore, type EventStore } from '@hub/event-store';
import { analyse } from '../analyse.read-model';
import { generations } from '../generations';
import { observationer } from '../observationer.read-model';
import { Projector } from '../projector';
import type { ReadDb } from '../read-db';
import { tablesOf, type ReadModel } from '../read-model';
import { sagsoversigt } from '../sagsoversigt.read-model';
import { tilbagemeldingspligt } from '../tilbagemeldingspligt.read-model';
import { ALLE_OPS, driveHistory, OPS, type Op } from './history';

export interface ReadStoreFixture {
  readonly readDb: ReadDb;
  readonly cleanup: () => Promise<void>;
}

const models = (): ReadModel[] => [
  sagsoversigt,
  observationer,
  analyse({ pseudonymKey: Buffer.alloc(32, 1) }),
  tilbagemeldingspligt,
];

/** Every row of every table of a read model's live generation, ordered: what "equal read models" means. */
export async function snapshot(
  readDb: ReadDb,
  projector: Projector,
  model: ReadModel,
): Promise<Record<string, unknown[]>> {
  return snapshotTables(readDb, (await projector.liveTables(model)) as Record<string, string>);
}

/** All rows of each table in a stable order, numbers normalised (PostgreSQL returns bigint columns as strings). */
async function snapshotTables(readDb: ReadDb, tables: Record<string, string>): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [name, table] of Object.entries(tables)) {
    const rows = (await readDb.db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
    out[name] = rows
      .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

// Drawn from every op, the tilbagemeldingspligt rules' too.
const ops = fc.array(fc.tuple(fc.nat(ALLE_OPS * 10), fc.nat(1000), fc.nat(1000)) as fc.Arbitrary<Op>, {
  minLength: 40,
  maxLength: 200,
  size: 'medium',
});

/**
 * Builds the read models live while `drive` writes the log (batches of 7, so state crosses many batch boundaries),
 * then rebuilds each from position 0 in batches of 1000 (other boundaries) and expects the same rows. Returns the live
 * snapshots.
 */
async function liveEqualsRebuild(
  store: EventStore,
  readDb: ReadDb,
  readModels: readonly ReadModel[],
  drive: () => Promise<unknown>,
): Promise<Record<string, unknown[]>[]> {
  const live = new Projector({ store, readDb, models: readModels, batchSize: 7 });
  const incremental: Record<string, unknown[]>[] = [];
  try {
    await live.start();
    await drive();
    await live.caughtUp();
    for (const model of readModels) incremental.push(await snapshot(readDb, live, model));
  } finally {
    await live.stop();
  }
  const rebuilder = new Projector({ store, readDb, models: readModels, batchSize: 1000 });
  try {
    await rebuilder.start();
    for (const [i, model] of readModels.entries()) {
      await rebuilder.rebuild(model.name);
      expect([model.name, await snapshot(readDb, rebuilder, model)]).toEqual([model.name, incremental[i]]);
    }
  } finally {
    await rebuilder.stop();
  }
  return incremental;
}

/** One contract for every read-store adapter: the same histories must give the same read models on each. */
export function describeReadStoreContract(
  name: string,
  factory: () => Promise<ReadStoreFixture>,
  options: { runs: number },
): void {
  describe(`read store contract: ${name}`, () => {
    let dir: string;
    let store: EventStore;
    let fixture: ReadStoreFixture;
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'read-store-'));
      store = openSqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
      fixture = await factory();
    });
    afterEach(async () => {
      await store.close();
      await fixture.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a read model built incrementally equals the same one rebuilt from position 0, for random valid histories', async () => {
      await fc.assert(
        fc.asyncProperty(ops, async (history) => {
          const run = mkdtempSync(join(dir, 'run-'));
          const runStore = openSqliteEventStore({ file: join(run, 'events.sqlite'), synchronous: 'NORMAL' });
          const runDb = await factory();
          try {
            await liveEqualsRebuild(runStore, runDb.readDb, models(), () => driveHistory(runStore, history));
          } finally {
            await runStore.close();
            await runDb.cleanup();
          }
        }),
        { numRuns: options.runs },
      );
    }, 240_000);

    it('generated histories reach every tilbagemeldingspligt fact, and the model built live equals its rebuild', async () => {
      const [live] = await liveEqualsRebuild(store, fixture.readDb, [tilbagemeldingspligt], () =>
        driveHistory(
          store,
          Array.from({ length: 500 }, (_, i): Op => [(i * 37) % ALLE_OPS, i * 11, i * 3]),
        ),
      );
      const events = await store.readAll();
      const types = new Set(events.map((e) => e.type));
      for (const type of [
        'TilbagemeldingKraevet',
        'TilbagemeldingskravOpfyldt',
        'TilbagemeldingskravBortfaldet',
        'PaamindelseSendt',
        'PaamindelseAfsluttet',
        'TilbagemeldingKvitteret',
      ])
        expect([type, types.has(type)]).toEqual([type, true]);
      const naevnteKrav = events
        .filter((e) => e.type === 'TilbagemeldingSendt')
        .map((e) => (e.data as { opfylderKravId: string | null }).opfylderKravId)
        .filter((k): k is string => k !== null);
      expect(naevnteKrav.length).toBeGreaterThan(0);
      const krav = live?.['krav'] as {
        id: string;
        opfyldt: string | null;
        kvitteret: string | null;
        bortfaldet: string | null;
      }[];
      // Every krav a tilbagemelding named is met in the model; some met ones are kvitteret, some krav still open.
      for (const kravId of naevnteKrav)
        expect([kravId, krav.find((k) => k.id === kravId)?.opfyldt ?? null]).not.toEqual([kravId, null]);
      expect(krav.some((k) => k.kvitteret !== null)).toBe(true);
      expect(krav.some((k) => k.opfyldt === null && k.bortfaldet === null)).toBe(true);
      // Met or lapsed by whichever fact came first in the log: a tilbagemelding that named it or the rules' record
      // of a match, or the rules' lapse. Never both; a lapse after a match leaves the krav met.
      const foerste = new Map<string, { type: string; tid: string }>();
      for (const e of events) {
        const d = e.data as { kravId?: string; opfylderKravId?: string | null; sendt?: string; opfyldt?: string };
        const kravId = e.type === 'TilbagemeldingSendt' ? d.opfylderKravId : d.kravId;
        if (!kravId || foerste.has(kravId)) continue;
        if (e.type === 'TilbagemeldingSendt' || e.type === 'TilbagemeldingskravOpfyldt')
          foerste.set(kravId, { type: 'opfyldt', tid: '' });
        else if (e.type === 'TilbagemeldingskravBortfaldet')
          foerste.set(kravId, { type: 'bortfaldet', tid: (e.data as { bortfaldet: string }).bortfaldet });
      }
      expect([...foerste.values()].filter((f) => f.type === 'bortfaldet').length).toBeGreaterThan(0);
      for (const k of krav) {
        const f = foerste.get(k.id);
        expect([k.id, k.opfyldt !== null, k.bortfaldet]).toEqual([
          k.id,
          f?.type === 'opfyldt',
          f?.type === 'bortfaldet' ? f.tid : null,
        ]);
      }
      // The history reaches the subtle order too: a krav named by a tilbagemelding that the rules then let lapse
      // before recording the match. It stays met.
      const naevntFoerBortfald = events
        .filter((e) => e.type === 'TilbagemeldingskravBortfaldet')
        .map((e) => (e.data as { kravId: string }).kravId)
        .filter((kravId) => foerste.get(kravId)?.type === 'opfyldt');
      expect(naevntFoerBortfald.length).toBeGreaterThan(0);
      const paamindelser = live?.['paamindelse'] as { afsluttet: string | null }[];
      expect(paamindelser.some((p) => p.afsluttet !== null) && paamindelser.some((p) => p.afsluttet === null)).toBe(
        true,
      );
    });

    it('a rebuild keeps the old generation serving until the new one is caught up, then drops it', async () => {
      const projector = new Projector({ store, readDb: fixture.readDb, models: [sagsoversigt] });
      await projector.start();
      await driveHistory(
        store,
        Array.from({ length: 60 }, (_, i): Op => [i % OPS, i * 7, i * 13]),
      );
      await projector.caughtUp();
      const before = await projector.liveTables(sagsoversigt);
      const seen: number[] = [];
      await projector.rebuild('sagsoversigt', (p) => seen.push(p));
      const after = await projector.liveTables(sagsoversigt);
      expect(after.indsats).not.toBe(before.indsats);
      expect(seen.length).toBeGreaterThan(0);
      expect((await generations(fixture.readDb, 'sagsoversigt')).map((g) => g.state)).toEqual(['live']);
      const gone = await fixture.readDb.db
        .selectFrom(before.indsats)
        .selectAll()
        .execute()
        .then(
          () => `${before.indsats} still exists; registry: ${JSON.stringify(generations)}`,
          () => 'dropped',
        );
      expect([before.indsats, after.indsats, gone]).toEqual([before.indsats, after.indsats, 'dropped']);
      await projector.stop();
    });

    it('as-of: a build frozen at a past position equals what the live read model held at that position', async () => {
      const projector = new Projector({ store, readDb: fixture.readDb, models: [sagsoversigt] });
      await projector.start();
      const history = Array.from({ length: 120 }, (_, i): Op => [(i * 37) % OPS, i * 11, i * 3]);
      let then: Record<string, unknown[]> = {};
      let position = 0;
      await driveHistory(store, history, async (step) => {
        if (step !== 59) return;
        await projector.caughtUp();
        then = await snapshot(fixture.readDb, projector, sagsoversigt);
        position = await store.headPosition();
      });
      await projector.caughtUp();
      expect(position).toBeGreaterThan(0);
      expect(await store.headPosition()).toBeGreaterThan(position);
      const tables = await projector.buildAsOf('sagsoversigt', position);
      expect(await snapshotTables(fixture.readDb, tables)).toEqual(then);
      await projector.dropAsOf('sagsoversigt');
      await projector.stop();
    });

    it('a projector that dies mid-batch applies nothing of that batch; after restart no event is applied twice or skipped', async () => {
      const history = Array.from({ length: 180 }, (_, i): Op => [(i * 7) % OPS, i * 5, i * 17]);
      let live = 0;
      // A live generation exists and is caught up to the first part of the history; the rest arrives later.
      const builder = new Projector({ store, readDb: fixture.readDb, models: [sagsoversigt], batchSize: 10 });
      await builder.start();
      await driveHistory(store, history, async (step) => {
        if (step !== 59) return;
        await builder.caughtUp();
        await builder.stop();
        live = await store.headPosition();
      });
      // The third batch of ten after that must exist for the crash to happen in it.
      expect(await store.headPosition()).toBeGreaterThan(live + 30);
      let batches = 0;
      const crashing: ReadModel = {
        ...sagsoversigt,
        async applyBatch(tx, kind, tables, events) {
          await sagsoversigt.applyBatch(tx, kind, tables, events);
          // The rows of the third batch are written inside the transaction, then the process "dies".
          if (++batches === 3) throw new Error('killed mid-batch');
        },
      };
      const first = new Projector({ store, readDb: fixture.readDb, models: [crashing], batchSize: 10 });
      await first.start();
      for (let i = 0; i < 100 && first.failures.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(first.failures.map((f) => f.message)).toContain('killed mid-batch');
      await first.stop();
      const [g] = await generations(fixture.readDb, 'sagsoversigt');
      expect(g?.position).toBe(live + 20);
      const docsAtCrash = (await fixture.readDb.db
        .selectFrom(tablesOf(sagsoversigt, g?.generation ?? 0).indsats)
        .select('doc')
        .execute()) as { doc: string }[];
      expect(
        Math.max(...docsAtCrash.map((r) => (JSON.parse(r.doc) as { position: number }).position)),
      ).toBeLessThanOrEqual(live + 20);

      const restarted = new Projector({ store, readDb: fixture.readDb, models: [sagsoversigt], batchSize: 10 });
      await restarted.start();
      await restarted.caughtUp();
      const resumed = await snapshot(fixture.readDb, restarted, sagsoversigt);
      await restarted.rebuild('sagsoversigt');
      expect(await snapshot(fixture.readDb, restarted, sagsoversigt)).toEqual(resumed);
      await restarted.stop();
    });
  });
}

export const freshKey = (): Buffer => randomBytes(32);
