import type { EventStore, EventToAppend, RecordedEvent } from '../event-store.port';
import { openSqliteEventStore } from '../sqlite/sqlite.event-store';
import { appendGroups, appendWriter, replayClock, type LogWriter } from './log-writer';
import { migrateLog, MigrationRefusedError, type MigrationProgress } from './migrate-log';
import { verifyLogs } from './verify-logs';

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const metadata = (n: number) => ({
  schemaVersion: 1,
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: uuid(900_000 + n),
  causationId: uuid(800_000 + n),
  actor: { party: 'test', subject: `s${n}` },
});

/** A source written as the hub writes: appends of 1–4 events over 5 streams, each append at its own millisecond. */
async function sourceLog(appends: number, idOffset = 0): Promise<EventStore> {
  let tick = Date.UTC(2025, 0, 1);
  const store = openSqliteEventStore({ file: ':memory:', now: () => new Date((tick += 7)) });
  let n = idOffset;
  for (let i = 0; i < appends; i++) {
    const events: EventToAppend[] = Array.from({ length: 1 + (i % 4) }, () => {
      n += 1;
      return {
        eventId: uuid(n),
        type: `Sket${n % 3}`,
        data: { n, tekst: 'æøå "citat"', liste: [n, null] },
        metadata: metadata(n),
      };
    });
    await store.appendToStream(`kategori-${i % 5}`, events, { expectedRevision: 'any' });
  }
  return store;
}

/** An empty target whose clock the migration drives, as the KurrentDB target is opened by the CLI. */
function replayTarget() {
  const clock = replayClock();
  const target = openSqliteEventStore({ file: ':memory:', now: clock.now });
  return { target, writer: appendWriter(target, clock), clock };
}

const all = (store: EventStore): Promise<readonly RecordedEvent[]> => store.readAll();

describe('appendGroups', () => {
  it('splits a page into the appends that wrote it, with the expected revision before each', async () => {
    const source = await sourceLog(12);
    const page = await all(source);
    const groups = appendGroups(page);
    expect(groups).toHaveLength(12);
    expect(groups.map((g) => g.events.length)).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
    expect(groups.slice(0, 6).map((g) => [g.streamId, g.expectedRevision])).toEqual([
      ['kategori-0', 'no_stream'],
      ['kategori-1', 'no_stream'],
      ['kategori-2', 'no_stream'],
      ['kategori-3', 'no_stream'],
      ['kategori-4', 'no_stream'],
      ['kategori-0', 0],
    ]);
    expect(groups.flatMap((g) => g.events)).toEqual(page);
    expect(appendGroups(page, 2).every((g) => g.events.length <= 2)).toBe(true);
    await source.close();
  });
});

