import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '@hub/event-store';
import { Projector } from './projector';
import { openSqliteReadDb } from './read-db';
import { tablesOf } from './read-model';
import { sagsoversigt } from './sagsoversigt.read-model';
import { counting } from './testing/counting';
import { driveHistory, type Op } from './testing/history';
import { snapshot } from './testing/read-store.contract';

const ROOT = join(__dirname, '..', '..', '..');

describe('a projector killed with SIGKILL mid-run', () => {
  it('resumes from its last committed batch: every event applied exactly once, and the result equals a rebuild', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'projector-kill-'));
    const eventsFile = join(dir, 'events.sqlite');
    const readFile = join(dir, 'read.sqlite');
    const store = openSqliteEventStore({ file: eventsFile, synchronous: 'NORMAL' });
    try {
      // The live generation exists and has applied the first events; the child resumes it and is killed mid-run.
      await driveHistory(
        store,
        Array.from({ length: 200 }, (_, i): Op => [(i * 37) % 100, i * 7, i * 13]),
      );
      const readDb0 = openSqliteReadDb(readFile);
      const first = new Projector({ store, readDb: readDb0, models: [counting(sagsoversigt)], batchSize: 25 });
      await first.start();
      await first.caughtUp();
      await first.stop();
      await readDb0.close();
      const applied = await store.headPosition();
      await driveHistory(
        store,
        Array.from({ length: 5000 }, (_, i): Op => [(i * 37) % 100, i * 7 + 1, i * 13 + 1]),
        undefined,
        { idOffset: 50_000_000 },
      );
      const head = await store.headPosition();
      expect(head - applied).toBeGreaterThan(1000);

      const child = spawn(
        process.execPath,
        ['-r', '@swc-node/register', join(__dirname, 'testing', 'projector-child.process.ts'), eventsFile, readFile],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const killedAt = await new Promise<number>((resolve, reject) => {
        let last = 0;
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          last = Number(chunk.trim().split('\n').pop());
          // Kill somewhere in the middle, while batches are being written.
          if (last > applied + (head - applied) / 3 && child.exitCode === null) child.kill('SIGKILL');
        });
        child.on('exit', () => resolve(last));
        child.on('error', reject);
      });
      expect(killedAt).toBeGreaterThan(applied);
      expect(killedAt).toBeLessThan(head);

      const model = counting(sagsoversigt);
      const readDb = openSqliteReadDb(readFile);
      const projector = new Projector({ store, readDb, models: [model], batchSize: 25 });
      await projector.start();
      await projector.caughtUp();
      const [status] = await projector.status();
      const tables = tablesOf(model, status?.generation ?? 0);
      const { anvendt } = (await readDb.db.selectFrom(tables.taeller).select('anvendt').executeTakeFirstOrThrow()) as {
        anvendt: number;
      };
      expect([status?.position, Number(anvendt)]).toEqual([head, head]);
      const resumed = await snapshot(readDb, projector, model);
      await projector.rebuild(model.name);
      expect(await snapshot(readDb, projector, model)).toEqual(resumed);
      await projector.stop();
      await readDb.close();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
