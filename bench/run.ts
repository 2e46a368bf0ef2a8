import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchModule, BenchRow } from './bench.types';
import { bench as eventStoreBench, benchPostgres as postgresEventStoreBench } from './event-store.bench';
import { bench as httpBench } from './http.bench';
import { bench as readModelsBench } from './read-models.bench';
import { bench as relayBench } from './relay.bench';
import { bench as rulesBench } from './rules.bench';

/** Every module adds rows to the one table. Add HTTP, relay and rebuild benchmarks here. */
const MODULES: ReadonlyArray<readonly [name: string, run: BenchModule]> = [
  ['event store', eventStoreBench],
  ['event store postgres', postgresEventStoreBench],
  ['http', httpBench],
  ['read models', readModelsBench],
  ['relay', relayBench],
  ['rules', rulesBench],
];

function machine(): string[] {
  const db = new Database(':memory:');
  const sqliteVersion = db.prepare('SELECT sqlite_version()').pluck().get() as string;
  db.close();
  const cpuList = cpus();
  return [
    `CPU: ${cpuList[0]?.model.trim() ?? 'unknown'}`,
    `cores: ${cpuList.length}`,
    `memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `node: ${process.version}`,
    `SQLite: ${sqliteVersion} (better-sqlite3 ${(JSON.parse(readFileSync(require.resolve('better-sqlite3/package.json'), 'utf8')) as { version: string }).version})`,
  ];
}

function format(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

function table(rows: readonly BenchRow[]): string {
  const header = ['figure', 'unit', 'value', 'baseline', 'baseline value', 'ratio'];
  const cells = rows.map((row) => [
    row.figure,
    row.unit,
    format(row.value),
    row.baseline ?? '',
    row.baselineValue === undefined ? '' : format(row.baselineValue),
    row.ratio === undefined
      ? ''
      : `${row.ratio.toFixed(2)}×` +
        (row.aim === undefined ? '' : ` (aim ≥ ${row.aim}×: ${row.ratio >= row.aim ? 'met' : 'missed'})`),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => line[column]?.length ?? 0)),
  );
  const line = (values: readonly string[]): string =>
    `| ${values.map((value, column) => value.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  // Under the repo (gitignored) rather than os.tmpdir(), so the figures come from the disk the data lives on.
  const root = join(__dirname, '..', '.bench-tmp');
  mkdirSync(root, { recursive: true });
  const tmpDir = mkdtempSync(join(root, 'run-'));
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const started = Date.now();
  const rows: BenchRow[] = [];
  try {
    // `--only <module>` runs one module (e.g. --only "read models").
    const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
    for (const [name, run] of MODULES.filter(([n]) => only === undefined || n === only)) {
      log(`running ${name}${quick ? ' (quick)' : ''} ...`);
      rows.push(...(await run({ quick, tmpDir: join(tmpDir, name.replace(/\W+/g, '-')), log })));
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  const lines = [
    `# Benchmarks${quick ? ' (quick run)' : ''}, ${new Date().toISOString().slice(0, 10)}`,
    '',
    ...machine().map((fact) => `- ${fact}`),
    '',
    table(rows),
    '',
    `(${((Date.now() - started) / 1000).toFixed(1)} s)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
