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
  /**
   * How long a read model may go without a live generation while the projector runs (its first build, or a follow
   * that failed) before `health()` calls it down. Default 5 minutes: a first build on a fresh store takes seconds.
   */
  readonly liveGraceMs?: number;
  /** Consecutive failures of a background build after which `health()` calls its read model down. Default 3. */
  readonly buildFailuresBeforeDown?: number;
}

export interface ReadModelStatus {
  readonly readModel: string;
  readonly generation: number;
  readonly version: number;
  readonly position: number;
  readonly lag: number;
  readonly rebuilding: boolean;
}

/** A background build that failed and is being retried. */
export interface FailingBuild {
  readonly readModel: string;
  /** Consecutive failed attempts. */
  readonly failures: number;
  /** When the first of them failed. */
  readonly since: string;
  /** The last error's message (driver text: for logs, not for a public body). */
  readonly message: string;
}

export interface ProjectorHealth {
  /** down: a read model named in `down` has had no live generation for longer than the grace, or its build keeps failing. */
  readonly status: 'ok' | 'down';
  /** Read models this projector does not serve from a live generation yet (a first build in progress, or a follow). */
  readonly building: readonly string[];
  readonly failing: readonly FailingBuild[];
  readonly down: readonly string[];
}

/** Thrown into a build or a runner start that comes after `stop()`. */
class ProjectorStoppedError extends Error {
  constructor(readModel: string) {
    super(`${readModel}: the projector has stopped`);
    this.name = 'ProjectorStoppedError';
  }
}

const backoff = (attempt: number): number => Math.min(5000, 100 * 2 ** attempt);

/**
 * Keeps every read model's live generation current, and builds new ones beside it: a rebuild (from position 0,
 * promoted when caught up, while queries keep reading the old one) and as-of builds (stopped at a past position,
 * never promoted). A model whose definition changed version is rebuilt the same way at start.
 *
 * One instance may run for several terms (start, stop, start: the hub takes the `projector` lease, loses it, takes it
 * again). `stop()` stops every runner it started, builds included, and waits for the builds, restarts and registry
 * follows in flight to end: after it returns, this projector writes nothing, promotes nothing and supervises nothing.
 */
export class Projector {
  private readonly live = new Map<string, RunningProjection>();
  private readonly rebuilding = new Set<string>();
  /** Builds started in the background (the first build of a read model, a new version): caughtUp waits for them. */
  private readonly building = new Map<string, Promise<void>>();
  /** Every runner started and not yet ended: live ones, builds, as-of builds. */
  private readonly runners = new Set<RunningProjection>();
  /** Work in flight that stop() waits for: builds, restarts of failed runners, registry follows. */
  private readonly tasks = new Set<Promise<unknown>>();
  /** Backoff sleeps, woken by stop(). */
  private readonly sleepers = new Set<() => void>();
  /** Since when (monotonic ms) a read model has had no live runner in this term. */
  private readonly notLiveSince = new Map<string, number>();
  private readonly buildFailures = new Map<string, { failures: number; since: string; message: string }>();
  private stopped = false;
  private started = false;
  /** Rises with every start(): work of an earlier term never acts in a later one. */
  private term = 0;
  private watch: NodeJS.Timeout | undefined;
  /** Failures of live runners and builds, for operators (health shows them). */
  readonly failures: { readModel: string; at: string; message: string }[] = [];

  constructor(private readonly options: ProjectorOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.started = true;
    const term = ++this.term;
    for (const model of this.options.models) this.notLiveSince.set(model.name, performance.now());
    await ensureRegistry(this.options.readDb);
    this.watch = setInterval(() => this.track(this.followRegistry()), this.options.registryPollMs ?? 2000);
    this.watch.unref();
    for (const model of this.options.models) {
      if (!this.isActive(term)) return;
      const current = await liveGeneration(this.options.readDb, model.name);
      // A building generation left by a crash or an earlier term is abandoned; an as-of one stays until it is dropped.
      for (const g of await generations(this.options.readDb, model.name))
        if (g.state === 'building') await dropGeneration(this.options.readDb, model, g.generation);
      if (!current) {
        // The first build catches up from position 0 beside nothing, then gets its indexes and goes live.
        this.buildInBackground(model, term);
      } else {
        this.supervise(model, await this.run(model, current.generation), term);
        if (current.version !== model.version) this.buildInBackground(model, term);
      }
    }
  }

  /** The tables the queries of a read model read now. */
  async liveTables<T extends string>(model: ReadModel<T>): Promise<Tables<T>> {
    const g = this.live.get(model.name);
    if (!g) throw new Error(`${model.name} is not running`);
    return tablesOf(model, g.generation);
  }

