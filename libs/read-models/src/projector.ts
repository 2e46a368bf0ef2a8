import type { EventStore } from '@hub/event-store';
import {
  createGeneration,
  dropGeneration,
  ensureRegistry,
  generations,
  liveGeneration,
  promote,
  type Generation,
} from './generations';
import type { ReadDb } from './read-db';
import { tablesOf, type ReadModel, type Tables } from './read-model';
import { startProjection, type RunningProjection } from './runner';

export interface ProjectorOptions {
  readonly store: EventStore;
  readonly readDb: ReadDb;
  readonly models: readonly ReadModel[];
  readonly batchSize?: number;
  /** How often to look for a generation promoted by another process. */
  readonly registryPollMs?: number;
}

export interface ReadModelStatus {
  readonly readModel: string;
  readonly generation: number;
  readonly version: number;
  readonly position: number;
  readonly lag: number;
  readonly rebuilding: boolean;
}

/**
 * Keeps every read model's live generation current, and builds new ones beside it: a rebuild (from position 0,
 * promoted when caught up, while queries keep reading the old one) and as-of builds (stopped at a past position,
 * never promoted). A model whose definition changed version is rebuilt the same way at start.
 */
export class Projector {
  private readonly live = new Map<string, RunningProjection>();
  private readonly rebuilding = new Set<string>();
  /** Builds started in the background (the first build of a read model, a new version): caughtUp waits for them. */
  private readonly building = new Map<string, Promise<unknown>>();
  private stopped = false;
  private watch: NodeJS.Timeout | undefined;
  /** Failures of live runners, for operators (health shows them). */
  readonly failures: { readModel: string; at: string; message: string }[] = [];

  constructor(private readonly options: ProjectorOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    await ensureRegistry(this.options.readDb);
    this.watch = setInterval(() => void this.followRegistry(), this.options.registryPollMs ?? 2000);
    this.watch.unref();
    for (const model of this.options.models) {
      const current = await liveGeneration(this.options.readDb, model.name);
      // A building generation left by a crash is abandoned; an as-of one stays until it is dropped.
      for (const g of await generations(this.options.readDb, model.name))
        if (g.state === 'building') await dropGeneration(this.options.readDb, model, g.generation);
      if (!current) {
        // The first build catches up from position 0 beside nothing, then gets its indexes and goes live.
        this.track(model.name, this.rebuild(model.name));
      } else {
        this.supervise(model, await this.run(model, current.generation));
        if (current.version !== model.version) this.track(model.name, this.rebuild(model.name));
      }
    }
  }

  /** The tables the queries of a read model read now. */
  async liveTables<T extends string>(model: ReadModel<T>): Promise<Tables<T>> {
    const g = this.live.get(model.name);
    if (!g) throw new Error(`${model.name} is not running`);
    return tablesOf(model, g.generation);
  }

  /** Waits until every live read model has applied the log up to `position` (default: the head now). */
  async caughtUp(position?: number): Promise<void> {
    await Promise.all(this.building.values());
    await Promise.all([...this.live.values()].map((p) => p.caughtUp(position)));
  }

  async status(): Promise<ReadModelStatus[]> {
    const out: ReadModelStatus[] = [];
    for (const model of this.options.models) {
      const p = this.live.get(model.name);
      if (p)
        out.push({
          readModel: model.name,
          generation: p.generation,
          version: model.version,
          position: p.position(),
          lag: await p.lag(),
          rebuilding: this.rebuilding.has(model.name),
        });
    }
    return out;
  }

  /** Builds a fresh generation from position 0 beside the live one, promotes it when caught up, drops the old one. */
  async rebuild(name: string, onBatch?: (position: number) => void): Promise<Generation> {
    const model = this.model(name);
    if (this.rebuilding.has(name)) throw new Error(`${name} is being rebuilt already`);
    this.rebuilding.add(name);
    try {
      const fresh = await createGeneration(this.options.readDb, model, 'building');
      const running = await this.run(model, fresh.generation, onBatch);
      await running.caughtUp();
      await model.createIndexes(this.options.readDb, tablesOf(model, fresh.generation));
      // What was appended while the indexes were built is applied by the running runner: catch up again, then swap.
      await running.caughtUp();
      const old = this.live.get(name);
      await promote(this.options.readDb, name, fresh.generation);
      this.supervise(model, running);
      if (old) {
        await old.stop();
        await dropGeneration(this.options.readDb, model, old.generation);
      }
      return { ...fresh, state: 'live', position: running.position() };
    } finally {
      this.rebuilding.delete(name);
    }
  }

