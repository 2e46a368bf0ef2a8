import type { EventStore, RecordedEvent, Subscription } from '@hub/event-store';
import type { ReadDb } from './read-db';
import { tablesOf, type ReadModel } from './read-model';
import { generations, setPosition, type Generation } from './generations';

export interface RunnerOptions {
  readonly store: EventStore;
  readonly readDb: ReadDb;
  readonly model: ReadModel;
  readonly generation: number;
  /** Events per transaction while catching up. */
  readonly batchSize?: number;
  /** Stop after this position (an as-of build). */
  readonly untilPosition?: number;
  /** Called after each committed batch (progress bars, tests). */
  readonly onBatch?: (position: number) => void;
}

export interface RunningProjection {
  readonly readModel: string;
  readonly generation: number;
  /** The last position applied and committed. */
  position(): number;
  /** Positions behind the store's head. */
  lag(): Promise<number>;
  /** Resolves once the checkpoint reaches `position` (or the head now, when none is given). */
  caughtUp(position?: number): Promise<void>;
  stop(): Promise<void>;
  /** Settles when the subscription ends; rejects when a batch could not be applied. */
  readonly done: Promise<void>;
}

/**
 * Applies the store's log to one generation of a read model. Each batch is one transaction that also moves the
 * generation's checkpoint, so after a crash the runner resumes exactly after the last committed batch: no event is
 * applied twice or skipped. The subscription reads the log itself; nothing depends on an in-process bus.
 */
export async function startProjection(options: RunnerOptions): Promise<RunningProjection> {
  const { store, readDb, model, generation } = options;
  const tables = tablesOf(model, generation);
  const current = (await generations(readDb, model.name)).find((g) => g.generation === generation);
  if (!current) throw new Error(`${model.name} has no generation ${generation}`);
  let position = current.position;
  const waiters: { position: number; resolve: () => void }[] = [];
  const release = () => {
    for (const w of [...waiters]) {
      if (position < w.position) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const until = options.untilPosition;
  let subscription: Subscription | undefined;
  const apply = async (events: readonly RecordedEvent[]): Promise<void> => {
    const relevant = until === undefined ? events : events.filter((e) => e.position <= until);
    if (relevant.length === 0) return;
    const last = (relevant[relevant.length - 1] as RecordedEvent).position;
    await readDb.db.transaction().execute(async (tx) => {
      await model.applyBatch(tx, readDb.kind, tables, relevant);
      await setPosition(tx, model.name, generation, position, last);
    });
    position = last;
    options.onBatch?.(position);
    release();
  };
  subscription = store.subscribeToAll({ after: position, batchSize: options.batchSize ?? 2000, handler: apply });
  const done = subscription.done;
  done.catch(() => undefined);
  return {
    readModel: model.name,
    generation,
    position: () => position,
    lag: async () => Math.max(0, (await store.headPosition()) - position),
    async caughtUp(target?: number) {
      const goal = Math.min(target ?? (await store.headPosition()), until ?? Number.MAX_SAFE_INTEGER);
      if (position >= goal) return;
      await Promise.race([
        new Promise<void>((resolve) => waiters.push({ position: goal, resolve })),
        done.then(() => Promise.reject(new Error(`${model.name} g${generation} stopped before reaching ${goal}`))),
      ]);
    },
    async stop() {
      await subscription?.stop();
      subscription = undefined;
    },
    done,
  };
}

export type { Generation };
