/**
 * A projector in its own OS process, for the kill test: `node -r @swc-node/register projector-child.process.ts
 * <events file> <read file>`. Each batch pauses inside its transaction, so a kill most likely lands mid-batch; it
 * reports every committed position on stdout.
 */
import { openSqliteEventStore } from '@hub/event-store';
import { openSqliteReadDb } from '../read-db';
import { Projector } from '../projector';
import type { ReadModel } from '../read-model';
import { sagsoversigt } from '../sagsoversigt.read-model';
import { counting } from './counting';

async function main(): Promise<void> {
  const [eventsFile, readFile] = process.argv.slice(2) as [string, string];
  const model = counting(sagsoversigt);
  const slow: ReadModel = {
    ...model,
    async applyBatch(tx, kind, tables, events) {
      await model.applyBatch(tx, kind, tables as never, events);
      await new Promise((resolve) => setTimeout(resolve, 4));
    },
  };
  const projector = new Projector({
    store: openSqliteEventStore({ file: eventsFile }),
    readDb: openSqliteReadDb(readFile),
    models: [slow],
    batchSize: 25,
  });
  await projector.start();
  const report = () => void projector.status().then(([s]) => process.stdout.write(`${s?.position ?? 0}\n`));
  setInterval(report, 2);
}

void main();
