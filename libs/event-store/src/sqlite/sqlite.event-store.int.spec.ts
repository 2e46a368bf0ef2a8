import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RecordedEvent } from '../event-store.port';
import { anEvent, anEventStreamId, describeEventStoreContract, someEvents } from '../testing/event-store.contract';
import { openSqliteEventStore, SQLITE_SCHEMA_VERSION } from './sqlite.event-store';
import type { ChildJob, ChildResult } from './testing/sqlite-child.process';

const REPO_ROOT = resolve(__dirname, '../../../..');
const CHILD_SCRIPT = join(__dirname, 'testing', 'sqlite-child.process.ts');
/**
 * Root ignores file permissions through CAP_DAC_OVERRIDE. To meet a read-only directory for real, a root test process
 * runs the child through setpriv (util-linux) with those capabilities dropped: still uid 0, so it reads the checkout
 * wherever CI put it, but the directory's mode now applies.
 */
const WITHOUT_DAC_OVERRIDE = ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-all', '--'];

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'hub-event-store-'));
}

describeEventStoreContract('sqlite', async () => {
  const dir = await tempDir();
  const file = join(dir, 'events.db');
  return {
    store: openSqliteEventStore({ file }),
    reopen: async () => openSqliteEventStore({ file }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

interface RunningChild {
  readonly ready: Promise<void>;
  readonly result: Promise<ChildResult>;
  go(): void;
}

/** Runs the child script as its own OS process (optionally with root's permission override dropped) and parses its last output line. */
function startChild(job: ChildJob, options: { honourPermissions?: boolean } = {}): RunningChild {
  const command = [process.execPath, '-r', '@swc-node/register', CHILD_SCRIPT, JSON.stringify(job)];
  const argv = options.honourPermissions && process.getuid?.() === 0 ? [...WITHOUT_DAC_OVERRIDE, ...command] : command;
  const child = spawn(argv[0] as string, argv.slice(1), {
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

describe('SQLite event store specifics', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    // A user other than root cannot delete files inside the read-only directory until it is writable again.
    await chmod(join(dir, 'readonly'), 0o700).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('stamps recordedAt from the injected clock', async () => {
    const store = openSqliteEventStore({ file: join(dir, 'events.db'), now: () => new Date('2026-11-22T08:15:00Z') });
    const streamId = anEventStreamId();
    await store.appendToStream(streamId, someEvents(2), { expectedRevision: 'no_stream' });

    const stored = await store.readStream(streamId);
    await store.close();

    expect(stored.map((event) => event.recordedAt)).toEqual(['2026-11-22T08:15:00.000Z', '2026-11-22T08:15:00.000Z']);
  });

  it('creates a versioned schema in WAL mode and keeps data as JSON text', async () => {
    const file = join(dir, 'events.db');
    const store = openSqliteEventStore({ file });
    const event = anEvent({ tekst: 'æøå' });
    await store.appendToStream(anEventStreamId(), [event], { expectedRevision: 'no_stream' });

    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.prepare('SELECT position, data FROM events').get()).toEqual({
        position: 1,
        data: JSON.stringify(event.data),
      });
    } finally {
      raw.close();
      await store.close();
    }
  });

  it('refuses a file written by a newer schema version', async () => {
    const file = join(dir, 'events.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    raw.close();

    expect(() => openSqliteEventStore({ file })).toThrow(
      expect.objectContaining({ code: 'EVENT_STORE.UNAVAILABLE', message: expect.stringMatching(/schema version 2/) }),
    );
  });

  it('refuses a foreign database that has its own events table', async () => {
    const file = join(dir, 'events.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, payload BLOB)');
    raw.close();

    expect(() => openSqliteEventStore({ file })).toThrow(expect.objectContaining({ code: 'EVENT_STORE.UNAVAILABLE' }));
  });

  it('refuses a corrupt file with StoreUnavailableError naming the file', async () => {
    const file = join(dir, 'events.db');
    await writeFile(file, 'this is not a SQLite database, only text. '.repeat(200));

    expect(() => openSqliteEventStore({ file })).toThrow(
      expect.objectContaining({
        name: 'StoreUnavailableError',
        code: 'EVENT_STORE.UNAVAILABLE',
        message: expect.stringMatching(new RegExp(`${escape(file)}.*not a SQLite database`)),
      }),
    );
  });

  it('refuses a file in a missing directory with StoreUnavailableError', () => {
    const file = join(dir, 'missing', 'events.db');

    expect(() => openSqliteEventStore({ file })).toThrow(
      expect.objectContaining({
        code: 'EVENT_STORE.UNAVAILABLE',
        message: expect.stringContaining('directory does not exist'),
      }),
    );
  });

  it.each([
    ['a new file', false],
    ['an existing file', true],
  ])(
    'refuses %s in a read-only directory with StoreUnavailableError',
    async (_, existing) => {
      const readOnly = join(dir, 'readonly');
      await mkdir(readOnly);
      const file = join(readOnly, 'events.db');
      if (existing) {
        const store = openSqliteEventStore({ file });
        await store.appendToStream(anEventStreamId(), someEvents(1), { expectedRevision: 'no_stream' });
        await store.close();
      }
      await chmod(dir, 0o755);
      await chmod(readOnly, 0o555);
      const result = await startChild({ kind: 'open', file }, { honourPermissions: true }).result;

      expect(result).toMatchObject({
        kind: 'failed',
        name: 'StoreUnavailableError',
        code: 'EVENT_STORE.UNAVAILABLE',
        message: expect.stringMatching(/cannot be opened|read-only/),
      });
      expect((result as { message: string }).message).toContain(file);
    },
    30_000,
  );

  it('keeps every acknowledged append exactly once, gap-free, with several OS processes creating and writing one file', async () => {
    const file = join(dir, 'events.db');
    const sharedStream = anEventStreamId('faelles');
    const children = Array.from({ length: 4 }, () =>
      startChild({ kind: 'write', file, sharedStream, ownStream: anEventStreamId('egen'), appends: 40 }),
    );
    await Promise.all(children.map((child) => child.ready));
    for (const child of children) child.go();
    const results = await Promise.all(children.map((child) => child.result));

    const store = openSqliteEventStore({ file });
    const log = await store.readAll();
    const shared = await store.readStream(sharedStream);
    await store.close();
    const appends = results.flatMap((result) => {
      if (result.kind !== 'appended') throw new Error(`A writer failed: ${JSON.stringify(result)}`);
      return result.appends;
    });
    const acknowledged = appends.flatMap((append) => append.eventIds);
    const byId = new Map(log.map((event) => [event.eventId, event]));

    expect(log.map((event) => event.position)).toEqual(log.map((_, index) => index + 1));
    expect(log).toHaveLength(acknowledged.length);
    expect(new Set(acknowledged).size).toBe(acknowledged.length);
    for (const append of appends) {
      const stored = append.eventIds.map((id) => byId.get(id));
      expect(stored.map((event) => event?.streamId)).toEqual(append.eventIds.map(() => append.streamId));
      expect((stored[stored.length - 1] as RecordedEvent).position).toBe(append.lastPosition);
    }
    expect(shared.map((event) => event.revision)).toEqual(shared.map((_, index) => index));
    expect(
      results.reduce((sum, result) => sum + (result.kind === 'appended' ? result.conflicts : 0), 0),
    ).toBeGreaterThan(0);
  }, 60_000);

  it('delivers to a subscription the appends another process makes (poll path)', async () => {
    const file = join(dir, 'events.db');
    const store = openSqliteEventStore({ file, pollIntervalMs: 50 });
    const received: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({
      after: 0,
      handler: async (events) => {
        received.push(...events);
      },
    });
    const streamId = anEventStreamId();

    const result = await startChild({ kind: 'append', file, streamId, count: 5, delayMs: 30 }).result;
    const deadline = Date.now() + 5000;
    while (received.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await subscription.stop();
    await store.close();

    if (result.kind !== 'appended') throw new Error(`The writer failed: ${JSON.stringify(result)}`);
    expect(received.map((event) => [event.eventId, event.position])).toEqual(
      result.appends.map((append) => [append.eventIds[0], append.lastPosition]),
    );
  }, 30_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
