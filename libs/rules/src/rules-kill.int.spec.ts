import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ffbKatalog, STANDARD_TAERSKLER } from '@hub/domain';
import { openSqliteEventStore, type EventStore } from '@hub/event-store';
import { accepteret, domainWriter, helIndsats, nyIndsats } from '@hub/relay/testing/domain-writer';
import { RulesWorker } from './rules-worker';

const ROOT = join(__dirname, '..', '..', '..');
const CLOCK = '2026-12-01T12:00:00.000Z';

/** What a worker's state file holds that must not depend on how the worker got there. */
function stateOf(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return {
      docs: db.prepare('SELECT bestilling_id, doc FROM regel_doc ORDER BY bestilling_id').all(),
      frister: db.prepare('SELECT id, regel_id, subjekt, forfald, status FROM frist ORDER BY id').all(),
      udbakke: db.prepare('SELECT COUNT(*) FROM udbakke').pluck().get(),
    };
  } finally {
    db.close();
  }
}

async function runToEnd(store: EventStore, file: string): Promise<void> {
  const worker = new RulesWorker({
    store,
    file,
    katalog: ffbKatalog,
    taerskler: () => STANDARD_TAERSKLER,
    clock: () => new Date(CLOCK),
    autoTick: false,
    batchSize: 20,
  });
  worker.start();
  // Until nothing more falls due: a fired krav brings its own deadlines, already due by this clock.
  for (let fired = -1; fired !== 0;) {
    await worker.idle(60_000);
    fired = (await worker.tick()).fired;
  }
  await worker.idle(60_000);
  await worker.stop();
}

describe('a rules worker killed with SIGKILL mid-run', () => {
  it('resumes from its last commit: no rule event twice, and the same state as a clean replay into fresh state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-kill-'));
    const eventsFile = join(dir, 'events.sqlite');
    const store = openSqliteEventStore({ file: eventsFile, synchronous: 'NORMAL' });
    try {
      const writer = domainWriter(store);
      // Two in three run their whole course; every third is accepted and never documented (T1 falls due).
      for (let n = 0; n < 120; n++) {
        const indsats = nyIndsats(n % 2 ? '0101' : '0147', `tilbud-${n % 5}`);
        await (n % 3 === 0 ? accepteret(writer, indsats) : helIndsats(writer, indsats));
      }
      const head = await store.headPosition();
      expect(head).toBeGreaterThan(1000);

      const file = join(dir, 'rules.sqlite');
      const child = spawn(
        process.execPath,
        ['-r', '@swc-node/register', join(__dirname, 'testing', 'rules-child.process.ts'), eventsFile, file, CLOCK],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const killedAt = await new Promise<number>((resolve, reject) => {
        let last = 0;
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          last = Number(chunk.trim().split('\n').pop());
          if (last > head / 3 && child.exitCode === null) child.kill('SIGKILL');
        });
        child.on('exit', () => resolve(last));
        child.on('error', reject);
      });
      expect(killedAt).toBeGreaterThan(0);
      expect(killedAt).toBeLessThan(await store.headPosition());

      // Restart on the same file; then replay the whole log into a fresh file with the same clock.
      await runToEnd(store, file);
      const resumed = stateOf(file);
      const fresh = join(dir, 'fresh.sqlite');
      await runToEnd(store, fresh);
      expect(resumed.docs).toHaveLength(120);
      expect(resumed.frister.length).toBeGreaterThan(50);
      // Deadlines fired (and some closed since); cancelled ones are gone from the table.
      const statuses = new Set(resumed.frister.map((f) => (f as { status: string }).status));
      expect(statuses.has('udloest')).toBe(true);
      expect(stateOf(fresh)).toEqual(resumed);
      expect(resumed.udbakke).toBe(0);

      const log = await store.readAll();
      const pligt = log.filter((e) => e.streamId.startsWith('tilbagemeldingspligt-'));
      expect(pligt.length).toBeGreaterThan(100);
      const keys = pligt.map((e) => {
        const d = e.data as { kravId?: string; paamindelseId?: string };
        return `${e.type} ${d.paamindelseId ?? d.kravId}`;
      });
      expect(new Set(keys).size).toBe(keys.length);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
