import { randomUUID } from 'node:crypto';
import type {
  AppendResult,
  EventMetadata,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  RecordedEvent,
  Subscription,
} from '../event-store.port';

/**
 * What an adapter's test hands the suite. `store` is fresh and empty. `reopen` opens another instance on the same
 * storage (another connection, or after `store.close()` a restart); the suite closes what it opens. `cleanup`
 * removes the storage.
 */
export interface EventStoreContractFixture {
  readonly store: EventStore;
  readonly reopen: () => Promise<EventStore>;
  readonly cleanup: () => Promise<void>;
}

const CODES = {
  wrongExpectedRevision: 'EVENT_STORE.WRONG_EXPECTED_REVISION',
  duplicateEventId: 'EVENT_STORE.DUPLICATE_EVENT_ID',
  invalidAppend: 'EVENT_STORE.INVALID_APPEND',
  unavailable: 'EVENT_STORE.UNAVAILABLE',
} as const;

/** Long enough for a poll-based adapter to notice an append made through another connection. */
const WAIT_MS = 5000;

export function anEventStreamId(category = 'kontrakt'): string {
  return `${category}-${randomUUID()}`;
}

export function anEvent(data: unknown = { n: 0 }, type = 'ProeveRegistreret'): EventToAppend {
  const metadata: EventMetadata = {
    schemaVersion: 1,
    occurredAt: '2026-11-22T09:30:00.000Z',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: { party: 'myndighed', subject: 'kontrakt-test' },
    ffbVersion: '2.1.0',
  };
  return { eventId: randomUUID(), type, data, metadata };
}

export function someEvents(count: number, tag = 'e'): EventToAppend[] {
  return Array.from({ length: count }, (_, n) => anEvent({ tag, n }));
}

/** Data that tends to break naive storage: non-ASCII text, escapes, nesting, extreme numbers, key order. */
const awkwardData = {
  tekst: 'Borgeren ønsker støtte til åbne tilbud – “citat” \\ \n\t og emoji 🧩',
  zeta: 1,
  alpha: [0, -1, 1.5, 1e21, 2 ** 53 - 1, -0.000001, null, true, false, ''],
  nested: { deeper: { deepest: ['a', { b: 'c' }] }, empty: {}, emptyList: [] },
  control: '\u0000\u001f\u2028\u2029',
};

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${WAIT_MS} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function settle(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to fail, but it succeeded');
}

function fingerprint(events: readonly RecordedEvent[]): string[] {
  return events.map((event) =>
    [
      event.position,
      event.streamId,
      event.revision,
      event.eventId,
      event.type,
      JSON.stringify(event.data),
      JSON.stringify(event.metadata),
      event.recordedAt,
    ].join('|'),
  );
}

/**
 * The one suite every EventStore adapter passes (style.md habit 6), error codes included. Run it from the adapter's
 * spec: `describeEventStoreContract('sqlite', async () => ({ store, reopen, cleanup }))`.
 */
