import type { Transaction } from 'kysely';
import { chunks } from './read-db';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tx = Transaction<any>;
export type Row = Record<string, string | number | null>;

/** Loads the JSON docs of the given ids from a table with columns `id` and `doc`. */
export async function loadDocs<Doc>(tx: Tx, table: string, ids: readonly string[]): Promise<Map<string, Doc>> {
  const docs = new Map<string, Doc>();
  for (const part of chunks([...new Set(ids)], 1)) {
    const rows = (await tx.selectFrom(table).select(['id', 'doc']).where('id', 'in', part).execute()) as {
      id: string;
      doc: string;
    }[];
    for (const row of rows) docs.set(row.id, JSON.parse(row.doc) as Doc);
  }
  return docs;
}

/** Inserts rows, replacing those with the same key: one statement per chunk, the same SQL on SQLite and PostgreSQL. */
export async function upsertRows(tx: Tx, table: string, key: string, rows: readonly Row[]): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first).filter((c) => c !== key);
  for (const part of chunks(rows, columns.length + 1)) {
    await tx
      .insertInto(table)
      .values(part as Row[])
      .onConflict((oc) =>
        oc
          .column(key)
          .doUpdateSet(
            Object.fromEntries(
              columns.map((c) => [c, (eb: { ref: (r: string) => unknown }) => eb.ref(`excluded.${c}`)]),
            ) as never,
          ),
      )
      .execute();
  }
}

/** Inserts rows that are facts (never updated); a row already there is left as it is. */
export async function insertNew(tx: Tx, table: string, key: string, rows: readonly Row[]): Promise<void> {
  const first = rows[0];
  if (!first) return;
  for (const part of chunks(rows, Object.keys(first).length)) {
    await tx
      .insertInto(table)
      .values(part as Row[])
      .onConflict((oc) => oc.column(key).doNothing())
      .execute();
  }
}

/** Replaces every row of `parentColumn` ∈ parents with `rows` (derived rows that are rebuilt whole from a doc). */
export async function replaceRows(
  tx: Tx,
  table: string,
  parentColumn: string,
  parents: readonly string[],
  rows: readonly Row[],
): Promise<void> {
  for (const part of chunks(parents, 1)) await tx.deleteFrom(table).where(parentColumn, 'in', part).execute();
  const first = rows[0];
  if (!first) return;
  for (const part of chunks(rows, Object.keys(first).length))
    await tx
      .insertInto(table)
      .values(part as Row[])
      .execute();
}

export const bool = (value: boolean): number => (value ? 1 : 0);
