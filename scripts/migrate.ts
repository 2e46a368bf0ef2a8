/**
 * Copies the event log from the embedded SQLite store to PostgreSQL or KurrentDB (README "Migrating the event store"):
 *
 *   npm run migrate -- --from <data dir | events.sqlite> --to postgres --pg-url <url> [--schema hub_events]
 *                      [--batch 5000] [--verify] [--rebuild-read-models [--read-schema hub]]
 *   npm run migrate -- --from <data dir | events.sqlite> --to kurrentdb --kurrentdb-url <url> [--namespace hub]
 *                      [--batch 5000] [--verify] [--rebuild-read-models --pg-url <url> [--read-schema hub]]
 *
 * Positions, ids, streams, revisions, data, metadata and recordedAt are kept. Resumable: run it again after a crash or
 * a kill and it continues after the target's head (once that is shown to be the start of the same log); a run on a
 * complete target copies nothing, so it also catches up with events appended meanwhile. A target holding another log
 * is refused before anything is written. Progress goes to stderr every 2 s, the summary to stdout.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openPostgresEventStore, openSqliteEventStore, type EventStore } from '@hub/event-store';
import { openKurrentDbEventStore } from '@hub/event-store/kurrentdb';
import {
  appendWriter,
  importWriter,
  migrateLog,
  MigrationRefusedError,
  replayClock,
  verifyLogs,
  type LogWriter,
  type MigrationProgress,
} from '@hub/event-store/migration';
import { openPostgresReadDb, Projector } from '@hub/read-models';
import { ensureRegistry, liveGeneration } from '@hub/read-models/generations';
import { ANALYSE_KEY_FILE } from '../apps/hub/src/config';
import { readModels } from '../apps/hub/src/read-models/read-side';

const USAGE = `usage: npm run migrate -- --from <data dir | events.sqlite> --to postgres|kurrentdb [options]
  --pg-url <url>           PostgreSQL (target of --to postgres; read store of --rebuild-read-models). Default HUB_PG_URL
  --schema <name>          PostgreSQL schema of the event store. Default hub_events
  --kurrentdb-url <url>    KurrentDB target of --to kurrentdb. Default HUB_KURRENTDB_URL
  --namespace <name>       KurrentDB namespace of the hub's log. Default hub
  --batch <n>              events per page. Default 5000
  --verify                 compare both logs event by event (every field) after copying
  --rebuild-read-models    build the read models in PostgreSQL from the migrated log
  --read-schema <name>     PostgreSQL schema of the read models. Default HUB_PG_SCHEMA or hub`;

class UsageError extends Error {}

const PROGRESS_EVERY_MS = 2000;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'pg-url': { type: 'string' },
      schema: { type: 'string', default: 'hub_events' },
      'kurrentdb-url': { type: 'string' },
      namespace: { type: 'string', default: 'hub' },
      batch: { type: 'string', default: '5000' },
      verify: { type: 'boolean', default: false },
      'rebuild-read-models': { type: 'boolean', default: false },
      'read-schema': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new UsageError('');
  if (!values.from) throw new UsageError('--from is required');
  const from = resolve(values.from);
  if (!existsSync(from)) throw new UsageError(`--from ${from} does not exist`);
  const file = statSync(from).isDirectory() ? join(from, 'events.sqlite') : from;
  if (!existsSync(file)) throw new UsageError(`no SQLite event store at ${file}`);
  const to = values.to;
  if (to !== 'postgres' && to !== 'kurrentdb') throw new UsageError('--to must be postgres or kurrentdb');
  const pgUrl = values['pg-url'] ?? process.env['HUB_PG_URL'];
  const kurrentDbUrl = values['kurrentdb-url'] ?? process.env['HUB_KURRENTDB_URL'];
  if (to === 'postgres' && !pgUrl) throw new UsageError('--to postgres needs --pg-url (or HUB_PG_URL)');
  if (to === 'kurrentdb' && !kurrentDbUrl) throw new UsageError('--to kurrentdb needs --kurrentdb-url');
  if (values['rebuild-read-models'] && !pgUrl) throw new UsageError('--rebuild-read-models needs --pg-url');
  const batch = Number(values.batch);
  if (!Number.isSafeInteger(batch) || batch < 1) throw new UsageError(`--batch must be an integer >= 1`);
  return {
    file,
    to,
    pgUrl,
    kurrentDbUrl,
    schema: values.schema,
    namespace: values.namespace,
    batch,
    verify: values.verify,
    rebuildReadModels: values['rebuild-read-models'],
    readSchema: values['read-schema'] ?? process.env['HUB_PG_SCHEMA'] ?? 'hub',
  };
}
type Options = ReturnType<typeof parse>;

/** The key the hub pseudonymises borgere with in the analyse read model: the same one, or the analysis changes. */
function analyseKey(options: Options): Buffer {
  const fromEnv = process.env['HUB_ANALYSE_KEY'];
  const file = join(dirname(options.file), ANALYSE_KEY_FILE);
  const key = fromEnv
    ? Buffer.from(fromEnv, 'base64')
    : existsSync(file)
      ? Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
      : undefined;
  if (key?.length !== 32) {
    throw new UsageError(
      `--rebuild-read-models needs the hub's 32-byte analyse pseudonym key: set HUB_ANALYSE_KEY (base64) or keep ` +
        `${ANALYSE_KEY_FILE} beside the source (looked at ${file})`,
    );
  }
  return key;
}