export function describeEventStoreContract(
  adapterName: string,
  factory: () => Promise<EventStoreContractFixture>,
): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let fixture: EventStoreContractFixture;
    let store: EventStore;
    let opened: EventStore[];

    const reopen = async (): Promise<EventStore> => {
      const another = await fixture.reopen();
      opened.push(another);
      return another;
    };

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
      opened = [];
    });

    afterEach(async () => {
      for (const another of opened) await another.close();
      await fixture.store.close();
      await fixture.cleanup();
    });

    describe('append and read', () => {
      it('reads back appended events with their metadata, revisions from 0 and positions from 1', async () => {
        const streamId = anEventStreamId();
        const events = [anEvent({ navn: 'første' }, 'ProeveOprettet'), anEvent({ navn: 'anden' }, 'ProeveAendret')];

        const result = await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });

        expect(result).toEqual({ nextRevision: 1, lastPosition: 2, duplicate: false });
        const stored = await store.readStream(streamId);
        expect(stored).toHaveLength(2);
        stored.forEach((event, index) => {
          const appended = events[index] as EventToAppend;
          expect(event).toMatchObject({
            eventId: appended.eventId,
            type: appended.type,
            data: appended.data,
            metadata: appended.metadata,
            streamId,
            revision: index,
            position: index + 1,
          });
          expect(new Date(event.recordedAt).toISOString()).toBe(event.recordedAt);
        });
      });

      it('continues revisions across appends and reads a stream from a revision', async () => {
        const streamId = anEventStreamId();
        await store.appendToStream(streamId, someEvents(2), { expectedRevision: 'no_stream' });
        const second = await store.appendToStream(streamId, someEvents(3), { expectedRevision: 1 });

        expect(second.nextRevision).toBe(4);
        expect((await store.readStream(streamId)).map((event) => event.revision)).toEqual([0, 1, 2, 3, 4]);
        expect((await store.readStream(streamId, { fromRevision: 3 })).map((event) => event.revision)).toEqual([3, 4]);
        expect(await store.readStream(streamId, { fromRevision: 5 })).toEqual([]);
      });

      it('keeps streams apart', async () => {
        const first = anEventStreamId();
        const second = anEventStreamId();
        await store.appendToStream(first, someEvents(2, 'first'), { expectedRevision: 'no_stream' });
        await store.appendToStream(second, someEvents(1, 'second'), { expectedRevision: 'no_stream' });

        expect((await store.readStream(first)).map((event) => event.streamId)).toEqual([first, first]);
        expect((await store.readStream(second)).map((event) => [event.streamId, event.revision])).toEqual([
          [second, 0],
        ]);
      });

      it('returns an empty array for a stream that does not exist', async () => {
        expect(await store.readStream(anEventStreamId())).toEqual([]);
      });

      it('keeps data and metadata byte-equal, including non-ASCII text and key order', async () => {
        const streamId = anEventStreamId();
        const event = anEvent(awkwardData);
        await store.appendToStream(streamId, [event], { expectedRevision: 'no_stream' });

        const [stored] = await store.readStream(streamId);
        expect(JSON.stringify(stored?.data)).toBe(JSON.stringify(awkwardData));
        expect(JSON.stringify(stored?.metadata)).toBe(JSON.stringify(event.metadata));
      });

      it('reports the head position: 0 when empty, then the last position', async () => {
        expect(await store.headPosition()).toBe(0);
        const result = await store.appendToStream(anEventStreamId(), someEvents(3), { expectedRevision: 'any' });
        expect(await store.headPosition()).toBe(result.lastPosition);
        expect(result.lastPosition).toBe(3);
      });
    });

    describe('expected revision', () => {
      const conflictCases: ReadonlyArray<[string, number, ExpectedRevision, number]> = [
        ['no_stream on an existing stream', 2, 'no_stream', 1],
        ['stream_exists on a missing stream', 0, 'stream_exists', -1],
        ['a stale exact revision', 3, 1, 2],
        ['an exact revision ahead of the stream', 1, 5, 0],
        ['exact revision 0 on a missing stream', 0, 0, -1],
      ];

      it.each(conflictCases)(
        'refuses %s with WrongExpectedRevisionError and writes nothing',
        async (_, existing, expectedRevision, actual) => {
          const streamId = anEventStreamId();
          if (existing > 0)
            await store.appendToStream(streamId, someEvents(existing), { expectedRevision: 'no_stream' });
          const before = await store.readAll();

          const error = await errorOf(() => store.appendToStream(streamId, someEvents(1), { expectedRevision }));

          expect(error).toMatchObject({ code: CODES.wrongExpectedRevision, details: { streamId, actual } });
          expect(await store.readAll()).toEqual(before);
        },
      );

      it('accepts no_stream on a new stream, stream_exists and the exact revision on an existing one', async () => {
        const streamId = anEventStreamId();
        await expect(
          store.appendToStream(streamId, someEvents(1), { expectedRevision: 'no_stream' }),
        ).resolves.toMatchObject({
          nextRevision: 0,
        });
        await expect(
          store.appendToStream(streamId, someEvents(1), { expectedRevision: 'stream_exists' }),
        ).resolves.toMatchObject({ nextRevision: 1 });
        await expect(store.appendToStream(streamId, someEvents(2), { expectedRevision: 1 })).resolves.toMatchObject({
          nextRevision: 3,
        });
      });

      it('accepts any on a missing and on an existing stream', async () => {
        const streamId = anEventStreamId();
        await expect(store.appendToStream(streamId, someEvents(1), { expectedRevision: 'any' })).resolves.toMatchObject(
          {
            nextRevision: 0,
          },
        );
        await expect(store.appendToStream(streamId, someEvents(1), { expectedRevision: 'any' })).resolves.toMatchObject(
          {
            nextRevision: 1,
          },
        );
      });
    });

    describe('idempotent append', () => {
      it('treats a retry of the same append as a no-op returning the original result', async () => {
        const streamId = anEventStreamId();
        const events = someEvents(3);
        const original = await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });
        const head = await store.headPosition();

        const retry = await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });

        expect(retry).toEqual({
          nextRevision: original.nextRevision,
          lastPosition: original.lastPosition,
          duplicate: true,
        });
        expect(await store.headPosition()).toBe(head);
        expect(await store.readStream(streamId)).toHaveLength(3);
      });

      it('checks idempotency before the expected revision, with any form of it', async () => {
        const streamId = anEventStreamId();
        const events = someEvents(2);
        const original = await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });
        await store.appendToStream(streamId, someEvents(2), { expectedRevision: 1 });
        const head = await store.headPosition();

        for (const expectedRevision of ['no_stream', 'stream_exists', 'any', 0, 1, 3, 42] as const) {
          const retry = await store.appendToStream(streamId, events, { expectedRevision });
          expect(retry).toEqual({ ...original, duplicate: true });
        }
        expect(await store.headPosition()).toBe(head);
      });

      it('refuses a partial overlap with DuplicateEventIdError and writes nothing', async () => {
        const streamId = anEventStreamId();
        const events = someEvents(2);
        await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });
        const before = await store.readAll();

        const overlapping = [events[1] as EventToAppend, anEvent()];
        for (const expectedRevision of [1, 'any'] as const) {
          const error = await errorOf(() => store.appendToStream(streamId, overlapping, { expectedRevision }));
          expect(error).toMatchObject({ code: CODES.duplicateEventId });
        }
        expect(await store.readAll()).toEqual(before);
      });

      it('refuses ids stored in another stream with DuplicateEventIdError', async () => {
        const events = someEvents(1);
        await store.appendToStream(anEventStreamId(), events, { expectedRevision: 'no_stream' });
        const before = await store.readAll();

        const error = await errorOf(() =>
          store.appendToStream(anEventStreamId(), events, { expectedRevision: 'no_stream' }),
        );

        expect(error).toMatchObject({ code: CODES.duplicateEventId });
        expect(await store.readAll()).toEqual(before);
      });

      it('refuses the same ids in another order with DuplicateEventIdError', async () => {
        const streamId = anEventStreamId();
        const [first, second] = someEvents(2) as [EventToAppend, EventToAppend];
        await store.appendToStream(streamId, [first, second], { expectedRevision: 'no_stream' });

        const error = await errorOf(() => store.appendToStream(streamId, [second, first], { expectedRevision: 'any' }));

        expect(error).toMatchObject({ code: CODES.duplicateEventId });
        expect(await store.readStream(streamId)).toHaveLength(2);
      });

      it('writes a concurrent burst of the same append exactly once', async () => {
        const streamId = anEventStreamId();
        const events = someEvents(2);
        const connections = [store, await reopen(), await reopen()];

        const results = await Promise.all(
          Array.from({ length: 12 }, (_, n) =>
            (connections[n % connections.length] as EventStore).appendToStream(streamId, events, {
              expectedRevision: 'any',
            }),
          ),
        );

        expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
        expect(new Set(results.map((result) => `${result.nextRevision}@${result.lastPosition}`)).size).toBe(1);
        expect(await store.readStream(streamId)).toHaveLength(2);
      });
    });

    describe('invalid appends', () => {
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      const invalidCases: ReadonlyArray<[string, () => [string, EventToAppend[], ExpectedRevision]]> = [
        ['an empty stream id', () => ['', someEvents(1), 'any']],
        ['a stream id without a category', () => [randomUUID().replace(/-/g, ''), someEvents(1), 'any']],
        ['an empty category (leading dash)', () => [`-kontrakt-${randomUUID()}`, someEvents(1), 'any']],
        ['a dashed category leaving an empty segment', () => [`kontrakt--${randomUUID()}`, someEvents(1), 'any']],
        ['an empty id', () => ['kontrakt-', someEvents(1), 'any']],
        ['an uppercase category', () => [`Kontrakt-${randomUUID()}`, someEvents(1), 'any']],
        ['a non-ASCII category', () => [`opfølgning-${randomUUID()}`, someEvents(1), 'any']],
        ['whitespace in the stream id', () => [`kontrakt-${randomUUID()} `, someEvents(1), 'any']],
        ['an empty batch', () => [anEventStreamId(), [], 'any']],
        ['a non-UUID event id', () => [anEventStreamId(), [{ ...anEvent(), eventId: 'event-1' }], 'any']],
        [
          'an uppercase event id',
          () => [anEventStreamId(), [{ ...anEvent(), eventId: randomUUID().toUpperCase() }], 'any'],
        ],
        [
          'the same event id twice in one batch',
          () => {
            const event = anEvent();
            return [anEventStreamId(), [event, { ...event, data: { n: 2 } }], 'any'];
          },
        ],
        ['an empty type', () => [anEventStreamId(), [{ ...anEvent(), type: '' }], 'any']],
        ['data that is a Date', () => [anEventStreamId(), [anEvent({ when: new Date(0) })], 'any']],
        ['data with a bigint', () => [anEventStreamId(), [anEvent({ big: BigInt(1) })], 'any']],
        ['data with NaN', () => [anEventStreamId(), [anEvent({ n: Number.NaN })], 'any']],
        ['data with a cycle', () => [anEventStreamId(), [anEvent(cyclic)], 'any']],
        ['undefined data', () => [anEventStreamId(), [{ ...anEvent(), data: undefined }], 'any']],
        ['a negative expected revision', () => [anEventStreamId(), someEvents(1), -1]],
        ['a fractional expected revision', () => [anEventStreamId(), someEvents(1), 1.5]],
        [
          'an invalid event after a valid one',
          () => [anEventStreamId(), [anEvent(), { ...anEvent(), eventId: 'not-a-uuid' }], 'any'],
        ],
      ];

      it.each(invalidCases)('refuses %s with InvalidAppendError and writes nothing', async (_, build) => {
        await store.appendToStream(anEventStreamId(), someEvents(1), { expectedRevision: 'no_stream' });
        const before = await store.readAll();
        const [streamId, events, expectedRevision] = build();

        const error = await errorOf(() => store.appendToStream(streamId, events, { expectedRevision }));

        expect(error).toMatchObject({ code: CODES.invalidAppend });
        expect(await store.readAll()).toEqual(before);
      });

      it('accepts the stream id shapes the hub uses', async () => {
        const shapes = [`bestilling-${randomUUID()}`, `delmaal-${randomUUID()}`, 'shopping_cart-42', 'a1-b.c_d:e-f'];
        for (const streamId of shapes) {
          await expect(
            store.appendToStream(streamId, someEvents(1), { expectedRevision: 'no_stream' }),
          ).resolves.toMatchObject({ nextRevision: 0 });
        }
      });
    });

    describe('parallel writers on one stream', () => {
      it('lets exactly one of 20 appends with the same expected revision through', async () => {
        const streamId = anEventStreamId();
        await store.appendToStream(streamId, someEvents(1), { expectedRevision: 'no_stream' });
        const connections = [store, await reopen(), await reopen(), await reopen()];

        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, n) =>
            (connections[n % connections.length] as EventStore).appendToStream(streamId, someEvents(1, `w${n}`), {
              expectedRevision: 0,
            }),
          ),
        );

        const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const rejected = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
        expect(fulfilled).toHaveLength(1);
        expect(rejected).toHaveLength(19);
        for (const outcome of rejected) expect(outcome.reason).toMatchObject({ code: CODES.wrongExpectedRevision });
        expect((await store.readStream(streamId)).map((event) => event.revision)).toEqual([0, 1]);
      });

      it('loses and doubles nothing when N writers retry with a re-read until they succeed', async () => {
        const streamId = anEventStreamId();
        const writers = 8;
        const appendsPerWriter = 10;
        const connections = [store, await reopen(), await reopen(), await reopen()];
        let conflicts = 0;

        const writer = async (w: number): Promise<string[]> => {
          const connection = connections[w % connections.length] as EventStore;
          const acknowledged: string[] = [];
          for (let k = 0; k < appendsPerWriter; k++) {
            const event = anEvent({ writer: w, k });
            for (;;) {
              const stream = await connection.readStream(streamId);
              const revision =
                stream.length === 0 ? 'no_stream' : (stream[stream.length - 1] as RecordedEvent).revision;
              try {
                await connection.appendToStream(streamId, [event], { expectedRevision: revision });
                acknowledged.push(event.eventId);
                break;
              } catch (error) {
                if ((error as { code?: string }).code !== CODES.wrongExpectedRevision) throw error;
                conflicts += 1;
              }
            }
          }
          return acknowledged;
        };

        const acknowledged = (await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)))).flat();

        const stored = await store.readStream(streamId);
        expect(stored).toHaveLength(writers * appendsPerWriter);
        expect(stored.map((event) => event.revision)).toEqual([...Array(writers * appendsPerWriter).keys()]);
        expect(new Set(stored.map((event) => event.eventId))).toEqual(new Set(acknowledged));
        expect(conflicts).toBeGreaterThan(0);
      });
    });

    describe('global log', () => {
      const appendMany = async (
        target: EventStore,
      ): Promise<{
        appended: Array<{ streamId: string; event: EventToAppend }>;
        results: AppendResult[];
        expectedLastPositions: number[];
      }> => {
        const streams = Array.from({ length: 25 }, () => anEventStreamId());
        const revisions = new Map<string, number>();
        const appended: Array<{ streamId: string; event: EventToAppend }> = [];
        const results: AppendResult[] = [];
        const expectedLastPositions: number[] = [];
        for (let n = 0; n < 120; n++) {
          const streamId = streams[(n * 7) % streams.length] as string;
          const events = someEvents(1 + (n % 4), `log${n}`);
          const revision = revisions.get(streamId);
          const result = await target.appendToStream(streamId, events, {
            expectedRevision: revision === undefined ? 'no_stream' : revision,
          });
          revisions.set(streamId, result.nextRevision);
          results.push(result);
          for (const event of events) appended.push({ streamId, event });
          expectedLastPositions.push(appended.length);
        }
        return { appended, results, expectedLastPositions };
      };

      it('orders the log by append order across streams, gap-free from position 1', async () => {
        const { appended, results, expectedLastPositions } = await appendMany(store);

        const log = await store.readAll();
        expect(log.map((event) => event.position)).toEqual(appended.map((_, index) => index + 1));
        expect(log.map((event) => [event.streamId, event.eventId])).toEqual(
          appended.map(({ streamId, event }) => [streamId, event.eventId]),
        );
        expect(results.map((result) => result.lastPosition)).toEqual(expectedLastPositions);
        expect(await store.headPosition()).toBe(appended.length);
      });

      it('keeps every acknowledged event, byte-equal and in the same order, across close and reopen', async () => {
        const { appended } = await appendMany(store);
        const awkwardStream = anEventStreamId();
        await store.appendToStream(awkwardStream, [anEvent(awkwardData)], { expectedRevision: 'no_stream' });
        const before = fingerprint(await store.readAll());
        await store.close();

        const reopened = await reopen();

        const after = await reopened.readAll();
        expect(fingerprint(after)).toEqual(before);
        expect(after).toHaveLength(appended.length + 1);
        expect(JSON.stringify(after[after.length - 1]?.data)).toBe(JSON.stringify(awkwardData));
        const next = await reopened.appendToStream(anEventStreamId(), someEvents(1), { expectedRevision: 'no_stream' });
        expect(next.lastPosition).toBe(appended.length + 2);
      });

      it('pages through the log with after and maxCount', async () => {
        await appendMany(store);
        const everything = await store.readAll();
        const head = await store.headPosition();

        const paged: RecordedEvent[] = [];
        for (let after = 0; ;) {
          const page = await store.readAll({ after, maxCount: 7 });
          expect(page.length).toBeLessThanOrEqual(7);
          if (page.length === 0) break;
          paged.push(...page);
          after = (page[page.length - 1] as RecordedEvent).position;
        }

        expect(paged).toEqual(everything);
        expect((await store.readAll({ after: 10, maxCount: 3 })).map((event) => event.position)).toEqual([11, 12, 13]);
        expect(await store.readAll({ after: head })).toEqual([]);
        expect(await store.readAll({ after: 0, maxCount: 0 })).toEqual([]);
      });
    });

    describe('subscribeToAll', () => {
      const collect = (): {
        received: RecordedEvent[];
        batches: number[];
        handler: (events: readonly RecordedEvent[]) => Promise<void>;
      } => {
        const received: RecordedEvent[] = [];
        const batches: number[] = [];
        return {
          received,
          batches,
          handler: async (events) => {
            batches.push(events.length);
            received.push(...events);
          },
        };
      };

      it('catches up from a checkpoint, then delivers later appends in order, without duplicates', async () => {
        const streamId = anEventStreamId();
        await store.appendToStream(streamId, someEvents(10), { expectedRevision: 'no_stream' });
        const sink = collect();

        const subscription = store.subscribeToAll({ after: 4, batchSize: 3, handler: sink.handler });
        await waitFor(() => sink.received.length === 6, 'the catch-up');
        await store.appendToStream(streamId, someEvents(5), { expectedRevision: 9 });
        await store.appendToStream(anEventStreamId(), someEvents(2), { expectedRevision: 'no_stream' });
        await waitFor(() => sink.received.length === 13, 'the live events');
        await settle(50);
        await subscription.stop();

        expect(sink.received.map((event) => event.position)).toEqual([...Array(13).keys()].map((n) => n + 5));
        expect(sink.received).toEqual(await store.readAll({ after: 4 }));
        expect(sink.batches.every((size) => size >= 1 && size <= 3)).toBe(true);
        await expect(subscription.done).resolves.toBeUndefined();
      });

      it('delivers appends made through another connection', async () => {
        const other = await reopen();
        const sink = collect();
        const subscription = store.subscribeToAll({ after: 0, handler: sink.handler });

        const events = someEvents(4);
        await other.appendToStream(anEventStreamId(), events, { expectedRevision: 'no_stream' });
        await waitFor(() => sink.received.length === 4, 'events appended through another connection');
        await subscription.stop();

        expect(sink.received.map((event) => event.eventId)).toEqual(events.map((event) => event.eventId));
      });

      it('stops after the batch in flight and delivers nothing afterwards', async () => {
        await store.appendToStream(anEventStreamId(), someEvents(5), { expectedRevision: 'no_stream' });
        let release: () => void = () => undefined;
        const batches: Array<readonly RecordedEvent[]> = [];
        const subscription = store.subscribeToAll({
          after: 0,
          batchSize: 2,
          handler: (events) => {
            batches.push(events);
            return new Promise<void>((resolve) => {
              release = resolve;
            });
          },
        });
        await waitFor(() => batches.length === 1, 'the first batch');

        let stopped = false;
        const stopping = subscription.stop().then(() => {
          stopped = true;
        });
        await settle(30);
        expect(stopped).toBe(false);
        release();
        await stopping;
        await store.appendToStream(anEventStreamId(), someEvents(2), { expectedRevision: 'no_stream' });
        await settle(100);

        expect(stopped).toBe(true);
        expect(batches).toHaveLength(1);
        await expect(subscription.done).resolves.toBeUndefined();
      });

      it('rejects done with the handler error and stops delivering', async () => {
        await store.appendToStream(anEventStreamId(), someEvents(3), { expectedRevision: 'no_stream' });
        let calls = 0;
        const failure = new Error('projection failed');
        const subscription = store.subscribeToAll({
          after: 0,
          handler: async () => {
            calls += 1;
            throw failure;
          },
        });

        await expect(subscription.done).rejects.toBe(failure);
        await store.appendToStream(anEventStreamId(), someEvents(1), { expectedRevision: 'no_stream' });
        await settle(100);
        expect(calls).toBe(1);
        await expect(subscription.stop()).resolves.toBeUndefined();
      });

      it('from the head delivers only later events, even on an empty store', async () => {
        const sink = collect();
        const subscription = store.subscribeToAll({ after: await store.headPosition(), handler: sink.handler });
        await settle(30);
        expect(sink.received).toEqual([]);

        const result = await store.appendToStream(anEventStreamId(), someEvents(1), { expectedRevision: 'no_stream' });
        await waitFor(() => sink.received.length === 1, 'the live event');
        await subscription.stop();

        expect(sink.received.map((event) => event.position)).toEqual([result.lastPosition]);
      });

      it('is stopped by close()', async () => {
        const sink = collect();
        const subscription: Subscription = store.subscribeToAll({ after: 0, handler: sink.handler });
        await settle(20);

        await store.close();

        await expect(subscription.done).resolves.toBeUndefined();
      });
    });

    describe('lifecycle', () => {
      it('closes idempotently and refuses every operation afterwards with StoreUnavailableError', async () => {
        const streamId = anEventStreamId();
        await store.appendToStream(streamId, someEvents(1), { expectedRevision: 'no_stream' });
        await store.close();
        await store.close();

        const calls: Array<() => Promise<unknown>> = [
          () => store.appendToStream(streamId, someEvents(1), { expectedRevision: 'any' }),
          () => store.readStream(streamId),
          () => store.readAll(),
          () => store.headPosition(),
          async () => store.subscribeToAll({ after: 0, handler: async () => undefined }),
        ];
        for (const call of calls) {
          expect(await errorOf(call)).toMatchObject({ code: CODES.unavailable });
        }
      });
    });
  });
}
