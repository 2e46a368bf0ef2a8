import { DuplicateEventIdError, StoreUnavailableError } from '../errors';
import { anEvent, anEventStreamId } from '../testing/event-store.contract';
import { validateAppend } from '../validate-append';
import {
  classifyIdClaims,
  EMPTY_LOG,
  ID_CLAIM_TYPE,
  idClaimStreamOf,
  isPinned,
  logExpectedState,
  logHeadOf,
  logStreamOf,
  logStreamRegex,
  planAppend,
  positionOfLogRevision,
  PROPERTY,
  recordedAtAfter,
  resolveExpectedRevision,
  streamExpectedState,
  toIdClaim,
  toLogEvent,
  toRecordedEvent,
  type LogHead,
  type StoredRecord,
} from './kurrentdb-records';

const NOW = new Date('2026-11-30T12:00:00.000Z');

/** A non-empty log's head, recorded an hour before NOW unless said otherwise. */
function headAt(position: number, recordedAt = '2026-11-30T11:00:00.000Z'): LogHead {
  return { position, recordedAt };
}

const awkward = {
  tekst: 'Borgeren ønsker støtte – “citat” \\ \n\t 🧩',
  zeta: 1,
  alpha: [0, -1, 1.5, 1e21, 2 ** 53 - 1, -0.000001, null, true, false, ''],
  control: '\u0000\u001f\u2028\u2029',
};

/** What the client hands back for a JSON record: data and metadata parsed from the stored bytes. */
function asRead(
  streamId: string,
  revision: number,
  event: { id: string; type: string; data: unknown; metadata?: unknown },
): StoredRecord {
  const bytes = (value: unknown): unknown => JSON.parse(Buffer.from(JSON.stringify(value), 'utf8').toString('utf8'));
  return {
    id: event.id,
    streamId,
    revision: BigInt(revision),
    type: event.type,
    data: bytes(event.data),
    metadata: bytes(event.metadata),
  };
}

