/**
 * Read models from the command line, for analysts and operators (README "Read models"):
 *
 *   npm run read-models -- status
 *   npm run read-models -- rebuild <sagsoversigt|observationer|analyse|all>
 *   npm run read-models -- asof <read model> <position | ISO time> [--out file.ndjson]
 *   npm run read-models -- export --kommune 0101 [--format csv|ndjson] [--out file]
 *
 * Uses the hub's configuration (HUB_DATA_DIR, HUB_READ_STORE, ...). A rebuild may run while the hub runs: the hub's
 * projector follows the new generation when it is promoted.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import {
  analyseQueries,
  openPostgresReadDb,
  openSqliteReadDb,
  positionAt,
  Projector,
  type ReadDb,
} from '@hub/read-models';
import { loadConfig } from '../apps/hub/src/config';
import { openEventStore, sharedSchema } from '../apps/hub/src/stores';
import { Fritekst, openPiiVault } from '@hub/privacy';
import { readModels } from '../apps/hub/src/read-models/read-side';

/** A text column that holds JSON (a read model's document), parsed; anything else as it is. */
function jsonColumn(value: unknown): unknown {
  if (typeof value !== 'string' || !/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function progress(label: string, total: number): { update: (p: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) {
    let last = 0;
    return {
      update: (p) => {
        if (p - last >= Math.max(1, Math.floor(total / 20)) || p === total)
          process.stderr.write(`${label}: ${p}/${total}\n`);
        last = p;
      },
      stop: () => undefined,
    };
  }
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} events | {eta}s left`, stream: process.stderr },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (p) => bar.update(p), stop: () => bar.stop() };
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv
    .slice(2)
    .filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const config = loadConfig(process.env);
  // The log the hub is configured for (HUB_STORE): the embedded file, PostgreSQL or KurrentDB.
  const store = await openEventStore(config, () => new Date());
  const readDb: ReadDb =
    config.readStore.kind === 'postgres'
      ? await openPostgresReadDb(config.readStore.url, config.readStore.schema)
      : openSqliteReadDb(join(config.dataDir, 'read.sqlite'));
  const models = readModels(config.analyseKey);
  const projector = new Projector({ store, readDb, models: Object.values(models), batchSize: 5000 });
  const out: WriteStream | NodeJS.WriteStream = arg('out') ? createWriteStream(arg('out') as string) : process.stdout;
  try {
    const head = await store.headPosition();
    switch (command) {
      case 'status': {
        await projector.start();
        for (const s of await projector.status())
          process.stdout.write(`${s.readModel}\tgeneration ${s.generation}\tposition ${s.position}\tlag ${s.lag}\n`);
        break;
      }
      case 'rebuild': {
        await projector.start();
        await projector.caughtUp();
        const names = rest[0] === 'all' || rest[0] === undefined ? Object.keys(models) : [rest[0]];
        for (const name of names) {
          const bar = progress(`rebuild ${name}`, head);
          const started = Date.now();
          await projector.rebuild(name, (p) => bar.update(p));
          bar.stop();
          process.stderr.write(`${name}: ${head} events in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        }
        break;
      }
      case 'asof': {
        const [name, when] = rest as [string, string];
        if (!name || !when) throw new Error('usage: asof <read model> <position | ISO time> [--out file]');
        const position = /^\d+$/.test(when) ? Number(when) : await positionAt(store, when);
        const bar = progress(`as of position ${position}`, position);
        const tables = await projector.buildAsOf(name, position, (p) => bar.update(p));
        bar.stop();
        // The rows as they are, with their JSON columns parsed and their free text opened (an erased borger's reads
        // [slettet]): the same the API would show.
        const vault = await openPiiVault(
          config.shared.kind === 'postgres'
            ? { kind: 'postgres', connectionString: config.shared.url, schema: sharedSchema(config, 'vault') }
            : { kind: 'sqlite', file: join(config.dataDir, 'pii.sqlite') },
          { masterKey: config.piiMasterKey },
        );
        try {
          const fritekst = new Fritekst(vault);
          for (const table of Object.values(tables)) {
            const rows = (await readDb.db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
            for (const row of rows) {
              const parsed = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonColumn(v)]));
              const shown = await fritekst.afsloer({ table: table.replace(/_g\d+$/, ''), ...parsed });
              out.write(`${JSON.stringify(shown)}\n`);
            }
          }
        } finally {
          await vault.close();
        }
        await projector.dropAsOf(name);
        break;
      }
      case 'export': {
        const kommunekode = arg('kommune');
        if (!kommunekode) throw new Error('usage: export --kommune <kommunekode> [--format csv|ndjson] [--out file]');
        await projector.start();
        await projector.caughtUp();
        const tables = await projector.liveTables(models.analyse);
        let header: string[] | undefined;
        for await (const row of analyseQueries.udtraek(readDb.db, tables, kommunekode)) {
          if (arg('format') === 'csv') {
            if (!header) out.write(`${analyseQueries.csvLinje((header = Object.keys(row)))}\n`);
            out.write(`${analyseQueries.csvLinje(header.map((k) => row[k]))}\n`);
          } else out.write(`${JSON.stringify(row)}\n`);
        }
        break;
      }
      default:
        throw new Error(
          'commands: status | rebuild <name|all> | asof <name> <position|time> [--out f] | export --kommune k [--format csv|ndjson] [--out f]',
        );
    }
  } finally {
    if (out !== process.stdout) (out as WriteStream).end();
    await projector.stop();
    await readDb.close();
    await store.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
});
