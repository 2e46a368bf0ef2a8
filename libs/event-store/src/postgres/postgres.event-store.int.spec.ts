import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import type { EventStore, EventToAppend, RecordedEvent } from '../event-store.port';
import { anEvent, anEventStreamId, describeEventStoreContract, someEvents } from '../testing/event-store.contract';
import { dropSchema, PG_URL, requirePostgres } from '../testing/postgres';
import {
  openPostgresEventStore,
  type PostgresEventStore,
  type PostgresEventStoreOptions,
} from './postgres.event-store';
import { POSTGRES_SCHEMA_VERSION } from './postgres.schema';
import type { ChildJob, ChildResult } from './testing/postgres-child.process';

const REPO_ROOT = resolve(__dirname, '../../../..');
const CHILD_SCRIPT = join(__dirname, 'testing', 'postgres-child.process.ts');

/** This engineer's schemas carry the `es_` prefix; each test drops what it made. */
const esSchema = (): string => `es_${randomBytes(6).toString('hex')}`;

const open = (schema: string, options: Partial<PostgresEventStoreOptions> = {}): Promise<PostgresEventStore> =>
  openPostgresEventStore({ connectionString: PG_URL, schema, applicationName: `hub-test ${schema}`, ...options });

async function sql<T extends object = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to fail, but it succeeded');
}

async function waitFor(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Settles within `ms` or fails the test: a call on a broken connection must never hang. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

beforeAll(async () => {
  await requirePostgres();
});

describeEventStoreContract('postgres', async () => {
  const schema = esSchema();
  return {
    store: await open(schema),
    reopen: () => open(schema),
    cleanup: () => dropSchema(schema),
  };
});

interface RunningChild {
  readonly ready: Promise<void>;
  readonly result: Promise<ChildResult>;
  go(): void;
}

function startChild(job: ChildJob): RunningChild {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', CHILD_SCRIPT, JSON.stringify(job)], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolveReady) => {
    markReady = resolveReady;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.startsWith('ready\n')) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const result = new Promise<ChildResult>((resolveResult, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolveResult(JSON.parse(last) as ChildResult);
      } catch {
        reject(new Error(`Child exited with ${code}; stdout: ${stdout}; stderr: ${stderr}`));
      }
    });
  });
  return { ready, result, go: () => child.stdin.end('go\n') };
}