  /** Builds a generation frozen at `position`: what the read model showed then. Drop it with `dropAsOf`. */
  async buildAsOf(name: string, position: number, onBatch?: (position: number) => void): Promise<Tables<string>> {
    const model = this.model(name);
    await ensureRegistry(this.options.readDb);
    const g = await createGeneration(this.options.readDb, model, 'asof', position);
    const running = await this.run(model, g.generation, onBatch, position);
    await running.caughtUp(position);
    await running.stop();
    return tablesOf(model, g.generation);
  }

  async dropAsOf(name: string): Promise<void> {
    const model = this.model(name);
    for (const g of await generations(this.options.readDb, name))
      if (g.state === 'asof') await dropGeneration(this.options.readDb, model, g.generation);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watch);
    await Promise.all([...this.live.values()].map((p) => p.stop()));
    this.live.clear();
  }

  /**
   * Keeps a live runner going: when it fails (the store or read store went away, or another process rebuilt the read
   * model and dropped this generation), it reads the registry again and follows the live generation, with backoff.
   */
  private supervise(model: ReadModel, running: RunningProjection): void {
    this.live.set(model.name, running);
    running.done.catch(async (error: unknown) => {
      if (this.stopped || this.live.get(model.name) !== running) return;
      this.failed(model, error);
      for (let attempt = 0; !this.stopped; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** attempt)).unref?.());
        if (this.stopped || this.live.get(model.name) !== running) return;
        try {
          const current = await liveGeneration(this.options.readDb, model.name);
          const generation =
            current?.generation ?? (await createGeneration(this.options.readDb, model, 'live')).generation;
          this.supervise(model, await this.run(model, generation));
          return;
        } catch (retryError) {
          this.failed(model, retryError);
        }
      }
    });
  }

  /** Another process (the CLI) may have promoted a new generation: follow it, even while no events arrive. */
  private async followRegistry(): Promise<void> {
    for (const model of this.options.models) {
      const running = this.live.get(model.name);
      if (!running || this.rebuilding.has(model.name) || this.stopped) continue;
      const current = await liveGeneration(this.options.readDb, model.name).catch(() => undefined);
      if (!current || current.generation === running.generation) continue;
      this.live.delete(model.name);
      await running.stop();
      if (!this.stopped) this.supervise(model, await this.run(model, current.generation));
    }
  }

  private track(name: string, build: Promise<unknown>): void {
    const model = this.model(name);
    const tracked = build.catch((e: unknown) => this.failed(model, e)).finally(() => this.building.delete(name));
    this.building.set(name, tracked);
  }

  private failed(model: ReadModel, error: unknown): void {
    this.failures.push({
      readModel: model.name,
      at: new Date().toISOString(),
      message: (error as Error)?.message ?? String(error),
    });
    if (this.failures.length > 50) this.failures.shift();
  }

  private model(name: string): ReadModel {
    const model = this.options.models.find((m) => m.name === name);
    if (!model)
      throw new Error(`unknown read model ${name}; known: ${this.options.models.map((m) => m.name).join(', ')}`);
    return model;
  }

  private run(
    model: ReadModel,
    generation: number,
    onBatch?: (position: number) => void,
    untilPosition?: number,
  ): Promise<RunningProjection> {
    return startProjection({
      store: this.options.store,
      readDb: this.options.readDb,
      model,
      generation,
      ...(this.options.batchSize ? { batchSize: this.options.batchSize } : {}),
      ...(onBatch ? { onBatch } : {}),
      ...(untilPosition === undefined ? {} : { untilPosition }),
    });
  }
}

/** The position of the last event recorded at or before `time` (binary search over the gap-free log). */
export async function positionAt(store: EventStore, time: string): Promise<number> {
  const target = Date.parse(time);
  if (Number.isNaN(target)) throw new Error(`not a time: ${time}`);
  let lo = 0;
  let hi = await store.headPosition();
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const [event] = await store.readAll({ after: mid - 1, maxCount: 1 });
    if (event && Date.parse(event.recordedAt) <= target) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
