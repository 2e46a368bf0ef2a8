import { sql } from 'kysely';
import type { ReadModel } from '../read-model';

/**
 * Wraps a read model so that every applied event is also counted in a table, in the same transaction. After any crash
 * and restart, the count equals the number of events in the log exactly when none was applied twice or skipped —
 * whatever the wrapped model's writers would forgive.
 */
export function counting<T extends string>(model: ReadModel<T>): ReadModel<T | 'taeller'> {
  return {
    ...model,
    tables: [...model.tables, 'taeller'],
    async createTables(readDb, tables) {
      await model.createTables(readDb, tables);
      await readDb.db.schema
        .createTable(tables.taeller)
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('anvendt', 'bigint', (c) => c.notNull())
        .execute();
      await readDb.db.insertInto(tables.taeller).values({ id: 'x', anvendt: 0 }).execute();
    },
    async applyBatch(tx, kind, tables, events) {
      await model.applyBatch(tx, kind, tables, events);
      const taeller: string = tables.taeller;
      await tx
        .updateTable(taeller)
        .set({ anvendt: sql`anvendt + ${events.length}` })
        .where('id', '=', 'x')
        .execute();
    },
  };
}
