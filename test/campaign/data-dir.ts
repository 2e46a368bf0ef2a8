import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { mintDevToken } from '../../apps/hub/src/auth/dev-token';
import { spawnHub, type HubProcess } from '../e2e/support/processes';
import { bestilling } from '../e2e/support/requests';

export interface DataDirCase {
  name: string;
  ok: boolean;
  /** What happened, or why the case could not run here (then `skipped`). */
  detail: string;
  skipped?: boolean;
}

export interface DataDirSummary {
  cases: DataDirCase[];
}

const ROOT = join(__dirname, '..', '..');

/**
 * Faults of the embedded default's data directory: read-only, full, a file instead of a directory. The hub must refuse
 * to start naming the problem, or (when the disk fills under a running hub) answer commands with 503 and lose nothing
 * it acknowledged. Uses tmpfs mounts (root, as on the project's VMs); without mount rights a case says so.
 */
export async function runDataDirFaults(log: (line: string) => void = () => undefined): Promise<DataDirSummary> {
  const cases: DataDirCase[] = [];
  const run = async (name: string, body: () => Promise<Omit<DataDirCase, 'name'>>) => {
    let result: DataDirCase;
    try {
      result = { name, ...(await body()) };
    } catch (error) {
      result = { name, ok: false, detail: `the case itself broke: ${error instanceof Error ? error.message : error}` };
    }
    log(`data-dir: ${name}: ${result.ok ? 'ok' : result.skipped ? 'skipped' : 'FAILED'} — ${result.detail}`);
    cases.push(result);
  };
  const secret = randomBytes(32);
  const env = { HUB_JWT_SECRET: secret.toString('base64'), HUB_ROLES: 'api,projector,relay' };
  const mountable = canMount();

  await run('HUB_DATA_DIR is a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-dd-file-'));
    try {
      const file = join(dir, 'not-a-dir');
      writeFileSync(file, 'x');
      return expectRefusal(await startExpectingExit(file, env), /not a directory/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  await run('read-only data dir', async () => {
    if (mountable !== true) return skip(mountable);
    return withTmpfs('4m', async (dir) => {
      // A hub that ran there, then the file system turns read-only (a remount after an error, a read-only volume).
      const hub = await spawnHub(dir, env);
      const acknowledged = await afgiv(hub, secret, 2);
      await hub.stop();
      execFileSync('mount', ['-o', 'remount,ro', dir]);
      const refusal = expectRefusal(await startExpectingExit(dir, env), /read-only/i);
      execFileSync('mount', ['-o', 'remount,rw', dir]);
      if (!refusal.ok) return refusal;
      const after = await restartAndCheck(dir, env, acknowledged);
      return { ok: after.ok, detail: `${refusal.detail}; writable again: ${after.detail}` };
    });
  });

  await run('full disk at start', async () => {
    if (mountable !== true) return skip(mountable);
    return withTmpfs('2m', async (dir) => {
      fill(dir);
      return expectRefusal(await startExpectingExit(dir, env), /no space|full/i);
    });
  });

  await run('disk fills under a running hub', async () => {
    if (mountable !== true) return skip(mountable);
    return withTmpfs('24m', async (dir) => {
      const hub = await spawnHub(dir, env);
      let acknowledged: string[] = [];
      const problems: string[] = [];
      const seen: Record<string, number> = {};
      try {
        acknowledged = await afgiv(hub, secret, 3);
        fill(dir);
        const token = await mintDevToken(secret, { party: 'myndighed', id: '0101' });
        for (let i = 0; i < 10; i++) {
          const res = await fetch(`${hub.url}/bestillinger`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(bestilling()),
          });
          const text = await res.text();
          seen[res.status] = (seen[res.status] ?? 0) + 1;
          if (res.status === 201) acknowledged.push((JSON.parse(text) as { id: string }).id);
          else if (res.status !== 503)
            problems.push(`a command on a full disk got ${res.status}: ${text.slice(0, 200)}`);
          else if (!(res.headers.get('content-type') ?? '').startsWith('application/problem+json'))
            problems.push(`the 503 is not problem+json: ${text.slice(0, 200)}`);
        }
        if (hub.child.exitCode !== null || hub.child.signalCode !== null)
          problems.push(`the hub exited on the full disk: ${hub.output().slice(-500)}`);
      } finally {
        await hub.stop();
        rmSync(join(dir, 'filler'), { force: true });
      }
      const after = await restartAndCheck(dir, env, acknowledged);
      if (!after.ok) problems.push(after.detail);
      return {
        ok: problems.length === 0 && (seen['503'] ?? 0) > 0,
        detail:
          `answers on the full disk ${JSON.stringify(seen)}; after freeing space and a restart: ${after.detail}` +
          (problems.length > 0 ? `; problems: ${problems.join('; ')}` : ''),
      };
    });
  });
  return { cases };
}