describe('PostgreSQL event store specifics', () => {
  let schema: string;
  const stores: EventStore[] = [];
  const track = async <S extends EventStore>(store: Promise<S>): Promise<S> => {
    const opened = await store;
    stores.push(opened);
    return opened;
  };

  beforeEach(() => {
    schema = esSchema();
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await dropSchema(schema);
  });

  it('stamps recordedAt from the injected clock', async () => {
    const store = await track(open(schema, { now: () => new Date('2026-11-22T08:15:00.123Z') }));
    const streamId = anEventStreamId();
    await store.appendToStream(streamId, someEvents(2), { expectedRevision: 'no_stream' });

    expect((await store.readStream(streamId)).map((event) => event.recordedAt)).toEqual([
      '2026-11-22T08:15:00.123Z',
      '2026-11-22T08:15:00.123Z',
    ]);
  });

  it('never lets recordedAt go backwards along the log, whatever clock the appending instance has', async () => {
    // Two instances whose clocks are a minute apart append in turn.
    const ahead = await track(open(schema, { now: () => new Date('2026-11-22T08:16:00.000Z') }));
    const behind = await track(open(schema, { now: () => new Date('2026-11-22T08:15:00.000Z') }));
    await ahead.appendToStream(anEventStreamId(), someEvents(1), { expectedRevision: 'no_stream' });
    await behind.appendToStream(anEventStreamId(), someEvents(2), { expectedRevision: 'no_stream' });
    expect((await behind.readAll()).map((event) => event.recordedAt)).toEqual([
      '2026-11-22T08:16:00.000Z',
      '2026-11-22T08:16:00.000Z',
      '2026-11-22T08:16:00.000Z',
    ]);
  });

  it('creates a versioned schema and keeps data as the JSON text that was appended', async () => {
    const store = await track(open(schema));
    const event = anEvent({ zeta: 'æøå', alpha: '\u0000' });
    await store.appendToStream(anEventStreamId(), [event], { expectedRevision: 'no_stream' });

    expect(await sql(`SELECT version FROM "${schema}".store_version`)).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
    expect(await sql(`SELECT position::int, data::text AS data FROM "${schema}".events`)).toEqual([
      { position: 1, data: JSON.stringify(event.data) },
    ]);
  });

  it('refuses a schema written by a newer version and one with a foreign events table', async () => {
    await (await open(schema)).close();
    await sql(`UPDATE "${schema}".store_version SET version = $1`, [POSTGRES_SCHEMA_VERSION + 1]);
    expect(await errorOf(() => open(schema))).toMatchObject({
      code: 'EVENT_STORE.UNAVAILABLE',
      message: expect.stringContaining(`version ${POSTGRES_SCHEMA_VERSION + 1}`),
    });

    const foreign = esSchema();
    try {
      await sql(`CREATE SCHEMA ${foreign}; CREATE TABLE ${foreign}.events (id int PRIMARY KEY)`);
      expect(await errorOf(() => open(foreign))).toMatchObject({
        code: 'EVENT_STORE.UNAVAILABLE',
        message: expect.stringContaining('did not create'),
      });
    } finally {
      await dropSchema(foreign);
    }
  });

  it('leaves no gap in the positions when an append fails after it took the head', async () => {
    const store = await track(open(schema));
    const stored = someEvents(1);
    await store.appendToStream(anEventStreamId(), stored, { expectedRevision: 'no_stream' });

    // With `any` the append passes the revision check, takes positions and then meets the stored id.
    const clash = await errorOf(() =>
      store.appendToStream(anEventStreamId(), [anEvent(), ...stored], { expectedRevision: 'any' }),
    );
    const next = await store.appendToStream(anEventStreamId(), someEvents(2), { expectedRevision: 'no_stream' });

    expect(clash).toMatchObject({ code: 'EVENT_STORE.DUPLICATE_EVENT_ID' });
    expect(next.lastPosition).toBe(3);
    expect((await store.readAll()).map((event) => event.position)).toEqual([1, 2, 3]);
  });

  it(
    'keeps positions gap-free and in commit order with several OS processes creating the schema and writing at once, ' +
      'and a subscriber sees every position exactly once',
    async () => {
      const sharedStream = anEventStreamId('faelles');
      const job = { connectionString: PG_URL, schema, sharedStream, appends: 30, kind: 'write' } as const;
      const children = Array.from({ length: 4 }, () => startChild({ ...job, ownStream: anEventStreamId('egen') }));
      await Promise.all(children.map((child) => child.ready));
      for (const child of children) child.go();
      // The subscriber and a reader start while the children create the schema and write.
      const observer = await track(open(schema, { pollIntervalMs: 20 }));
      const received: number[] = [];
      const subscription = observer.subscribeToAll({
        after: 0,
        batchSize: 7,
        handler: async (events) => {
          received.push(...events.map((event) => event.position));
        },
      });
      const reads: number[][] = [];
      let writing = true;
      const reader = (async () => {
        let after = 0;
        while (writing) {
          const page = (await observer.readAll({ after, maxCount: 50 })).map((event) => event.position);
          reads.push(page);
          after = page[page.length - 1] ?? after;
        }
      })();
      const results = await Promise.all(children.map((child) => child.result));
      writing = false;
      await reader;

      const appends = results.flatMap((result) => {
        if (result.kind !== 'appended') throw new Error(`A writer failed: ${JSON.stringify(result)}`);
        return result.appends;
      });
      const acknowledged = appends.flatMap((append) => append.eventIds);
      await waitFor(() => received.length >= acknowledged.length, 'the subscriber to catch up', 10_000);
      await subscription.stop();
      const log = await observer.readAll();
      const byId = new Map(log.map((event) => [event.eventId, event]));

      expect(log.map((event) => event.position)).toEqual(log.map((_, index) => index + 1));
      expect(log).toHaveLength(acknowledged.length);
      expect(new Set(acknowledged).size).toBe(acknowledged.length);
      for (const append of appends) {
        const stored = append.eventIds.map((id) => byId.get(id));
        expect(stored.map((event) => event?.streamId)).toEqual(append.eventIds.map(() => append.streamId));
        expect((stored[stored.length - 1] as RecordedEvent).position).toBe(append.lastPosition);
      }
      const shared = await observer.readStream(sharedStream);
      expect(shared.map((event) => event.revision)).toEqual(shared.map((_, index) => index));
      expect(received).toEqual(log.map((event) => event.position));
      // A reader never saw a later position while an earlier one was still invisible.
      let last = 0;
      for (const page of reads) {
        for (const position of page) expect(position).toBe(++last);
      }
      expect(results.reduce((sum, r) => sum + (r.kind === 'appended' ? r.conflicts : 0), 0)).toBeGreaterThan(0);
    },
    90_000,
  );

  it('wakes a subscription through NOTIFY when another connection appends', async () => {
    const subscriber = await track(open(schema, { pollIntervalMs: 60_000 }));
    const writer = await track(open(schema));
    const received: RecordedEvent[] = [];
    const subscription = subscriber.subscribeToAll({
      after: 0,
      handler: async (events) => {
        received.push(...events);
      },
    });
    await new Promise((r) => setTimeout(r, 300));

    const started = Date.now();
    const result = await writer.appendToStream(anEventStreamId(), someEvents(2), { expectedRevision: 'no_stream' });
    await waitFor(() => received.length === 2, 'the notified events', 3000);
    await subscription.stop();

    expect(received.map((event) => event.position)).toEqual([1, result.lastPosition]);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('still delivers appends from another connection after its LISTEN connection is killed', async () => {
    const subscriber = await track(open(schema, { pollIntervalMs: 200, applicationName: `hub-test listen ${schema}` }));
    const writer = await track(open(schema));
    const received: RecordedEvent[] = [];
    const subscription = subscriber.subscribeToAll({
      after: 0,
      handler: async (events) => {
        received.push(...events);
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    const killed = await sql<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`,
      [`hub-test listen ${schema}`],
    );
    await sql(`SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid`, [killed.map((row) => row.pid)]);

    await writer.appendToStream(anEventStreamId(), someEvents(3), { expectedRevision: 'no_stream' });
    await waitFor(() => received.length === 3, 'the events appended while the LISTEN connection was gone');
    await subscription.stop();

    expect(killed).toHaveLength(1);
    expect(received.map((event) => event.position)).toEqual([1, 2, 3]);
  });

  it('answers with StoreUnavailableError or recovers, never hangs, when the server ends its connections', async () => {
    const applicationName = `hub-test kill ${schema}`;
    const store = await track(open(schema, { poolSize: 3, applicationName }));
    const streamId = anEventStreamId();
    await store.appendToStream(streamId, someEvents(1), { expectedRevision: 'no_stream' });
    await Promise.all([store.readAll(), store.headPosition(), store.readStream(streamId)]);

    const terminated = await sql<{ ok: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1`,
      [applicationName],
    );
    const outcomes = [];
    for (const call of [
      () => store.appendToStream(streamId, someEvents(1), { expectedRevision: 'any' }),
      () => store.readStream(streamId),
      () => store.readAll(),
      () => store.headPosition(),
    ]) {
      outcomes.push(
        await within(
          10_000,
          call().then(
            () => 'ok',
            (error: unknown) => error,
          ),
        ),
      );
    }

    expect(terminated.length).toBeGreaterThan(0);
    for (const outcome of outcomes) {
      if (outcome !== 'ok')
        expect(outcome).toMatchObject({ name: 'StoreUnavailableError', code: 'EVENT_STORE.UNAVAILABLE' });
    }
    // Reads retry once on a fresh connection, so after a restart of every connection they recover at once.
    expect(outcomes.slice(1)).toEqual(['ok', 'ok', 'ok']);
    await expect(store.appendToStream(streamId, someEvents(1), { expectedRevision: 'any' })).resolves.toMatchObject({
      duplicate: false,
    });
  });

  it('fails to open with StoreUnavailableError, without the password, when no server answers', async () => {
    const started = Date.now();
    const error = await errorOf(() =>
      openPostgresEventStore({
        connectionString: 'postgres://postgres:hemmeligt@127.0.0.1:1/postgres',
        schema,
        connectTimeoutMs: 2000,
      }),
    );

    expect(error).toMatchObject({ name: 'StoreUnavailableError', code: 'EVENT_STORE.UNAVAILABLE' });
    expect((error as Error).message).not.toContain('hemmeligt');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  describe('importRecorded', () => {
    let source: string;

    beforeEach(() => {
      source = esSchema();
    });

    afterEach(async () => {
      await dropSchema(source);
    });

    /** A log of several streams with interleaved appends, written through the port. */
    async function writeSourceLog(store: EventStore): Promise<readonly RecordedEvent[]> {
      const streams = Array.from({ length: 6 }, () => anEventStreamId());
      for (let n = 0; n < 40; n++) {
        await store.appendToStream(streams[n % streams.length] as string, someEvents(1 + (n % 3), `i${n}`), {
          expectedRevision: 'any',
        });
      }
      await store.appendToStream(anEventStreamId(), [anEvent({ b: '\u0000', a: 'ø', nested: { z: 1, y: [] } })], {
        expectedRevision: 'no_stream',
      });
      return store.readAll();
    }

    it('copies a log in batches exactly, and appends continue after it', async () => {
      const from = await track(open(source, { now: () => new Date('2025-01-02T03:04:05.678Z') }));
      const log = await writeSourceLog(from);
      const to = await track(open(schema));

      for (let offset = 0; offset < log.length; offset += 17) await to.importRecorded(log.slice(offset, offset + 17));

      const copied = await to.readAll();
      expect(copied).toEqual(log);
      expect(copied.map((event) => JSON.stringify([event.data, event.metadata]))).toEqual(
        log.map((event) => JSON.stringify([event.data, event.metadata])),
      );
      expect(await to.headPosition()).toBe(log.length);
      const lastEvent = log[log.length - 1] as RecordedEvent;
      const next = await to.appendToStream(lastEvent.streamId, someEvents(1), { expectedRevision: lastEvent.revision });
      expect(next).toEqual({ nextRevision: lastEvent.revision + 1, lastPosition: log.length + 1, duplicate: false });
    });

    it('refuses batches that do not continue the head or a stream, and writes nothing', async () => {
      const from = await track(open(source));
      const log = await writeSourceLog(from);
      const to = await track(open(schema));
      await to.importRecorded(log.slice(0, 10));
      const at = (position: number): RecordedEvent => log[position - 1] as RecordedEvent;
      const cases: ReadonlyArray<[string, readonly RecordedEvent[], RegExp]> = [
        ['a gap after the head', log.slice(11, 15), /starts at position 12.*head is 10/],
        ['an overlap with the head', log.slice(9, 15), /starts at position 10.*head is 10/],
        ['positions with a hole', [at(11), at(13)], /position 13, expected 12/],
        [
          'a stream revision skipped against the stored stream',
          [{ ...at(11), revision: at(11).revision + 1 }],
          /next revision is/,
        ],
        [
          'a stream revision skipped inside the batch',
          [at(11), { ...at(11), eventId: anEvent().eventId, position: 12, revision: at(11).revision + 2 }],
          /revision .* after/,
        ],
        ['a recordedAt in another format', [{ ...at(11), recordedAt: '2026-11-22T08:15:00Z' }], /recordedAt/],
        ['an invalid stream id', [{ ...at(11), streamId: 'Ugyldig' }], /Stream id/],
      ];

      for (const [what, batch, message] of cases) {
        const error = await errorOf(() => to.importRecorded(batch));
        expect([what, error]).toEqual([
          what,
          expect.objectContaining({ code: 'EVENT_STORE.INVALID_APPEND', message: expect.stringMatching(message) }),
        ]);
      }
      const duplicate = await errorOf(() => to.importRecorded([{ ...at(11), eventId: at(3).eventId }]));
      expect(duplicate).toMatchObject({ code: 'EVENT_STORE.DUPLICATE_EVENT_ID', details: { eventId: at(3).eventId } });
      expect(await to.readAll()).toEqual(log.slice(0, 10));
      expect(await to.headPosition()).toBe(10);
    });

    describe('through COPY', () => {
      /** These tests' own schemas carry the `cp_` prefix and are dropped after each test. */
      const cpSchemas: string[] = [];
      const cpSchema = (): string => {
        const name = `cp_${randomBytes(6).toString('hex')}`;
        cpSchemas.push(name);
        return name;
      };

      afterEach(async () => {
        for (const store of stores.splice(0)) await store.close();
        for (const name of cpSchemas.splice(0)) await dropSchema(name);
      });

      const recorded = (events: readonly EventToAppend[], streamId = anEventStreamId()): RecordedEvent[] =>
        events.map((event, index) => ({
          ...event,
          streamId,
          revision: index,
          position: index + 1,
          recordedAt: '2026-11-22T08:15:00.123Z',
        }));

      it('stores awkward text byte-equal: backslashes, tabs, newlines, \\u0000 escapes, emoji, quotes', async () => {
        // Every character COPY's text format gives a meaning (\\, tab, LF, CR), COPY's own markers (\\N, \\.) as
        // text, JSON escapes (which are backslashes in the JSON text), non-ASCII, and awkward keys.
        const awkward = {
          backslashes: 'C:\\hub\\data \\\\ \\',
          copyMarkers: ['\\N', '\\.', '\\', '\\t', '\\n', '\\r', '\\x41', '\\101'],
          separators: 'a\tb\nc\r\nd\re',
          nul: '\u0000',
          nuls: 'før\u0000efter\u0000\u0000',
          control: '\u0001\u0008\u000b\u000c\u001f\u007f',
          lineSeparators: '\u2028\u2029',
          emoji: '🧩 👩‍👩‍👧 😀 🇩🇰',
          loneSurrogate: '\ud800',
          quotes: `"dobbelt" 'enkelt' “typografisk” \\"`,
          nonAscii: 'Borgeren ønsker støtte – æøå ÆØÅ ü ß 中文',
          'key\twith\ttabs\n': { 'ø\\': ['\t', '\n', '\\', '\u0000'] },
          numbers: [0, -1, 1.5, 1e21, 2 ** 53 - 1, -0.000001],
        };
        const events = recorded([
          anEvent(awkward, 'Type\twith\ttab\\backslash\nand newline\r'),
          anEvent('\\.', 'ProeveRegistreret'),
          anEvent(['\\N', '\t'], '\\N'),
          { ...anEvent({ n: 1 }), metadata: { ...anEvent().metadata, note: 'tab\there\\ \u0000 🧩' } },
        ]);
        const to = await track(open(cpSchema()));

        await to.importRecorded(events);

        const read = await to.readAll();
        expect(read).toEqual(events);
        expect(read.map((event) => [event.type, JSON.stringify(event.data), JSON.stringify(event.metadata)])).toEqual(
          events.map((event) => [event.type, JSON.stringify(event.data), JSON.stringify(event.metadata)]),
        );
        // The stored JSON text itself, not only what parses back from it.
        const stored = await sql<{ type: string; data: string; metadata: string }>(
          `SELECT type, data::text AS data, metadata::text AS metadata FROM "${cpSchemas[0]}".events ORDER BY position`,
        );
        expect(stored).toEqual(
          events.map((event) => ({
            type: event.type,
            data: JSON.stringify(event.data),
            metadata: JSON.stringify(event.metadata),
          })),
        );
      });

      it('refuses a large batch whose stored id the server meets part-way through COPY, and the connection stays usable', async () => {
        // ~20 MB of COPY data, so two COPY statements of up to 16 Mi characters: the first is copied, the second
        // meets the stored id near its end, and the whole batch rolls back. One pooled connection, so the next
        // import runs on the same one.
        const to = await track(open(cpSchema(), { poolSize: 1 }));
        const filler = 'x'.repeat(2000);
        const log = recorded(Array.from({ length: 9000 }, (_, n) => anEvent({ n, filler })));
        await to.importRecorded(log.slice(0, 1));
        const batch = log.slice(1);
        const clashing = batch.map((event, index) =>
          index === batch.length - 2 ? { ...event, eventId: log[0]?.eventId as string } : event,
        );

        const error = await errorOf(() => to.importRecorded(clashing));

        expect(error).toMatchObject({ code: 'EVENT_STORE.DUPLICATE_EVENT_ID', details: { eventId: log[0]?.eventId } });
        expect(await to.headPosition()).toBe(1);
        expect(await sql(`SELECT count(*)::int AS n FROM "${cpSchemas[0]}".events`)).toEqual([{ n: 1 }]);
        await to.importRecorded(batch);
        expect(await to.headPosition()).toBe(log.length);
        expect(await to.readAll({ after: log.length - 2 })).toEqual(log.slice(-2));
      });
    });

    it('wakes subscriptions like an append', async () => {
      const from = await track(open(source));
      const log = await writeSourceLog(from);
      const to = await track(open(schema, { pollIntervalMs: 60_000 }));
      const received: number[] = [];
      const subscription = to.subscribeToAll({
        after: 0,
        handler: async (events) => {
          received.push(...events.map((event) => event.position));
        },
      });

      await to.importRecorded(log);
      await waitFor(() => received.length === log.length, 'the imported events');
      await subscription.stop();

      expect(received).toEqual(log.map((event) => event.position));
    });
  });
});
