import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startMockKafka } from '@hub/relay/testing/mock-kafka';
import { freePort, spawnHub, type HubProcess } from '../e2e/support/processes';
import { campaignHub, checkLog, checkReadModels, kafkaEnv, waitCaughtUp } from './checks';
import { startLoad, type LoadStats } from './load';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface OutageSummary {
  readonly peer: 'kafka' | 'postgresql';
  readonly outageMs: number;
  /** From the peer going away until /health answered 503 naming it. */
  readonly detectedAfterMs: number | null;
  /** From the peer coming back until /health answered 200 again, without anyone restarting the hub. */
  readonly recoveredAfterMs: number | null;
  readonly commandsAcknowledged: number;
  /** Commands acknowledged while the peer was away (the broker is not on the write path; the store is). */
  readonly acknowledgedDuringOutage: number;
  readonly losses: number;
  readonly relayMissing: number;
  readonly readModelDiffs: number;
  readonly load: LoadStats;
  readonly failures: string[];
}

interface HealthWatch {
  /** Resolves with the ms until `accept` held for /health's answer, or null at the timeout. */
  until(accept: (status: number, body: Record<string, any>) => boolean, timeoutMs: number): Promise<number | null>;
}

const health = (url: () => string | undefined): HealthWatch => ({
  async until(accept, timeoutMs) {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      const target = url();
      if (target) {
        try {
          const res = await fetch(`${target}/health`, { signal: AbortSignal.timeout(5_000) });
          if (accept(res.status, (await res.json()) as Record<string, any>)) return Date.now() - started;
        } catch {
          // no answer: keep asking
        }
      }
      await sleep(200);
    }
    return null;
  },
});

/**
 * Kafka away under load: the broker process is frozen (SIGSTOP: connections hang, nothing answers, its data stays)
 * for `outageMs`, then let go. The hub keeps taking commands (the broker is not on the write path), reports the relay
 * unhealthy while it cannot deliver, recovers by itself, and the relay delivers everything afterwards.
 */