describe('migrateLog', () => {
  it('replays every append into an empty store with the same positions, ids, revisions, metadata and recordedAt', async () => {
    const source = await sourceLog(60);
    const { target, writer } = replayTarget();
    const progress: MigrationProgress[] = [];
    const result = await migrateLog({ source, target, writer, batchSize: 7, onProgress: (p) => progress.push(p) });
    const head = await source.headPosition();
    expect(result).toMatchObject({ resumedAt: 0, copied: head, head });
    expect(progress.map((p) => p.position)).toEqual(
      Array.from({ length: Math.ceil(head / 7) }, (_, i) => Math.min(head, 7 * (i + 1))),
    );
    expect(progress.every((p) => p.total === head && p.copied === p.position)).toBe(true);
    expect(await verifyLogs(source, target, { pageSize: 11 })).toEqual({ equal: true, compared: head });
    expect(await all(target)).toEqual(await all(source));
    await Promise.all([source.close(), target.close()]);
  });

  it('resumes after a crash from the target head and copies nothing once complete', async () => {
    const source = await sourceLog(40);
    const { target, writer } = replayTarget();
    let pages = 0;
    const crashing: LogWriter = {
      describe: 'crashes after 3 pages',
      write: async (events) => {
        if (++pages > 3) throw new Error('killed');
        await writer.write(events);
      },
    };
    await expect(migrateLog({ source, target, writer: crashing, batchSize: 10 })).rejects.toThrow('killed');
    expect(await target.headPosition()).toBe(30);

    const head = await source.headPosition();
    expect(await migrateLog({ source, target, writer, batchSize: 10 })).toMatchObject({
      resumedAt: 30,
      copied: head - 30,
    });
    expect(await verifyLogs(source, target)).toEqual({ equal: true, compared: head });
    expect(await migrateLog({ source, target, writer, batchSize: 10 })).toMatchObject({ resumedAt: head, copied: 0 });
    await Promise.all([source.close(), target.close()]);
  });

  it('refuses a target that holds another log, and writes nothing', async () => {
    const source = await sourceLog(20);
    const other = await sourceLog(5, 5000);
    const before = await all(other);
    await expect(migrateLog({ source, target: other, writer: appendWriter(other) })).rejects.toThrow(
      MigrationRefusedError,
    );
    await expect(migrateLog({ source, target: other, writer: appendWriter(other) })).rejects.toThrow(
      /target holds another log: its event at position 1 is 00000000-0000-4000-8000-000000001389/,
    );
    expect(await all(other)).toEqual(before);

    const longer = await sourceLog(30);
    await expect(migrateLog({ source, target: longer, writer: appendWriter(longer) })).rejects.toThrow(
      /holds \d+ events, more than the source's/,
    );
    await Promise.all([source.close(), other.close(), longer.close()]);
  });

  it('refuses a target that went its own way after an earlier run', async () => {
    const source = await sourceLog(6);
    const { target, writer } = replayTarget();
    await migrateLog({ source, target, writer, batchSize: 3 });
    const append = (store: EventStore, n: number) =>
      store.appendToStream('kategori-9', [{ eventId: uuid(n), type: 'Sket', data: {}, metadata: metadata(1) }], {
        expectedRevision: 'any',
      });
    await append(source, 7000);
    await append(target, 7001);
    await expect(migrateLog({ source, target, writer })).rejects.toThrow(
      /its event at position 14 is 00000000-0000-4000-8000-000000001b59 .*the source's is 00000000-0000-4000-8000-000000001b58/,
    );
    await Promise.all([source.close(), target.close()]);
  });

  it('stops a replay whose append does not land at the source position', async () => {
    const source = await sourceLog(3);
    const { target, writer, clock } = replayTarget();
    clock.set('2026-01-01T00:00:00.000Z');
    await target.appendToStream('andet-1', [{ eventId: uuid(7001), type: 'Sket', data: {}, metadata: metadata(1) }], {
      expectedRevision: 'any',
    });
    await expect(writer.write(await all(source))).rejects.toThrow(
      /stored kategori-0@0 \(position 1\) as revision 0 at position 2; is something else writing to the target\?/,
    );
    await Promise.all([source.close(), target.close()]);
  });
});

describe('verifyLogs', () => {
  it('reports the first field that differs and a log that ends early', async () => {
    const source = await sourceLog(10);
    const plainTarget = openSqliteEventStore({ file: ':memory:', now: () => new Date(Date.UTC(2030, 0, 1)) });
    // Without the replay clock the target stamps its own time: everything else is equal.
    await migrateLog({ source, target: plainTarget, writer: appendWriter(plainTarget) });
    expect(await verifyLogs(source, plainTarget)).toEqual({
      equal: false,
      compared: 0,
      difference: {
        position: 1,
        field: 'recordedAt',
        source: '2025-01-01T00:00:00.007Z',
        target: '2030-01-01T00:00:00.000Z',
      },
    });

    const { target, writer } = replayTarget();
    const events = await all(source);
    const changed = events.map((e) => (e.position === 9 ? { ...e, data: { ...(e.data as object), n: -1 } } : e));
    await writer.write(changed);
    const result = await verifyLogs(source, target, { pageSize: 4 });
    expect(result).toMatchObject({ equal: false, compared: 8, difference: { position: 9, field: 'data' } });

    await source.appendToStream(
      'kategori-1',
      [{ eventId: uuid(9999), type: 'Sket', data: {}, metadata: metadata(2) }],
      {
        expectedRevision: 'any',
      },
    );
    const { target: prefix, writer: prefixWriter } = replayTarget();
    await prefixWriter.write(events);
    expect(await verifyLogs(source, prefix, { pageSize: 5 })).toEqual({
      equal: false,
      compared: events.length,
      difference: { position: events.length + 1, field: 'missing', source: 'present', target: 'absent' },
    });
    await Promise.all([source.close(), plainTarget.close(), target.close(), prefix.close()]);
  });
});
