import { sql } from 'kysely';
import type { ReadDb } from './read-db';
import { tablesOf, type AnyTransaction, type ReadModel } from './read-model';

/** live: what queries read. building: a rebuild catching up beside it. asof: a build frozen at a past position. */
export type GenerationState = 'live' | 'building' | 'asof';

export interface Generation {
  readonly readModel: string;
  readonly generation: number;
  readonly version: number;
  readonly state: GenerationState;
  /** The checkpoint: the last log position applied. */
  readonly position: number;
  /** For an as-of build, the position it stops at. */
  readonly untilPosition: number | null;
}

const REGISTRY = 'rm_generation';

export async function ensureRegistry(readDb: ReadDb): Promise<void> {
  await readDb.db.schema
    .createTable(REGISTRY)
    .ifNotExists()
    .addColumn('read_model', 'text', (c) => c.notNull())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('until_position', 'bigint')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rm_generation_pk', ['read_model', 'generation'])
    .execute();
}

type Row = {
  read_model: string;
  generation: number | string;
  version: number | string;
  state: string;
  position: number | string;
  until_position: number | string | null;
};
const toGeneration = (r: Row): Generation => ({
  readModel: r.read_model,
  generation: Number(r.generation),
  version: Number(r.version),
  state: r.state as GenerationState,
  position: Number(r.position),
  untilPosition: r.until_position === null ? null : Number(r.until_position),
});

export async function generations(readDb: ReadDb, readModel: string): Promise<Generation[]> {
  const rows = (await readDb.db
    .selectFrom(REGISTRY)
    .selectAll()
    .where('read_model', '=', readModel)
    .orderBy('generation')
    .execute()) as Row[];
  return rows.map(toGeneration);
}

export async function liveGeneration(readDb: ReadDb, readModel: string): Promise<Generation | undefined> {
  return (await generations(readDb, readModel)).find((g) => g.state === 'live');
}

/** Creates the tables of a new generation and registers it at position 0. */
export async function createGeneration(
  readDb: ReadDb,
  model: ReadModel,
  state: GenerationState,
  untilPosition: number | null = null,
): Promise<Generation> {
  const existing = await generations(readDb, model.name);
  const generation = Math.max(0, ...existing.map((g) => g.generation)) + 1;
  await model.createTables(readDb, tablesOf(model, generation));
  // A live generation serves queries from the start; one that catches up first gets its indexes when caught up.
  if (state === 'live') await model.createIndexes(readDb, tablesOf(model, generation));
  await readDb.db
    .insertInto(REGISTRY)
    .values({
      read_model: model.name,
      generation,
      version: model.version,
      state,
      position: 0,
      until_position: untilPosition,
      updated_at: new Date().toISOString(),
    })
    .execute();
  return { readModel: model.name, generation, version: model.version, state, position: 0, untilPosition };
}

/** Makes `generation` the live one in one transaction; the old live one is dropped afterwards by the caller. */
export async function promote(readDb: ReadDb, readModel: string, generation: number): Promise<Generation | undefined> {
  return readDb.db.transaction().execute(async (tx) => {
    const old = (await tx
      .selectFrom(REGISTRY)
      .selectAll()
      .where('read_model', '=', readModel)
      .where('state', '=', 'live')
      .executeTakeFirst()) as Row | undefined;
    if (old)
      await tx
        .deleteFrom(REGISTRY)
        .where('read_model', '=', readModel)
        .where('generation', '=', old.generation)
        .execute();
    await tx
      .updateTable(REGISTRY)
      .set({ state: 'live', updated_at: new Date().toISOString() })
      .where('read_model', '=', readModel)
      .where('generation', '=', generation)
      .execute();
    return old ? toGeneration(old) : undefined;
  });
}

export async function dropGeneration(readDb: ReadDb, model: ReadModel, generation: number): Promise<void> {
  for (const table of Object.values(tablesOf(model, generation)) as string[])
    await readDb.db.schema.dropTable(table).ifExists().execute();
  await readDb.db
    .deleteFrom(REGISTRY)
    .where('read_model', '=', model.name)
    .where('generation', '=', generation)
    .execute();
}

/**
 * Another writer moved a generation's checkpoint between this runner's read of it and its commit: two projectors ran
 * on one generation at once (a standby that took the lease over from a paused one). The batch rolls back, so no event
 * is applied twice; the runner fails and its projector resumes from the checkpoint as it is now.
 */
export class CheckpointMovedError extends Error {
  constructor(
    readonly readModel: string,
    readonly generation: number,
    readonly expected: number,
  ) {
    super(`${readModel} generation ${generation}: the checkpoint is no longer ${expected}; another projector moved it`);
    this.name = 'CheckpointMovedError';
  }
}

/**
 * Moves the checkpoint from `previous` to `position` (compare-and-set); call inside the transaction that applied the
 * batch. Throws CheckpointMovedError, rolling the batch back, when the checkpoint is not `previous` any more.
 */
export async function setPosition(
  tx: AnyTransaction,
  readModel: string,
  generation: number,
  previous: number,
  position: number,
): Promise<void> {
  const result = await tx
    .updateTable(REGISTRY)
    .set({ position, updated_at: new Date().toISOString() })
    .where('read_model', '=', readModel)
    .where('generation', '=', generation)
    .where('position', '=', previous)
    .executeTakeFirst();
  if (result.numUpdatedRows !== 1n) throw new CheckpointMovedError(readModel, generation, previous);
}

export { sql };