async function openTarget(options: Options): Promise<{ target: EventStore; writer: LogWriter; name: string }> {
  if (options.to === 'postgres') {
    const target = await openPostgresEventStore({
      connectionString: options.pgUrl as string,
      schema: options.schema,
      applicationName: 'ffb-hub migrate',
    });
    return { target, writer: importWriter(target), name: `postgres schema ${options.schema}` };
  }
  // KurrentDB stamps recordedAt from the adapter's clock: replaying the source's times keeps them.
  const clock = replayClock();
  const target = openKurrentDbEventStore({
    connectionString: options.kurrentDbUrl as string,
    namespace: options.namespace,
    now: clock.now,
  });
  return { target, writer: appendWriter(target, clock), name: `kurrentdb namespace ${options.namespace}` };
}

function throttled(print: (line: string) => void): (line: string, last?: boolean) => void {
  let printed = 0;
  return (line, last = false) => {
    if (!last && Date.now() - printed < PROGRESS_EVERY_MS) return;
    printed = Date.now();
    print(line);
  };
}

const progressLine = (p: MigrationProgress): string =>
  `copied ${fmt(p.copied)}/${fmt(p.total)} events (${p.total === 0 ? 100 : ((100 * p.copied) / p.total).toFixed(1)} %), ` +
  `position ${p.position}, ${fmt(p.eventsPerSecond)} events/s, ETA ${p.etaSeconds === undefined ? '?' : Math.ceil(p.etaSeconds)} s`;

async function rebuildReadModels(options: Options, store: EventStore, head: number): Promise<string> {
  const readDb = await openPostgresReadDb(options.pgUrl as string, options.readSchema);
  const models = Object.values(readModels(analyseKey(options)));
  const projector = new Projector({ store, readDb, models, batchSize: 5000 });
  const started = Date.now();
  const report = throttled((line) => process.stderr.write(`${line}\n`));
  const timer = setInterval(() => {
    void projector.status().then((status) => {
      const positions = status.map((s) => `${s.readModel} ${s.position}/${head}`).join(', ');
      report(`read models: ${positions || 'starting'}`);
    });
  }, 500);
  try {
    await ensureRegistry(readDb);
    // A read model that already has a live generation there was built from some log: build it again from this one.
    const existing: string[] = [];
    for (const model of models) if (await liveGeneration(readDb, model.name)) existing.push(model.name);
    await projector.start();
    await projector.caughtUp(head);
    for (const name of existing) await projector.rebuild(name);
    const status = await projector.status();
    return (
      `${status.map((s) => `${s.readModel} (generation ${s.generation}, position ${s.position})`).join(', ')} ` +
      `in PostgreSQL schema ${options.readSchema}, ${((Date.now() - started) / 1000).toFixed(1)} s`
    );
  } finally {
    clearInterval(timer);
    await projector.stop();
    await readDb.close();
  }
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const source = openSqliteEventStore({ file: options.file });
  const { target, writer, name } = await openTarget(options).catch(async (error: unknown) => {
    await source.close();
    throw error;
  });
  const out = (label: string, text: string): boolean => process.stdout.write(`${label.padEnd(12)}${text}\n`);
  try {
    const report = throttled((line) => process.stderr.write(`${line}\n`));
    const result = await migrateLog({
      source,
      target,
      writer,
      batchSize: options.batch,
      onProgress: (p) => report(progressLine(p), p.copied === p.total),
    });
    out('source', `${options.file} (head ${result.head})`);
    out('target', `${name}, ${writer.describe}`);
    out('resumed at', `position ${result.resumedAt}`);
    out(
      'copied',
      `${result.copied} events in ${(result.elapsedMs / 1000).toFixed(1)} s (${fmt(result.eventsPerSecond)} events/s)`,
    );
    if (options.verify) {
      const started = Date.now();
      const report = throttled((line) => process.stderr.write(`${line}\n`));
      const verified = await verifyLogs(source, target, {
        pageSize: options.batch,
        onProgress: (compared) => report(`verified ${fmt(compared)}/${fmt(result.head)} events`),
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (!verified.equal) {
        const d = verified.difference;
        out(
          'verified',
          `DIFFERENT at position ${d.position}, ${d.field}: source ${JSON.stringify(d.source)}, ` +
            `target ${JSON.stringify(d.target)} (after ${verified.compared} equal events, ${seconds} s)`,
        );
        process.exitCode = 1;
        return;
      }
      out('verified', `${verified.compared} events equal in every field (${seconds} s)`);
    }
    if (options.rebuildReadModels) out('read models', await rebuildReadModels(options, target, result.head));
  } finally {
    await target.close();
    await source.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message ? `${error.message}\n` : ''}${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const refused = error instanceof MigrationRefusedError;
  process.stderr.write(`${refused ? 'refused: ' : 'migration failed: '}${(error as Error).message}\n`);
  process.exitCode = 1;
});
