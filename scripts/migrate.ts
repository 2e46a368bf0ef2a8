/**
 * Moves an embedded hub (a data dir) to the production topology (README "Migrating the event store"):
 *
 *   npm run migrate -- --from <data dir | events.sqlite> --to postgres --pg-url <url> [--pg-schema hub]
 *                      [--batch 5000] [--verify] [--rebuild-read-models] [--no-vault]
 *   npm run migrate -- --from <data dir | events.sqlite> --to kurrentdb --kurrentdb-url <url> --pg-url <url>
 *                      [--namespace hub] [--pg-schema hub] [--batch 5000] [--verify] [--rebuild-read-models] [--no-vault]
 *
 * Into the schemas a hub with HUB_STORE=postgres|kurrentdb and HUB_PG_SCHEMA=<s> opens (apps/hub/src/stores.ts):
 * - the event log → `<s>_events` (or the KurrentDB namespace). Positions, ids, streams, revisions, data, metadata and
 *   recordedAt are kept. Resumable: a rerun continues after the target's head once that is shown to be the start of
 *   the same log; a run on a complete target copies nothing, so it also catches up with events appended meanwhile. A
 *   target holding another log is refused before anything is written.
 * - the PII vault `pii.sqlite` → `<s>_vault`, row for row and still sealed (copyVault), after the log, so every borger
 *   the copied log names is in the copied vault. Refused when the target vault has another master key.
 * - the relay's checkpoint in `kafka.sqlite` → `<s>_relay`, once the copied log reaches it and only forward.
 * - with --rebuild-read-models, the read models → `<s>`.
 * Rule state and idempotency keys are not copied (RULE_STATE_NOTE, IDEMPOTENCY_NOTE). Progress goes to stderr every
 * 2 s, the summary to stdout.
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
import { copyVault, VaultMigrationRefusedError, type CopyVaultResult } from '@hub/privacy';
import { openPostgresReadDb, Projector } from '@hub/read-models';
import { ensureRegistry, liveGeneration } from '@hub/read-models/generations';
import { CheckpointMovedError, openPostgresCheckpointStore } from '@hub/relay/checkpoint.store';
import Database from 'better-sqlite3';
import { ANALYSE_KEY_FILE, PII_KEY_FILE } from '../apps/hub/src/config';
import { readModels } from '../apps/hub/src/read-models/read-side';

const USAGE = `usage: npm run migrate -- --from <data dir | events.sqlite> --to postgres|kurrentdb [options]
  --pg-url <url>           PostgreSQL: log (--to postgres), PII vault, relay checkpoint, read models. Default HUB_PG_URL
  --pg-schema <s>          the hub's HUB_PG_SCHEMA: log in <s>_events, vault in <s>_vault, relay checkpoint in
                           <s>_relay, read models in <s>. Default HUB_PG_SCHEMA or hub
  --kurrentdb-url <url>    KurrentDB target of --to kurrentdb. Default HUB_KURRENTDB_URL
  --namespace <name>       KurrentDB namespace of the hub's log. Default hub
  --batch <n>              events per page. Default 5000
  --verify                 compare both logs event by event (every field) after copying
  --rebuild-read-models    build the read models in PostgreSQL from the migrated log
  --no-vault               do not copy the PII vault (<data dir>/pii.sqlite)
The PII vault and the relay checkpoint are copied whenever their files are in the data dir. The vault's rows stay
sealed; HUB_PII_MASTER_KEY (or <data dir>/${PII_KEY_FILE}) is read when present, to check a target vault that this
migration did not create.`;

/** Why the rules' state is not copied (README "Migrating the event store"). */
const RULE_STATE_NOTE =
  'rule state (<s>_rules) is derived from the log (docs/adr/0008): the rules worker replays from position 0 into ' +
  'its fresh PostgreSQL state and, by derived ids, records nothing twice';
const IDEMPOTENCY_NOTE =
  'Idempotency-Key records (<s>_api) expire after 24 h; after the move a key is known only for requests made to ' +
  'the new hub: a retry of a request first sent to the old hub runs again as a new request';
