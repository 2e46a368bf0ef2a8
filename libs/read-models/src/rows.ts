import { CompiledQuery, type Transaction } from 'kysely';
import { chunks, type ReadDb } from './read-db';

/** The dialect: compiled SQL differs (placeholders `?` versus `$1`). */
type Kind = ReadDb['kind'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tx = Transaction<any>;
export type Row = Record<string, string | number | null>;

/** Loads the JSON docs of the given ids from a table with columns `id` and `doc`. */
/** The table of context documents (`id`, `doc` as JSON) a read model folds into and `loadDocs` reads. */
export async function createKontekstTable(db: ReadDb['db'], table: string): Promise<void> {
  await db.schema
    .createTable(table)
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('doc', 'text', (c) => c.notNull())
    .execute();
}

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

type Conflict = { readonly key: string | readonly string[]; readonly action: 'update' | 'nothing' } | undefined;

/**
 * Kysely builds the SQL of a multi-row INSERT as a tree with a node per value, which dominates a rebuild. The SQL of
 * one shape (table, columns, row count, conflict handling) is the same every time, so it is compiled once by Kysely
 * and then run with fresh parameters: the query builder stays the only author of SQL.
 */
const compiled = new Map<string, string>();

async function insertChunks(
  tx: Tx,
  kind: Kind,
  table: string,
  rows: readonly Row[],
  conflict: Conflict,
): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  for (const part of chunks(rows, columns.length)) {
    const keys = conflict === undefined ? [] : typeof conflict.key === 'string' ? [conflict.key] : conflict.key;
    const shape = `${kind}|${table}|${columns.join(',')}|${part.length}|${keys.join(',')}|${conflict?.action ?? ''}`;
    let text = compiled.get(shape);
    if (text === undefined) {
      let q = tx.insertInto(table).values(part as Row[]);
      if (conflict?.action === 'nothing') q = q.onConflict((oc) => oc.columns(keys).doNothing());
      if (conflict?.action === 'update') {
        const update = columns.filter((c) => !keys.includes(c));
        q = q.onConflict((oc) =>
          oc
            .columns(keys)
            .doUpdateSet(
              Object.fromEntries(
                update.map((c) => [c, (eb: { ref: (r: string) => unknown }) => eb.ref(`excluded.${c}`)]),
              ) as never,
            ),
        );
      }
      text = q.compile().sql;
      compiled.set(shape, text);
      if (compiled.size > 2000) compiled.delete(compiled.keys().next().value as string);
    }
    await tx.executeQuery(
      CompiledQuery.raw(
        text,
        part.flatMap((row) => columns.map((c) => row[c] ?? null)),
      ),
    );
  }
}

/** Inserts rows, replacing those with the same key: the same SQL on SQLite and PostgreSQL. */
export async function upsertRows(tx: Tx, kind: Kind, table: string, key: string, rows: readonly Row[]): Promise<void> {
  await insertChunks(tx, kind, table, rows, { key, action: 'update' });
}

/** Inserts rows that are facts (never updated); a row already there is left as it is. */
export async function insertNew(
  tx: Tx,
  kind: Kind,
  table: string,
  key: string | readonly string[],
  rows: readonly Row[],
): Promise<void> {
  await insertChunks(tx, kind, table, rows, { key, action: 'nothing' });
}

/** Replaces every row of `parentColumn` ∈ parents with `rows` (derived rows that are rebuilt whole from a doc). */
export async function replaceRows(
  tx: Tx,
  kind: Kind,
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