export async function kafkaOutage(options: { outageMs: number; log?: (line: string) => void }): Promise<OutageSummary> {
  const log = options.log ?? (() => undefined);
  const failures: string[] = [];
  const kafka = await startMockKafka();
  const { dataDir, env, tokens } = await campaignHub('outage-kafka', {
    HUB_ROLES: 'api,projector,relay',
    ...kafkaEnv(kafka),
  });
  let hub: HubProcess | undefined;
  let frozen = false;
  try {
    hub = await spawnHub(dataDir, env);
    const url = hub.url;
    const load = startLoad({ target: () => url, tokens, workers: 3 });
    await sleep(2_000);
    const before = load.stats.acknowledged;
    process.kill(kafka.pid, 'SIGSTOP');
    frozen = true;
    log(`kafka: broker frozen for ${options.outageMs} ms`);
    const watch = health(() => url);
    const detectedAfterMs = await watch.until(
      (status, body) => status === 503 && body['parts']?.['kafka']?.['status'] !== 'ok',
      options.outageMs,
    );
    await sleep(Math.max(0, options.outageMs - (detectedAfterMs ?? options.outageMs)));
    const duringOutage = load.stats.acknowledged - before;
    process.kill(kafka.pid, 'SIGCONT');
    frozen = false;
    log('kafka: broker back');
    const recoveredAfterMs = await watch.until((status) => status === 200, 120_000);
    await sleep(2_000);
    await load.stop();
    await waitCaughtUp(url);
    await hub.stop('SIGTERM');
    hub = undefined;

    const { lost, relay } = await checkLog(env, load.ledger, kafka.bootstrap);
    if (detectedAfterMs === null) failures.push(`/health did not report Kafka away within ${options.outageMs} ms`);
    if (recoveredAfterMs === null) failures.push('/health did not recover within 120 s after the broker came back');
    if (duringOutage === 0) failures.push('no command was acknowledged while the broker was away');
    if (lost.length > 0) failures.push(`${lost.length} acknowledged events are not in the log`);
    if (relay.missing.length > 0) failures.push(`${relay.missing.length} messages never delivered`);
    if (load.stats.serverErrors.length > 0) failures.push(`5xx answers: ${load.stats.serverErrors.slice(0, 3)}`);
    if (load.stats.unexpected.length > 0) failures.push(`unexpected answers: ${load.stats.unexpected.slice(0, 3)}`);
    return {
      peer: 'kafka',
      outageMs: options.outageMs,
      detectedAfterMs,
      recoveredAfterMs,
      commandsAcknowledged: load.stats.acknowledged,
      acknowledgedDuringOutage: duringOutage,
      losses: lost.length,
      relayMissing: relay.missing.length,
      readModelDiffs: 0,
      load: load.stats,
      failures,
    };
  } finally {
    if (frozen) process.kill(kafka.pid, 'SIGCONT');
    await hub?.stop('SIGKILL');
    await kafka.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A throwaway PostgreSQL cluster of the machine's version (env-notes.md), run as the postgres user when we are root. */
export async function privatePostgres(): Promise<{
  url: string;
  stop(mode: 'immediate' | 'fast'): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}> {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort() : [];
  const bin = versions.length > 0 ? join('/usr/lib/postgresql', versions[versions.length - 1] as string, 'bin') : '';
  if (!bin || !existsSync(join(bin, 'initdb')))
    throw new Error(
      'The PostgreSQL outage needs the server binaries (initdb, pg_ctl) to run a private cluster: install them with `sudo apt-get install -y postgresql`.',
    );
  const dir = mkdtempSync(join(tmpdir(), 'hub-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const root = userInfo().uid === 0;
  const as = async (cmd: string, args: string[]) => {
    if (root) await run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { timeout: 60_000 });
    else await run(join(bin, cmd), args, { timeout: 60_000 });
  };
  if (root) {
    const { uid, gid } = await run('id', ['-u', 'postgres']).then(async (u) => ({
      uid: Number(u.stdout.trim()),
      gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
    }));
    chownSync(dir, uid, gid);
  }
  await as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const start = () =>
    as('pg_ctl', [
      '-D',
      data,
      '-w',
      '-l',
      join(dir, 'log'),
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      'start',
    ]);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: (mode) => as('pg_ctl', ['-D', data, '-w', '-m', mode, 'stop']),
    start,
    destroy: async () => {
      await as('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * PostgreSQL away under load (the production topology's store, vault, read models and leases): the server stops
 * with `-m immediate` (as a crash would) for `outageMs` and starts again. The hub answers 503 (never another 5xx)
 * while it is away, reports it in /health, recovers by itself, and loses nothing acknowledged; the read models equal
 * a rebuild afterwards.
 */
export async function postgresOutage(options: {
  outageMs: number;
  log?: (line: string) => void;
}): Promise<OutageSummary> {
  const log = options.log ?? (() => undefined);
  const failures: string[] = [];
  const pg = await privatePostgres();
  const { dataDir, env, tokens } = await campaignHub('outage-pg', {
    HUB_STORE: 'postgres',
    HUB_PG_URL: pg.url,
    HUB_LEASE_TTL_MS: '3000',
  });
  let hub: HubProcess | undefined;
  try {
    hub = await spawnHub(dataDir, env);
    const url = hub.url;
    const load = startLoad({ target: () => url, tokens, workers: 3 });
    await sleep(2_000);
    await pg.stop('immediate');
    const stoppedAt = Date.now();
    log(`postgresql: server stopped (immediate) for ${options.outageMs} ms`);
    const watch = health(() => url);
    const detectedAfterMs = await watch.until((status) => status === 503, options.outageMs);
    await sleep(Math.max(0, options.outageMs - (Date.now() - stoppedAt)));
    await pg.start();
    log('postgresql: server back');
    const recoveredAfterMs = await watch.until((status) => status === 200, 120_000);
    await sleep(2_000);
    await load.stop();
    await waitCaughtUp(url).catch((error: Error) => {
      throw new Error(`${error.message}\nthe hub's last output:\n${hub?.output().slice(-4000)}`);
    });
    await hub.stop('SIGTERM');
    hub = undefined;

    const { lost } = await checkLog(env, load.ledger);
    const { tables, diffs } = await checkReadModels(env);
    if (detectedAfterMs === null) failures.push(`/health did not report PostgreSQL away within ${options.outageMs} ms`);
    if (recoveredAfterMs === null) failures.push('/health did not recover within 120 s after PostgreSQL came back');
    if (lost.length > 0) failures.push(`${lost.length} acknowledged events are not in the log`);
    if (diffs.length > 0) failures.push(`read models differ from a rebuild (${diffs.length}): ${diffs.slice(0, 3)}`);
    if (tables === 0) failures.push('no read model table was found to compare');
    if (load.stats.serverErrors.length > 0) failures.push(`5xx other than 503: ${load.stats.serverErrors.slice(0, 3)}`);
    if (load.stats.unexpected.length > 0) failures.push(`unexpected answers: ${load.stats.unexpected.slice(0, 3)}`);
    if (load.stats.unavailable === 0) failures.push('no command met the outage (no 503): the outage missed the load');
    return {
      peer: 'postgresql',
      outageMs: options.outageMs,
      detectedAfterMs,
      recoveredAfterMs,
      commandsAcknowledged: load.stats.acknowledged,
      acknowledgedDuringOutage: 0,
      losses: lost.length,
      relayMissing: 0,
      readModelDiffs: diffs.length,
      load: load.stats,
      failures,
    };
  } finally {
    await hub?.stop('SIGKILL');
    await pg.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
