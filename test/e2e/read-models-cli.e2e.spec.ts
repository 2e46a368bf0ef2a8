import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openSqliteEventStore } from '@hub/event-store';
import { driveHistory, type Op } from '@hub/read-models/testing/history';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const cli = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  run(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'scripts/read-models.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    timeout: 60_000,
  });

describe('npm run read-models', () => {
  it("rebuilds every read model with progress, builds one as of a past position, and exports the analysts' data set", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-cli-'));
    const env = { HUB_DATA_DIR: dataDir, HUB_JWT_SECRET: Buffer.alloc(32, 4).toString('base64') };
    try {
      const store = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
      await driveHistory(
        store,
        Array.from({ length: 300 }, (_, i): Op => [(i * 37) % 100, i * 11, i * 3]),
      );
      const head = await store.headPosition();
      const borgerIds = [
        ...new Set(
          (await store.readAll())
            .filter((e) => e.type === 'BestillingAfgivet')
            .map((e) => (e.data as { borgerId: string }).borgerId),
        ),
      ];
      await store.close();

      const rebuild = await cli(env, 'rebuild', 'all');
      for (const name of ['sagsoversigt', 'observationer', 'analyse'])
        expect(rebuild.stderr).toContain(`${name}: ${head} events in`);
      expect(rebuild.stderr).toMatch(new RegExp(`rebuild sagsoversigt: ${head}/${head}`));
      const status = await cli(env, 'status');
      expect(status.stdout).toMatch(new RegExp(`sagsoversigt\\tgeneration 2\\tposition ${head}\\tlag 0`));

      const half = Math.floor(head / 2);
      const out = join(dataDir, 'asof.ndjson');
      await cli(env, 'asof', 'sagsoversigt', String(half), '--out', out);
      const rows = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { table: string; doc: { position: number } });
      // The document column comes parsed (its free text opened, as the API shows it).
      const positions = rows.filter((r) => r.table === 'sagsoversigt_indsats').map((r) => r.doc.position);
      expect(positions.length).toBeGreaterThan(0);
      expect(Math.max(...positions)).toBeLessThanOrEqual(half);

      const csv = await cli(env, 'export', '--kommune', '0101', '--format', 'csv');
      const lines = csv.stdout.trim().split('\n');
      expect(lines[0]).toContain('pseudonym');
      expect(lines.length).toBeGreaterThan(1);
      expect(borgerIds.length).toBeGreaterThan(0);
      for (const borgerId of borgerIds) expect(csv.stdout).not.toContain(borgerId);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