  /**
   * Waits until every live read model has applied the log up to `position` (default: the head now). Background builds
   * are waited for first; one that keeps failing is retried until it succeeds or the projector stops.
   */
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

  /**
   * Which read models have no live generation yet, which builds are failing, and whether that makes the projector
   * down: a model without a live generation for longer than `liveGraceMs`, or a build that failed
   * `buildFailuresBeforeDown` times in a row. A first build in progress within the grace is ok. Not running: ok.
   */
  health(): ProjectorHealth {
    if (!this.started || this.stopped) return { status: 'ok', building: [], failing: [], down: [] };
    const now = performance.now();
    const grace = this.options.liveGraceMs ?? 300_000;
    const failuresBeforeDown = this.options.buildFailuresBeforeDown ?? 3;
    const building: string[] = [];
    const failing: FailingBuild[] = [];
    const down: string[] = [];
    for (const model of this.options.models) {
      const since = this.live.has(model.name) ? undefined : this.notLiveSince.get(model.name);
      if (!this.live.has(model.name)) building.push(model.name);
      const failed = this.buildFailures.get(model.name);
      if (failed) failing.push({ readModel: model.name, ...failed });
      if ((since !== undefined && now - since > grace) || (failed && failed.failures >= failuresBeforeDown))
        down.push(model.name);
    }
    return { status: down.length > 0 ? 'down' : 'ok', building, failing, down };
  }

