import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import { openProcessedMessages, type ProcessedMessages, type ProcessedMessagesLocation } from './processed-messages';

/** One store location per test, opened as often as the test likes. */
interface Location {
  readonly location: ProcessedMessagesLocation;
  cleanup(): Promise<void>;
}

async function sqliteLocation(): Promise<Location> {
  const dir = mkdtempSync(join(tmpdir(), 'processed-'));
  return {
    location: { kind: 'sqlite', file: join(dir, 'kafka.sqlite') },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresLocation(): Promise<Location> {
  await requirePostgres();
  const schema = `api_${randomBytes(6).toString('hex')}`;
  return { location: { kind: 'postgres', connectionString: PG_URL, schema }, cleanup: () => dropSchema(schema) };
}

const TOPIC = 'ffb.kommando.myndighed.0101.v1';

describe.each([
  ['SQLite', sqliteLocation],
  ['PostgreSQL', postgresLocation],
])('Processed message ids on %s', (_name, makeLocation) => {
  let where: Location;
  let time: string;
  const opened: ProcessedMessages[] = [];
  const open = async () => {
    const store = await openProcessedMessages(where.location, { now: () => time });
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    where = await makeLocation();
    time = '2025-01-01T00:00:00.000Z';
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await where.cleanup();
  });

  it('a new id is new; begun again before it finished it is unfinished, also after a restart', async () => {
    const store = await open();
    expect(await store.begin(TOPIC, 'm1')).toBe('new');
    expect(await store.begin(TOPIC, 'm1')).toBe('unfinished');
    await store.close();
    expect(await (await open()).begin(TOPIC, 'm1')).toBe('unfinished');
  });

  it('a finished id is done or dead from then on, also after a restart', async () => {
    const store = await open();
    await store.begin(TOPIC, 'ok');
    await store.finish(TOPIC, 'ok', 'done', null);
    await store.begin(TOPIC, 'bad');
    await store.finish(TOPIC, 'bad', 'dead', 'BESTILLING.UGYLDIG');
    expect(await store.begin(TOPIC, 'ok')).toBe('done');
    expect(await store.begin(TOPIC, 'bad')).toBe('dead');
    await store.close();
    const reopened = await open();
    expect(await reopened.begin(TOPIC, 'ok')).toBe('done');
    expect(await reopened.begin(TOPIC, 'bad')).toBe('dead');
  });

  it('keeps ids apart per topic (CloudEvents ids are unique per sender only)', async () => {
    const store = await open();
    await store.begin(TOPIC, 'm1');
    await store.finish(TOPIC, 'm1', 'done', null);
    expect(await store.begin('ffb.kommando.myndighed.0147.v1', 'm1')).toBe('new');
  });

  it('prunes finished ids older than the cut-off, never pending ones', async () => {
    const store = await open();
    await store.begin(TOPIC, 'old-done');
    await store.finish(TOPIC, 'old-done', 'done', null);
    await store.begin(TOPIC, 'old-pending');
    time = '2025-02-01T00:00:00.000Z';
    await store.begin(TOPIC, 'young');
    await store.finish(TOPIC, 'young', 'dead', 'X');
    expect(await store.prune('2025-01-15T00:00:00.000Z')).toBe(1);
    expect(await store.begin(TOPIC, 'old-done')).toBe('new');
    expect(await store.begin(TOPIC, 'old-pending')).toBe('unfinished');
    expect(await store.begin(TOPIC, 'young')).toBe('dead');
  });

  it('two consumers beginning the same ids at once: one new, one unfinished per id', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const ids = Array.from({ length: 20 }, (_, i) => `m${i}`);
    const begun = await Promise.all(
      ids.flatMap((id) => [a, b].map(async (s) => ({ id, result: await (s as ProcessedMessages).begin(TOPIC, id) }))),
    );
    for (const id of ids) {
      expect(
        begun
          .filter((r) => r.id === id)
          .map((r) => r.result)
          .sort(),
      ).toEqual(['new', 'unfinished']);
    }
  });
});
