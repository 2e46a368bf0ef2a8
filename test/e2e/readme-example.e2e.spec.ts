import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnHub } from './support/processes';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

describe("the README's worked example", () => {
  it('docs/examples/lifecycle.sh drives a bestilling to afslutning against a running hub', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-readme-'));
    const env = { HUB_DATA_DIR: dataDir, HUB_JWT_SECRET: Buffer.alloc(32, 5).toString('base64') };
    const hub = await spawnHub(dataDir, env);
    try {
      const { stdout } = await run('bash', [join(ROOT, 'docs/examples/lifecycle.sh')], {
        cwd: ROOT,
        env: { ...process.env, ...env, HUB: hub.url },
        timeout: 60_000,
      });
      expect(stdout).toContain('"type":"BestillingAfgivet"');
      expect(stdout).toContain('"type":"OpfoelgningGennemfoert"');
      expect(stdout.trim().split('\n').pop()).toMatch(/^# Done: bestilling [0-9a-f-]{36} is afsluttet$/);
    } finally {
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