  /** Builds a fresh generation from position 0 beside the live one, promotes it when caught up, drops the old one. */
  async rebuild(name: string, onBatch?: (position: number) => void): Promise<Generation> {
    const model = this.model(name);
    if (this.rebuilding.has(name)) throw new Error(`${name} is being rebuilt already`);
    if (this.stopped) throw new ProjectorStoppedError(name);
    this.rebuilding.add(name);
    const build = this.build(model, this.term, onBatch).finally(() => this.rebuilding.delete(name));
    this.track(build);
    return build;
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

  /**
   * Stops every runner (live ones and builds), wakes the backoffs, and waits for the builds, restarts and registry
   * follows in flight to end. A build stopped before its promotion promotes nothing; the next start() builds again.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watch);
    for (const wake of [...this.sleepers]) wake();
    await Promise.all([...this.runners].map((p) => p.stop()));
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
    // A runner a task started while stop() waited was stopped by run(); this catches any other.
    await Promise.all([...this.runners].map((p) => p.stop()));
    this.live.clear();
    this.building.clear();
    this.notLiveSince.clear();
    this.buildFailures.clear();
  }

  private isActive(term: number): boolean {
    return !this.stopped && term === this.term;
  }

  /** Builds a new generation, promotes it when caught up (unless the projector stopped meanwhile), drops the old one. */
  private async build(model: ReadModel, term: number, onBatch?: (position: number) => void): Promise<Generation> {
    const readDb = this.options.readDb;
    let fresh: Generation | undefined;
    let running: RunningProjection | undefined;
    let promoted = false;
    try {
      fresh = await createGeneration(readDb, model, 'building');
      running = await this.run(model, fresh.generation, onBatch);
      await running.caughtUp();
      await model.createIndexes(readDb, tablesOf(model, fresh.generation));
      // What was appended while the indexes were built is applied by the running runner: catch up again, then swap.
      await running.caughtUp();
      // The last check before the swap, in the same synchronous step as its start: stop() waits for what follows.
      if (!this.isActive(term)) throw new ProjectorStoppedError(model.name);
      const old = this.live.get(model.name);
      const replaced = await promote(readDb, model.name, fresh.generation);
      promoted = true;
      if (this.isActive(term)) this.supervise(model, running, term);
      else await running.stop();
      if (old) await old.stop();
      if (replaced) await dropGeneration(readDb, model, replaced.generation);
      return { ...fresh, state: 'live', position: running.position() };
    } catch (error) {
      if (!promoted) {
        // The abandoned generation goes now, so retries do not pile them up (start() drops any left over).
        await running?.stop();
        if (fresh) await dropGeneration(readDb, model, fresh.generation).catch(() => undefined);
      }
      throw error;
    }
  }

  /**
   * A first build, or the build of a new version, supervised: when it fails (the store or read store went away for a
   * while), it is retried with capped backoff until it goes live or the projector stops. Before a retry it reads the
   * registry: a generation of this version promoted meanwhile by another process is followed instead.
   */
  private buildInBackground(model: ReadModel, term: number): void {
    const readDb = this.options.readDb;
    const attempts = async (): Promise<void> => {
      for (let attempt = 0; this.isActive(term); attempt++) {
        try {
          if (attempt > 0) {
            const current = await liveGeneration(readDb, model.name);
            if (current && current.version === model.version) {
              const running = this.live.get(model.name);
              if (running?.generation !== current.generation) {
                this.supervise(model, await this.run(model, current.generation), term);
                await running?.stop();
              }
              break;
            }
          }
          await this.rebuild(model.name);
          break;
        } catch (error) {
          if (!this.isActive(term)) break;
          this.failed(model, error);
          const previous = this.buildFailures.get(model.name);
          this.buildFailures.set(model.name, {
            failures: (previous?.failures ?? 0) + 1,
            since: previous?.since ?? new Date().toISOString(),
            message: (error as Error)?.message ?? String(error),
          });
          await this.sleep(backoff(attempt));
        }
      }
      if (this.isActive(term)) this.buildFailures.delete(model.name);
    };
    const done = attempts().finally(() => {
      if (this.building.get(model.name) === done) this.building.delete(model.name);
    });
    this.building.set(model.name, done);
    this.track(done);
  }

  /**
   * Keeps a live runner going: when it fails (the store or read store went away, or another process rebuilt the read
   * model and dropped this generation), it reads the registry again and follows the live generation, with backoff.
   */
  private supervise(model: ReadModel, running: RunningProjection, term: number): void {
    if (!this.isActive(term)) {
      void running.stop();
      return;
    }
    this.live.set(model.name, running);
    this.notLiveSince.delete(model.name);
    running.done.catch((error: unknown) => {
      if (!this.isActive(term) || this.live.get(model.name) !== running) return;
      this.failed(model, error);
      this.track(this.restart(model, running, term));
    });
  }

  private async restart(model: ReadModel, failed: RunningProjection, term: number): Promise<void> {
    for (let attempt = 0; this.isActive(term); attempt++) {
      await this.sleep(backoff(attempt));
      if (!this.isActive(term) || this.live.get(model.name) !== failed) return;
      try {
        const current = await liveGeneration(this.options.readDb, model.name);
        if (!this.isActive(term)) return;
        const generation =
          current?.generation ?? (await createGeneration(this.options.readDb, model, 'live')).generation;
        this.supervise(model, await this.run(model, generation), term);
        return;
      } catch (retryError) {
        if (this.isActive(term)) this.failed(model, retryError);
      }
    }
  }

  /**
   * Another process (the CLI) may have promoted a new generation: follow it, even while no events arrive. A model
   * left without a live runner (a follow that failed) is picked up here on a later round.
   */
  private async followRegistry(): Promise<void> {
    const term = this.term;
    for (const model of this.options.models) {
      if (!this.isActive(term)) return;
      if (this.rebuilding.has(model.name) || this.building.has(model.name)) continue;
      const running = this.live.get(model.name);
      const current = await liveGeneration(this.options.readDb, model.name).catch(() => undefined);
      if (!this.isActive(term) || !current || current.generation === running?.generation) continue;
      if (this.live.get(model.name) !== running) continue;
      this.live.delete(model.name);
      this.notLiveSince.set(model.name, performance.now());
      await running?.stop();
      try {
        this.supervise(model, await this.run(model, current.generation), term);
      } catch (error) {
        if (this.isActive(term)) this.failed(model, error);
      }
    }
  }

  /** Keeps a promise in flight until it settles, for stop() to wait for; its rejection is handled by its owner. */
  private track(task: Promise<unknown>): void {
    const tracked = task.then(
      () => undefined,
      () => undefined,
    );
    this.tasks.add(tracked);
    void tracked.then(() => this.tasks.delete(tracked));
  }

  /** Resolves after `ms`, or at once when the projector stops. */
  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref?.();
      this.sleepers.add(wake);
    });
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

  /** Starts a runner and keeps it in `runners` until it ends; one started after stop() is stopped at once. */
  private async run(
    model: ReadModel,
    generation: number,
    onBatch?: (position: number) => void,
    untilPosition?: number,
  ): Promise<RunningProjection> {
    const running = await startProjection({
      store: this.options.store,
      readDb: this.options.readDb,
      model,
      generation,
      ...(this.options.batchSize ? { batchSize: this.options.batchSize } : {}),
      ...(onBatch ? { onBatch } : {}),
      ...(untilPosition === undefined ? {} : { untilPosition }),
    });
    this.runners.add(running);
    const forget = () => void this.runners.delete(running);
    running.done.then(forget, forget);
    if (this.stopped) {
      await running.stop();
      throw new ProjectorStoppedError(model.name);
    }
    return running;
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
