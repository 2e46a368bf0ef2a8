import type { Transaction } from 'kysely';
import type { RecordedEvent } from '@hub/event-store';
import type { ReadDb } from './read-db';

/** A transaction over tables created at run time, per generation: no static schema type fits them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTransaction = Transaction<any>;

/** Table names of one generation of a read model: `<table>_g<generation>`. */
export type Tables<T extends string> = Readonly<Record<T, string>>;

/**
 * A read model: tables, and how a batch of the log changes them. `applyBatch` runs inside the runner's transaction,
 * which also moves the checkpoint, so a batch is applied exactly once or not at all.
 */
export interface ReadModel<T extends string = string> {
  readonly name: string;
  /** Bump when the tables or the fold change: the runner then builds the new version beside the old one. */
  readonly version: number;
  readonly tables: readonly T[];
  /** Tables with their primary keys: what applying a batch needs. */
  createTables(readDb: ReadDb, tables: Tables<T>): Promise<void>;
  /**
   * Secondary indexes: what queries need. A generation built from position 0 gets them after it has caught up (one
   * sorted build instead of an index insert per row), before it is promoted.
   */
  createIndexes(readDb: ReadDb, tables: Tables<T>): Promise<void>;
  applyBatch(
    tx: AnyTransaction,
    kind: ReadDb['kind'],
    tables: Tables<T>,
    events: readonly RecordedEvent[],
  ): Promise<void>;
}

export function tablesOf<T extends string>(model: ReadModel<T>, generation: number): Tables<T> {
  return Object.fromEntries(model.tables.map((t) => [t, `${model.name}_${t}_g${generation}`])) as Tables<T>;
}
