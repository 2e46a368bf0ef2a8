import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, ExpectedRevision } from './event-store.port';
import {
  handleCommand,
  readState,
  StateCache,
  type CommandContext,
  type DomainEvent,
  type Folding,
} from './handle-command';
import { openSqliteEventStore } from './sqlite/sqlite.event-store';

/** A tiny decider for the write path: a tæller (counter) that may not pass its maximum. */
type TaellerOeget = DomainEvent<'TaellerOeget', { readonly med: number }>;
interface Taeller {
  readonly vaerdi: number;
}

class MaksimumNaaetError extends Error {
  readonly code = 'TAELLER.MAKSIMUM_NAAET';
}

const MAKSIMUM = 5;

const folding: Folding<Taeller, TaellerOeget> = {
  initialState: () => ({ vaerdi: 0 }),
  evolve: (state, event) => ({ vaerdi: state.vaerdi + event.data.med }),
  // Schema version 0 stored the amount as `by`; the upcaster maps it to today's event.
  fromRecorded: (recorded) => {
    const data = recorded.data as { med?: number; by?: number };
    return { type: 'TaellerOeget', data: { med: data.med ?? data.by ?? 0 } };
  },
};

const oeg =
  (med: number) =>
  (state: Taeller): TaellerOeget[] => {
    if (state.vaerdi + med > MAKSIMUM) throw new MaksimumNaaetError(`${state.vaerdi} + ${med} > ${MAKSIMUM}`);
    return med === 0 ? [] : [{ type: 'TaellerOeget', data: { med } }];
  };

function context(overrides: Partial<CommandContext> = {}, eventIds = [randomUUID(), randomUUID()]): CommandContext {
  return {
    eventId: (index) => eventIds[index] as string,
    metadata: () => ({
      schemaVersion: 1,
      occurredAt: '2026-11-22T10:00:00.000Z',
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { party: 'udfoerer', subject: 'test' },
    }),
    ...overrides,
  };
}