function skip(why: string | true): Omit<DataDirCase, 'name'> {
  return { ok: false, skipped: true, detail: `skipped: cannot mount a tmpfs here (${why})` };
}

function canMount(): string | true {
  const dir = mkdtempSync(join(tmpdir(), 'hub-dd-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return true;
  } catch (error) {
    return error instanceof Error ? (error.message.split('\n')[0] ?? 'mount failed') : String(error);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function withTmpfs<T>(size: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'hub-dd-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  try {
    return await body(dir);
  } finally {
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fills the file system of `dir` to the last block. */
function fill(dir: string): void {
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=64k'], { stdio: 'pipe' });
  } catch {
    // dd ends with "No space left on device": that is the point.
  }
}

/** Afgiver `n` bestillinger and returns their ids: what the hub acknowledged. */
async function afgiv(hub: HubProcess, secret: Buffer, n: number): Promise<string[]> {
  const token = await mintDevToken(secret, { party: 'myndighed', id: '0101' });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${hub.url}/bestillinger`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(bestilling()),
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`afgiv: ${res.status} ${text.slice(0, 300)}`);
    ids.push((JSON.parse(text) as { id: string }).id);
  }
  return ids;
}

/** Starts the hub again on `dir`, checks the file is intact and holds every acknowledged bestilling. */
async function restartAndCheck(
  dir: string,
  env: Record<string, string>,
  acknowledged: readonly string[],
): Promise<{ ok: boolean; detail: string }> {
  const hub = await spawnHub(dir, env);
  await hub.stop();
  const db = new Database(join(dir, 'events.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    const streams = new Set(
      (db.prepare('SELECT DISTINCT stream_id FROM events').all() as { stream_id: string }[]).map((r) => r.stream_id),
    );
    const missing = acknowledged.filter((id) => !streams.has(`bestilling-${id}`));
    const ok = integrity === 'ok' && missing.length === 0;
    return {
      ok,
      detail: `integrity_check ${String(integrity)}, ${acknowledged.length - missing.length}/${acknowledged.length} acknowledged bestillinger present`,
    };
  } finally {
    db.close();
  }
}

/** Starts the hub and waits for it to exit (up to 30 s): a refusal. Answering /health instead is a failure. */
async function startExpectingExit(
  dataDir: string,
  env: Record<string, string>,
): Promise<{ exitCode: number | null; output: string; started: boolean }> {
  mkdirSync(tmpdir(), { recursive: true });
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'apps/hub/src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HUB_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  return { exitCode, output, started: exitCode === null };
}

function expectRefusal(
  result: { exitCode: number | null; output: string; started: boolean },
  names: RegExp,
): Omit<DataDirCase, 'name'> {
  const message = firstProblem(result.output);
  if (result.started) return { ok: false, detail: `the hub did not exit within 30 s: ${message}` };
  if (result.exitCode === 0) return { ok: false, detail: 'the hub exited with 0' };
  const named = names.test(message);
  return {
    ok: named,
    detail: `exited with ${result.exitCode}: ${message}${named ? '' : ` (does not name the problem: ${names})`}`,
  };
}

/** The hub's own words: the configuration problems, else the error message, else the raw output. */
function firstProblem(output: string): string {
  for (const line of output.split('\n')) {
    try {
      const entry = JSON.parse(line) as { problems?: string[]; err?: { message?: string }; msg?: string };
      if (entry.problems) return `${entry.msg}: ${entry.problems.join('; ')}`;
      if (entry.err?.message) return `${entry.msg}: ${entry.err.message}`;
    } catch {
      // not a log line
    }
  }
  return output.slice(-500);
}