const PROCESSED_NOTE =
  "the inbound consumer's handled Kafka message ids (kafka.sqlite, <s>_api there) are not copied either: a " +
  'command message Kafka redelivers after the move is not recognised as a redelivery';

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
      'pg-schema': { type: 'string' },
      // Replaced by --pg-schema: refused with the replacement named, so an old command line cannot half-migrate.
      schema: { type: 'string' },
      'read-schema': { type: 'string' },
      'kurrentdb-url': { type: 'string' },
      namespace: { type: 'string', default: 'hub' },
      batch: { type: 'string', default: '5000' },
      verify: { type: 'boolean', default: false },
      'rebuild-read-models': { type: 'boolean', default: false },
      'no-vault': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new UsageError('');
  if (values.schema !== undefined || values['read-schema'] !== undefined) {
    throw new UsageError(
      "--schema and --read-schema were replaced by --pg-schema <s>, the hub's HUB_PG_SCHEMA: the log goes to " +
        '<s>_events, the vault to <s>_vault, the relay checkpoint to <s>_relay and the read models to <s>',
    );
  }
  if (!values.from) throw new UsageError('--from is required');
  const from = resolve(values.from);
  if (!existsSync(from)) throw new UsageError(`--from ${from} does not exist`);
  const file = statSync(from).isDirectory() ? join(from, 'events.sqlite') : from;
  if (!existsSync(file)) throw new UsageError(`no SQLite event store at ${file}`);
  const dataDir = dirname(file);
  const pgSchema = values['pg-schema'] ?? process.env['HUB_PG_SCHEMA'] ?? 'hub';
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(pgSchema))
    throw new UsageError(`--pg-schema must be a lower-case SQL identifier of at most 41 characters, got "${pgSchema}"`);
  const vaultFile = join(dataDir, 'pii.sqlite');
  const copyVaultToo = !values['no-vault'] && existsSync(vaultFile);
  const checkpointFile = join(dataDir, 'kafka.sqlite');
  const to = values.to;
  if (to !== 'postgres' && to !== 'kurrentdb') throw new UsageError('--to must be postgres or kurrentdb');
  const pgUrl = values['pg-url'] ?? process.env['HUB_PG_URL'];
  const kurrentDbUrl = values['kurrentdb-url'] ?? process.env['HUB_KURRENTDB_URL'];
  if (to === 'postgres' && !pgUrl) throw new UsageError('--to postgres needs --pg-url (or HUB_PG_URL)');
  if (to === 'kurrentdb' && !kurrentDbUrl) throw new UsageError('--to kurrentdb needs --kurrentdb-url');
  if (values['rebuild-read-models'] && !pgUrl) throw new UsageError('--rebuild-read-models needs --pg-url');
  if (copyVaultToo && !pgUrl)
    throw new UsageError(`the PII vault ${vaultFile} goes to PostgreSQL: give --pg-url, or --no-vault to leave it`);
  if (existsSync(checkpointFile) && !pgUrl && sourceRelayCheckpoint(checkpointFile).position > 0)
    throw new UsageError(`the relay's checkpoint in ${checkpointFile} goes to PostgreSQL: give --pg-url`);
  const batch = Number(values.batch);
  if (!Number.isSafeInteger(batch) || batch < 1) throw new UsageError(`--batch must be an integer >= 1`);
  return {
    file,
    to,
    pgUrl,
    kurrentDbUrl,
    dataDir,
    pgSchema,
    schema: `${pgSchema}_events`,
    vaultSchema: `${pgSchema}_vault`,
    relaySchema: `${pgSchema}_relay`,
    readSchema: pgSchema,
    vaultFile: copyVaultToo ? vaultFile : undefined,
    skippedVault: values['no-vault'] && existsSync(vaultFile),
    checkpointFile: existsSync(checkpointFile) ? checkpointFile : undefined,
    namespace: values.namespace,
    batch,
    verify: values.verify,
    rebuildReadModels: values['rebuild-read-models'],
  };
}
type Options = ReturnType<typeof parse>;

/** The key the hub pseudonymises borgere with in the analyse read model: the same one, or the analysis changes. */
function analyseKey(options: Options): Buffer {
  const fromEnv = process.env['HUB_ANALYSE_KEY'];
  const file = join(options.dataDir, ANALYSE_KEY_FILE);
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

/** The hub's PII master key when it is at hand (it is not needed to copy sealed rows; see copyVault). */
function piiMasterKey(options: Options): Buffer | undefined {
  const fromEnv = process.env['HUB_PII_MASTER_KEY'];
  const file = join(options.dataDir, PII_KEY_FILE);
  const key = fromEnv
    ? Buffer.from(fromEnv, 'base64')
    : existsSync(file)
      ? Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
      : undefined;
  if (key !== undefined && key.length !== 32) {
    throw new UsageError(`the PII master key (${fromEnv ? 'HUB_PII_MASTER_KEY' : file}) must be 32 bytes, base64`);
  }
  return key;
}

const describeVault = (r: CopyVaultResult, schema: string): string =>
  `${r.total} borgere (${r.erased} erased, kept erased) into PostgreSQL schema ${schema}: ${r.copied} copied, ` +
  `${r.skipped} already there and equal` +
  (r.erasedSince > 0 ? `, ${r.erasedSince} erased in the source since an earlier run and erased there too` : '') +
  `; master key: ${r.masterKeyCheck} (${(r.elapsedMs / 1000).toFixed(1)} s)`;

/** The relay's checkpoint in `<data dir>/kafka.sqlite`, read-only: position 0 when the relay never sent anything. */
function sourceRelayCheckpoint(file: string): { position: number; eventId: string | null } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoint'`).get();
    if (!table) return { position: 0, eventId: null };
    const columns = db.prepare<[], { name: string }>('PRAGMA table_info(checkpoint)').all();
    const row = db
      .prepare<[string], { position: number; event_id: string | null }>(
        `SELECT position, ${columns.some((c) => c.name === 'event_id') ? 'event_id' : 'NULL AS event_id'}
         FROM checkpoint WHERE name = ?`,
      )
      .get('relay');
    return { position: row?.position ?? 0, eventId: row?.event_id ?? null };
  } finally {
    db.close();
  }
}

