import { liveGeneration } from './generations';
import type { ReadDb } from './read-db';
import { tablesOf, type ReadModel, type Tables } from './read-model';

/**
 * The live tables of read models as the registry says, for instances that query without running the projector (API
 * instances scale out; one projector is active). Cached for a short while: a swap after a rebuild is seen within it.
 */
export class LiveTables {
  private readonly cache = new Map<string, { tables: Tables<string>; until: number }>();

  constructor(
    private readonly readDb: ReadDb,
    private readonly ttlMs = 500,
  ) {}

  async of<T extends string>(model: ReadModel<T>): Promise<Tables<T> | undefined> {
    const hit = this.cache.get(model.name);
    if (hit && hit.until > Date.now()) return hit.tables as Tables<T>;
    const g = await liveGeneration(this.readDb, model.name).catch(() => undefined);
    if (!g) return undefined;
    const tables = tablesOf(model, g.generation);
    this.cache.set(model.name, { tables, until: Date.now() + this.ttlMs });
    return tables;
  }
}
