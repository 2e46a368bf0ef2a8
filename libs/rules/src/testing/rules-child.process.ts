/**
 * A rules worker in its own OS process, for the kill test: `node -r @swc-node/register rules-child.process.ts <events
 * file> <rules file> <clock ISO>`. Small batches, so a kill most likely lands between or inside commits; it reports its
 * committed checkpoint on stdout.
 */
import { ffbKatalog, STANDARD_TAERSKLER } from '@hub/domain';
import { openSqliteEventStore } from '@hub/event-store';
import { RulesWorker } from '../rules-worker';

const [eventsFile, rulesFile, clock] = process.argv.slice(2) as [string, string, string];
const store = openSqliteEventStore({ file: eventsFile });
const worker = new RulesWorker({
  // Each batch pauses after its handler, so the run lasts long enough to be killed in the middle of it.
  store: {
    ...store,
    subscribeToAll: (o) =>
      store.subscribeToAll({
        ...o,
        handler: async (batch) => {
          await o.handler(batch);
          await new Promise((r) => setTimeout(r, 4));
        },
      }),
  },
  file: rulesFile,
  katalog: ffbKatalog,
  taerskler: () => STANDARD_TAERSKLER,
  clock: () => new Date(clock),
  autoTick: false,
  batchSize: 20,
});
worker.start();
setInterval(() => void worker.status().then((s) => process.stdout.write(`${s.checkpoint}\n`)), 2);