/**
 * Carries the relay's checkpoint to `<s>_relay`, so the relay of the new hub continues where the old one stopped
 * instead of sending the whole history to Kafka again. Only when the copied log holds the checkpoint's event at the
 * same position (positions are kept by the copy), and only forward: a target checkpoint already there or beyond stays.
 */
async function carryRelayCheckpoint(options: Options, target: EventStore): Promise<{ text: string; ok: boolean }> {
  const file = options.checkpointFile as string;
  const { position, eventId } = sourceRelayCheckpoint(file);
  if (position === 0) return { text: `nothing to carry: the relay in ${file} never sent an event`, ok: true };
  if (!options.pgUrl) throw new Error('unreachable: parse() requires --pg-url for a relay checkpoint');
  const head = await target.headPosition();
  if (position > head) {
    return {
      text:
        `NOT carried: the relay's checkpoint ${position} is beyond the copied log (head ${head}); the old hub is ` +
        `still running: stop it and run migrate again`,
      ok: false,
    };
  }
  const [at] = await target.readAll({ after: position - 1, maxCount: 1 });
  if (at?.position !== position || (eventId !== null && at.eventId !== eventId)) {
    return {
      text:
        `NOT carried: the relay's checkpoint is after event ${eventId ?? '?'} at position ${position}, the copied ` +
        `log has ${at?.position === position ? at.eventId : 'no event'} there`,
      ok: false,
    };
  }
  const checkpoints = await openPostgresCheckpointStore({
    connectionString: options.pgUrl,
    schema: options.relaySchema,
    name: 'relay',
  });
  try {
    const current = await checkpoints.load();
    const where = `PostgreSQL schema ${options.relaySchema}`;
    if (current >= position) {
      return {
        text: `kept: the checkpoint in ${where} is at ${current}, not behind the source's ${position}`,
        ok: true,
      };
    }
    // Compare-and-set from what was read: a relay of the new hub that moved it meanwhile wins.
    await checkpoints.save(position, at.eventId, current);
    return { text: `position ${position} (event ${at.eventId}) into ${where}, was ${current}`, ok: true };
  } catch (error) {
    if (error instanceof CheckpointMovedError)
      return { text: `kept: a running relay moved the checkpoint in ${options.relaySchema} meanwhile`, ok: true };
    throw error;
  } finally {
    await checkpoints.close();
  }
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
  const masterKey = options.vaultFile ? piiMasterKey(options) : undefined;
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
    if (options.vaultFile) {
      const copied = await copyVault({
        sourceFile: options.vaultFile,
        connectionString: options.pgUrl as string,
        schema: options.vaultSchema,
        ...(masterKey ? { masterKey } : {}),
        onProgress: (p) => report(`vault: ${fmt(p.done)}/${fmt(p.total)} borgere`),
      });
      out('vault', describeVault(copied, options.vaultSchema));
    } else {
      out(
        'vault',
        options.skippedVault ? 'not copied (--no-vault)' : `none: no ${join(options.dataDir, 'pii.sqlite')}`,
      );
    }
    if (options.checkpointFile) {
      const carried = await carryRelayCheckpoint(options, target);
      out('relay', carried.text);
      if (!carried.ok) process.exitCode = 1;
    } else {
      out('relay', `nothing to carry: no ${join(options.dataDir, 'kafka.sqlite')} (the relay never ran)`);
    }
    if (options.rebuildReadModels) out('read models', await rebuildReadModels(options, target, result.head));
    out('not copied', RULE_STATE_NOTE.replace('<s>', options.pgSchema));
    out('', IDEMPOTENCY_NOTE.replace('<s>', options.pgSchema));
    out('', PROCESSED_NOTE.replace('<s>', options.pgSchema));
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
  const refused = error instanceof MigrationRefusedError || error instanceof VaultMigrationRefusedError;
  process.stderr.write(`${refused ? 'refused: ' : 'migration failed: '}${(error as Error).message}\n`);
  process.exitCode = 1;
});