describe('handleCommand on the SQLite store', () => {
  let dir: string;
  let store: EventStore;
  let expectedRevisions: ExpectedRevision[];
  let recording: EventStore;
  const streamId = (): string => `taeller-${randomUUID()}`;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hub-handle-command-'));
    store = openSqliteEventStore({ file: join(dir, 'events.db') });
    expectedRevisions = [];
    recording = {
      ...store,
      appendToStream: (id, events, options) => {
        expectedRevisions.push(options.expectedRevision);
        return store.appendToStream(id, events, options);
      },
    };
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('appends with no_stream to a new stream and then with the revision it read', async () => {
    const id = streamId();

    const first = await handleCommand(recording, id, folding, oeg(2), context());
    const second = await handleCommand(recording, id, folding, oeg(1), context());

    expect(expectedRevisions).toEqual(['no_stream', 0]);
    expect(first).toMatchObject({ state: { vaerdi: 2 }, revision: 0, lastPosition: 1, duplicate: false });
    expect(second).toMatchObject({ state: { vaerdi: 3 }, revision: 1, lastPosition: 2, duplicate: false });
    expect(second.events).toEqual([{ type: 'TaellerOeget', data: { med: 1 } }]);
    expect((await store.readStream(id)).map((event) => event.data)).toEqual([{ med: 2 }, { med: 1 }]);
  });

  it('stores the ids and metadata the context supplies', async () => {
    const id = streamId();
    const ids = [randomUUID()];
    const ctx = context({}, ids);

    const result = await handleCommand(store, id, folding, oeg(1), ctx);

    const [stored] = await store.readStream(id);
    expect(result.eventIds).toEqual(ids);
    expect(stored).toMatchObject({ eventId: ids[0], metadata: { actor: { party: 'udfoerer' } } });
  });

  it('lets a refusing decision throw its domain error and leaves the store unchanged', async () => {
    const id = streamId();
    await handleCommand(store, id, folding, oeg(4), context());
    const before = await store.readAll();

    await expect(handleCommand(recording, id, folding, oeg(2), context())).rejects.toBeInstanceOf(MaksimumNaaetError);

    expect(expectedRevisions).toEqual([]);
    expect(await store.readAll()).toEqual(before);
  });

  it('refuses a stale If-Match revision with WrongExpectedRevisionError and writes nothing', async () => {
    const id = streamId();
    await handleCommand(store, id, folding, oeg(1), context());
    await handleCommand(store, id, folding, oeg(1), context());
    const before = await store.readAll();

    const stale = handleCommand(store, id, folding, oeg(1), context({ expectedRevision: 0 }));

    await expect(stale).rejects.toMatchObject({
      code: 'EVENT_STORE.WRONG_EXPECTED_REVISION',
      details: { streamId: id, expected: '0', actual: 1 },
    });
    expect(await store.readAll()).toEqual(before);
  });

  it('appends when the If-Match revision is the current one', async () => {
    const id = streamId();
    await handleCommand(store, id, folding, oeg(1), context());

    const result = await handleCommand(recording, id, folding, oeg(1), context({ expectedRevision: 0 }));

    expect(expectedRevisions).toEqual([0]);
    expect(result).toMatchObject({ state: { vaerdi: 2 }, revision: 1 });
  });

  it('appends nothing for an empty decision and returns the current state and revision', async () => {
    const id = streamId();
    await handleCommand(store, id, folding, oeg(3), context());
    const head = await store.headPosition();

    const result = await handleCommand(recording, id, folding, oeg(0), context());

    expect(result).toEqual({
      events: [],
      eventIds: [],
      state: { vaerdi: 3 },
      revision: 0,
      lastPosition: null,
      duplicate: false,
    });
    expect(expectedRevisions).toEqual([]);
    expect(await store.headPosition()).toBe(head);
  });

  it('returns duplicate: true and the stored state when a command is retried with the same event ids', async () => {
    const id = streamId();
    const ids = [randomUUID()];
    const original = await handleCommand(store, id, folding, oeg(2), context({}, ids));
    await handleCommand(store, id, folding, oeg(1), context());
    const head = await store.headPosition();

    const retry = await handleCommand(store, id, folding, oeg(2), context({}, ids));

    expect(retry).toMatchObject({
      duplicate: true,
      revision: original.revision,
      lastPosition: original.lastPosition,
      state: { vaerdi: 3 },
      eventIds: ids,
    });
    expect(await store.headPosition()).toBe(head);
  });

  it('lets one of two concurrent commands on a stream win and fails the other on the revision', async () => {
    const id = streamId();

    const outcomes = await Promise.allSettled([
      handleCommand(store, id, folding, oeg(1), context()),
      handleCommand(store, id, folding, oeg(2), context()),
    ]);

    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(rejected?.reason).toMatchObject({ code: 'EVENT_STORE.WRONG_EXPECTED_REVISION' });
    expect(await store.readStream(id)).toHaveLength(1);
  });

  it('folds stored events of an old schema version through the upcaster', async () => {
    const id = streamId();
    await store.appendToStream(
      id,
      [
        {
          eventId: randomUUID(),
          type: 'TaellerOeget',
          data: { by: 4 },
          metadata: context().metadata({ type: '', data: null }),
        },
      ],
      { expectedRevision: 'no_stream' },
    );

    expect(await readState(store, id, folding)).toEqual({ state: { vaerdi: 4 }, revision: 0 });
    await expect(handleCommand(store, id, folding, oeg(2), context())).rejects.toBeInstanceOf(MaksimumNaaetError);
  });

  describe('with a state cache', () => {
    /** A folding that counts the events it folds, to show the cache folds only the tail. */
    const counting = () => {
      let folded = 0;
      const f: Folding<Taeller, TaellerOeget> = {
        ...folding,
        evolve: (state, event) => (folded++, folding.evolve(state, event)),
      };
      return { f, folded: () => folded };
    };

    it('folds only the events after the cached revision, and the state equals a full fold', async () => {
      const id = streamId();
      const cache = new StateCache<Taeller>();
      const { f, folded } = counting();
      for (let i = 0; i < 5; i++) await handleCommand(store, id, f, oeg(1), { ...context(), cache });
      const before = folded();
      await expect(handleCommand(store, id, f, oeg(1), { ...context(), cache })).rejects.toBeInstanceOf(
        MaksimumNaaetError,
      );
      expect(folded() - before).toBe(0);
      expect(await readState(store, id, folding, cache)).toEqual(await readState(store, id, folding));
      expect(await readState(store, id, folding, cache)).toEqual({ state: { vaerdi: 5 }, revision: 4 });
    });

    it('sees what another writer appended after the cache was filled', async () => {
      const id = streamId();
      const cache = new StateCache<Taeller>();
      await handleCommand(store, id, folding, oeg(1), { ...context(), cache });
      const other = openSqliteEventStore({ file: join(dir, 'events.db') });
      try {
        await handleCommand(other, id, folding, oeg(2), context());
      } finally {
        await other.close();
      }
      expect((await readState(store, id, folding, cache)).state).toEqual({ vaerdi: 3 });
      await expect(handleCommand(store, id, folding, oeg(3), { ...context(), cache })).rejects.toBeInstanceOf(
        MaksimumNaaetError,
      );
      const result = await handleCommand(store, id, folding, oeg(2), { ...context(), cache });
      expect([result.state, result.revision]).toEqual([{ vaerdi: 5 }, 2]);
    });

    it('a conflict leaves the cache consistent: the retry reads the winner and decides on it', async () => {
      const id = streamId();
      const cache = new StateCache<Taeller>();
      await handleCommand(store, id, folding, oeg(1), { ...context(), cache });
      await expect(
        handleCommand(store, id, folding, oeg(1), { ...context(), cache, expectedRevision: 7 }),
      ).rejects.toMatchObject({ code: 'EVENT_STORE.WRONG_EXPECTED_REVISION' });
      await handleCommand(store, id, folding, oeg(4), context());
      await expect(handleCommand(store, id, folding, oeg(1), { ...context(), cache })).rejects.toBeInstanceOf(
        MaksimumNaaetError,
      );
    });

    it('holds at most its bound of streams, dropping the least recently used', () => {
      const cache = new StateCache<Taeller>(2);
      cache.set('taeller-a', { vaerdi: 1 }, 0);
      cache.set('taeller-b', { vaerdi: 1 }, 0);
      cache.get('taeller-a');
      cache.set('taeller-c', { vaerdi: 1 }, 0);
      expect([
        cache.size,
        cache.get('taeller-b'),
        cache.get('taeller-a')?.revision,
        cache.get('taeller-c')?.revision,
      ]).toEqual([2, undefined, 0, 0]);
      cache.set('taeller-a', { vaerdi: 9 }, -5);
      expect(cache.get('taeller-a')?.state).toEqual({ vaerdi: 1 });
    });
  });

  it('If-Match newer than the state this instance folded is refused before deciding, and the cache stays true', async () => {
    const id = streamId();
    const cache = new StateCache<Taeller>();
    await handleCommand(store, id, folding, oeg(1), { ...context(), cache });
    // Another instance appends; this one's cache still says revision 0 until it reads the tail.
    const other = openSqliteEventStore({ file: join(dir, 'events.db') });
    try {
      await handleCommand(other, id, folding, oeg(1), context());
    } finally {
      await other.close();
    }
    let decided = false;
    const spy = (state: Taeller) => ((decided = true), oeg(1)(state));
    // The client saw revision 1 (the other instance's write); this instance now reads the tail, so the head matches.
    const result = await handleCommand(store, id, folding, spy, { ...context(), cache, expectedRevision: 1 });
    expect([decided, result.state, result.revision]).toEqual([true, { vaerdi: 3 }, 2]);
    // A stale If-Match never reaches decide.
    decided = false;
    await expect(
      handleCommand(store, id, folding, spy, { ...context(), cache, expectedRevision: 1 }),
    ).rejects.toMatchObject({ code: 'EVENT_STORE.WRONG_EXPECTED_REVISION', actual: 2 });
    expect(decided).toBe(false);
    expect(await readState(store, id, folding, cache)).toEqual(await readState(store, id, folding));
  });
});