describe('KurrentDB records', () => {
  const namespace = 'hub';

  describe('planAppend', () => {
    it('numbers revisions after the current one and positions after the head, in all three parts', () => {
      const streamId = anEventStreamId();
      const events = validateAppend(streamId, [anEvent({ n: 1 }), anEvent({ n: 2 })], 3);

      const plan = planAppend({ namespace, streamId, events, currentRevision: 3, head: headAt(41), now: NOW });

      expect(plan.result).toEqual({ nextRevision: 5, lastPosition: 43, duplicate: false });
      expect(plan.streamEvents.map((event) => event.id)).toEqual(events.map((event) => event.eventId));
      expect(plan.logEvents.map((event) => event.metadata)).toEqual(plan.streamEvents.map((event) => event.metadata));
      expect(plan.streamEvents.map((event) => (event.metadata as Record<string, string>)[PROPERTY.revision])).toEqual([
        '4',
        '5',
      ]);
      expect(plan.streamEvents.map((event) => (event.metadata as Record<string, string>)[PROPERTY.position])).toEqual([
        '42',
        '43',
      ]);
      expect(plan.claims.map((claim) => claim.streamName)).toEqual(
        events.map((event) => idClaimStreamOf(namespace, event.eventId)),
      );
      expect(plan.claims.map((claim) => [claim.event.type, claim.event.data])).toEqual([
        [ID_CLAIM_TYPE, { streamId, revision: 4, position: 42 }],
        [ID_CLAIM_TYPE, { streamId, revision: 5, position: 43 }],
      ]);
    });

    it('gives the log copy and the claim their own stable ids, distinct from the event id', () => {
      const streamId = anEventStreamId();
      const events = validateAppend(streamId, [anEvent()], 'any');
      const plan = () => planAppend({ namespace, streamId, events, currentRevision: -1, head: EMPTY_LOG, now: NOW });

      const ids = [plan().streamEvents[0]?.id, plan().logEvents[0]?.id, plan().claims[0]?.event.id];

      expect(new Set(ids).size).toBe(3);
      expect([plan().logEvents[0]?.id, plan().claims[0]?.event.id]).toEqual(ids.slice(1));
    });

    it('round-trips data and metadata byte-equal, key order included, from the stream and from the log', () => {
      const streamId = anEventStreamId();
      const appended = anEvent(awkward);
      const [validated] = validateAppend(streamId, [appended], 'no_stream');
      const plan = planAppend({
        namespace,
        streamId,
        events: [validated!],
        currentRevision: -1,
        head: headAt(6, '2026-11-22T08:14:59.999Z'),
        now: new Date('2026-11-22T08:15:00.000Z'),
      });

      const fromStream = toRecordedEvent(asRead(streamId, 0, plan.streamEvents[0]!));
      const fromLog = toLogEvent(asRead(logStreamOf(namespace), 6, plan.logEvents[0]!));

      // What the client sends: it serialises JSON data with JSON.stringify, which must give the validated text.
      expect(JSON.stringify(plan.streamEvents[0]?.data)).toBe(validated?.dataJson);
      expect(fromLog).toEqual(fromStream);
      expect(JSON.stringify(fromStream.data)).toBe(JSON.stringify(awkward));
      expect(JSON.stringify(fromStream.metadata)).toBe(JSON.stringify(appended.metadata));
      expect(fromStream).toMatchObject({
        eventId: appended.eventId,
        type: appended.type,
        streamId,
        revision: 0,
        position: 7,
        recordedAt: '2026-11-22T08:15:00.000Z',
      });
    });

    it('reads data stored as bytes too, and ignores server-added metadata properties', () => {
      const streamId = anEventStreamId();
      const plan = planAppend({
        namespace,
        streamId,
        events: validateAppend(streamId, [anEvent({ b: 1, a: 2 })], 'any'),
        currentRevision: -1,
        head: EMPTY_LOG,
        now: NOW,
      });
      const record = asRead(streamId, 0, plan.streamEvents[0]!);

      const event = toRecordedEvent({
        ...record,
        data: Buffer.from('{"b":1,"a":2}'),
        metadata: { '$schema.format': 'Json', ...(record.metadata as object) },
      });

      expect(JSON.stringify(event.data)).toBe('{"b":1,"a":2}');
    });
  });

  describe('recordedAt along the log', () => {
    const recordedAtOf = (plan: ReturnType<typeof planAppend>): string[] =>
      [...plan.streamEvents, ...plan.logEvents].map(
        (event) => (event.metadata as Record<string, string>)[PROPERTY.recordedAt] as string,
      );
    const plan = (head: LogHead, now: Date) => {
      const streamId = anEventStreamId();
      const events = validateAppend(streamId, [anEvent({ n: 1 }), anEvent({ n: 2 })], 'any');
      return planAppend({ namespace, streamId, events, currentRevision: -1, head, now });
    };

    it("gives an append after a head recorded later than now (another instance's clock ahead) the head's time", () => {
      const later = '2026-11-30T12:00:03.250Z';
      const planned = plan(headAt(7, later), NOW);

      expect(planned.recordedAt).toBe(later);
      expect(recordedAtOf(planned)).toEqual([later, later, later, later]);
      expect(planned.nextHead).toEqual({ position: 9, recordedAt: later });
    });

    it('gives an append after a head recorded earlier than now the time now', () => {
      const planned = plan(headAt(7, '2026-11-30T11:59:59.999Z'), NOW);

      expect(recordedAtOf(planned)).toEqual(Array(4).fill(NOW.toISOString()));
      expect(planned.nextHead).toEqual({ position: 9, recordedAt: NOW.toISOString() });
    });

    it('gives an append after a head recorded at exactly now the time now', () => {
      expect(plan(headAt(7, NOW.toISOString()), NOW).recordedAt).toBe(NOW.toISOString());
    });

    it('gives the first append (an empty log) the time now', () => {
      const planned = plan(EMPTY_LOG, NOW);

      expect(recordedAtOf(planned)).toEqual(Array(4).fill(NOW.toISOString()));
      expect(planned.nextHead).toEqual({ position: 2, recordedAt: NOW.toISOString() });
    });

    it('never goes backwards over a chain of appends from instances whose clocks disagree', () => {
      const clocks = ['12:00:05', '12:00:01', '12:00:03', '12:00:09', '12:00:02'].map(
        (time) => new Date(`2026-11-30T${time}.000Z`),
      );
      let head = EMPTY_LOG;
      const stamped: string[] = [];
      for (const now of clocks) {
        const planned = plan(head, now);
        stamped.push(planned.recordedAt);
        head = planned.nextHead;
      }

      expect(stamped.map((time) => time.slice(11, 19))).toEqual([
        '12:00:05',
        '12:00:05',
        '12:00:05',
        '12:00:09',
        '12:00:09',
      ]);
      expect(head.position).toBe(10);
    });

    it('compares times, not text, and refuses a head whose time cannot be read', () => {
      expect(recordedAtAfter({ position: 1, recordedAt: '2026-11-30T13:00:00+02:00' }, NOW)).toBe(NOW.toISOString());
      expect(recordedAtAfter({ position: 1, recordedAt: '2026-11-30T14:00:00+01:00' }, NOW)).toBe(
        '2026-11-30T13:00:00.000Z',
      );
      expect(() => recordedAtAfter({ position: 1, recordedAt: 'T' }, NOW)).toThrow(RangeError);
    });

    it("reads the head's position and recordedAt from the log's last record, which an append already reads", () => {
      const first = plan(EMPTY_LOG, NOW);
      const last = asRead(logStreamOf(namespace), 1, first.logEvents[1]!);

      expect(logHeadOf(undefined)).toEqual(EMPTY_LOG);
      expect(logHeadOf(last)).toEqual({ position: 2, recordedAt: NOW.toISOString() });
    });

    it('refuses a last log record that is not a hub event or has no readable time, instead of guessing', () => {
      const first = plan(EMPTY_LOG, NOW);
      const last = asRead(logStreamOf(namespace), 1, first.logEvents[1]!);
      const metadata = last.metadata as Record<string, string>;

      expect(() => logHeadOf({ ...last, metadata: { ...metadata, [PROPERTY.recordedAt]: 'yesterday' } })).toThrow(
        /property hubRecordedAt is not a time/,
      );
      expect(() => logHeadOf({ ...last, revision: 5n })).toThrow(StoreUnavailableError);
    });
  });

  describe('reading back', () => {
    const base = (): StoredRecord => {
      const streamId = anEventStreamId();
      const plan = planAppend({
        namespace,
        streamId,
        events: validateAppend(streamId, [anEvent()], 'any'),
        currentRevision: -1,
        head: headAt(9),
        now: NOW,
      });
      return asRead(logStreamOf(namespace), 9, plan.logEvents[0]!);
    };

    it('refuses a log record whose position is not its log revision + 1', () => {
      const record = { ...base(), revision: 10n };
      expect(() => toLogEvent(record)).toThrow(StoreUnavailableError);
      expect(() => toLogEvent(record)).toThrow(/records position 10, but sits at log position 11/);
    });

    it.each([
      ['no metadata', undefined],
      ['metadata without the hub properties', { source: 'another writer' }],
      ['a non-numeric revision', 'revision'],
    ])('refuses a record with %s as not a hub event', (_, metadata) => {
      const record = base();
      const broken =
        metadata === 'revision'
          ? { ...record, metadata: { ...(record.metadata as object), [PROPERTY.revision]: 'x' } }
          : { ...record, metadata };
      expect(() => toRecordedEvent(broken)).toThrow(/is not a hub event/);
    });

    it('reads an id claim and refuses anything else as one', () => {
      const claim = { streamId: 'bestilling-1', revision: 2, position: 17 };
      expect(toIdClaim({ ...base(), data: claim })).toEqual(claim);
      expect(() => toIdClaim({ ...base(), data: { streamId: 'x' } })).toThrow(/not an id claim/);
    });
  });

  describe('expected revision', () => {
    it.each([
      ['any', -1, -1],
      ['any', 4, 4],
      ['stream_exists', -1, null],
      ['stream_exists', 2, 2],
      ['no_stream', -1, -1],
      ['no_stream', 0, null],
      [3, 3, 3],
      [3, 2, null],
      [0, -1, null],
    ] as const)('resolves %s against current revision %s to %s', (expected, current, resolved) => {
      expect(resolveExpectedRevision(expected, current)).toBe(resolved);
    });

    it('treats only no_stream and exact revisions as pinned by the caller', () => {
      expect([isPinned('no_stream'), isPinned(0), isPinned(7), isPinned('any'), isPinned('stream_exists')]).toEqual([
        true,
        true,
        true,
        false,
        false,
      ]);
    });

    it('sends KurrentDB a concrete state for the stream and for the log', () => {
      expect(streamExpectedState(-1)).toBe('no_stream');
      expect(streamExpectedState(5)).toBe(5n);
      expect(logExpectedState(0)).toBe('no_stream');
      expect(logExpectedState(12)).toBe(11n);
      expect(positionOfLogRevision(11n)).toBe(12);
    });
  });

  describe('classifyIdClaims', () => {
    const ids = ['a', 'b', 'c'];
    const at = (streamId: string, revision: number, position: number) => ({ streamId, revision, position });

    it('lets an append with no stored id proceed', () => {
      expect(classifyIdClaims('s-1', ids, [undefined, undefined, undefined])).toBeNull();
    });

    it('returns the original result when every id is stored in this stream, in order', () => {
      expect(classifyIdClaims('s-1', ids, [at('s-1', 4, 20), at('s-1', 5, 21), at('s-1', 6, 22)])).toEqual({
        nextRevision: 6,
        lastPosition: 22,
        duplicate: true,
      });
    });

    it.each([
      ['a partial overlap', [undefined, at('s-1', 5, 21), undefined], 'b'],
      ['ids stored in another stream', [at('s-2', 0, 1), at('s-2', 1, 2), at('s-2', 2, 3)], 'a'],
      ['the same ids in another order', [at('s-1', 5, 21), at('s-1', 4, 20), at('s-1', 6, 22)], 'a'],
      ['ids from two appends', [at('s-1', 4, 20), at('s-1', 5, 21), at('s-1', 6, 30)], 'a'],
    ])('refuses %s with DuplicateEventIdError naming the first stored id', (_, claims, clash) => {
      const error = (() => {
        try {
          classifyIdClaims('s-1', ids, claims);
        } catch (thrown) {
          return thrown;
        }
        throw new Error('expected a DuplicateEventIdError');
      })();
      expect(error).toBeInstanceOf(DuplicateEventIdError);
      expect(error).toMatchObject({ code: 'EVENT_STORE.DUPLICATE_EVENT_ID', eventId: clash, streamId: 's-1' });
    });
  });

  it('filters $all server-side to exactly the namespace log stream', () => {
    const regex = new RegExp(logStreamRegex('hub_t1'));
    expect(['_hub_t1_log'].filter((name) => regex.test(name))).toEqual(['_hub_t1_log']);
    expect(['_hub_t1_log2', '_hub_t1_id-x', '$stats', 'bestilling-1', 'x_hub_t1_log'].some((n) => regex.test(n))).toBe(
      false,
    );
  });
});
