import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '@hub/event-store';
import { Projector, positionAt } from './projector';
import { openSqliteReadDb } from './read-db';
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
