import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import type { StoreLocation } from '@hub/event-store';
import { openIdempotencyStore, type IdempotencyOptions, type IdempotencyStore } from './idempotency.store';

/** One store location per test, opened as often as the test likes. */
interface Location {
  readonly location: StoreLocation;
  cleanup(): Promise<void>;
}

async function sqliteLocation(): Promise<Location> {
  const dir = mkdtempSync(join(tmpdir(), 'idempotency-'));
  return {
    location: { kind: 'sqlite', file: join(dir, 'hub.sqlite') },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresLocation(): Promise<Location> {
  await requirePostgres();
  const schema = `api_${randomBytes(6).toString('hex')}`;
  return { location: { kind: 'postgres', connectionString: PG_URL, schema }, cleanup: () => dropSchema(schema) };
}

const response = { status: 201, body: '{"id":"a"}', headers: { 'Content-Type': 'application/json', ETag: '"0"' } };

describe.each([
  ['SQLite', sqliteLocation],
  ['PostgreSQL', postgresLocation],
])('Idempotency-Key store on %s', (_name, makeLocation) => {
  let where: Location;
  let time: number;
  const opened: IdempotencyStore[] = [];
  const open = async (options: IdempotencyOptions = {}) => {
    const store = await openIdempotencyStore(where.location, {
      clock: () => time,
      staleClaimMs: 60_000,
      retentionMs: 3600_000,
      ...options,
    });
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    where = await makeLocation();
    time = 1_700_000_000_000;
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await where.cleanup();
  });

  it('claims a new key, answers in_progress while it runs, then replays the stored response, also after a restart', async () => {
    const store = await open();
    expect(await store.begin('scope', 'k1', 'h1')).toEqual({ kind: 'new' });
    expect(await store.begin('scope', 'k1', 'h1')).toEqual({ kind: 'in_progress' });
    await store.finish('scope', 'k1', response);
    expect(await store.begin('scope', 'k1', 'h1')).toEqual({ kind: 'replay', response });
    await store.close();
    expect(await (await open()).begin('scope', 'k1', 'h1')).toEqual({ kind: 'replay', response });
  });

  it('refuses the key for another request (mismatch), pending or finished', async () => {
    const store = await open();
    await store.begin('scope', 'k1', 'h1');
    expect(await store.begin('scope', 'k1', 'h2')).toEqual({ kind: 'mismatch' });
    await store.finish('scope', 'k1', response);
    expect(await store.begin('scope', 'k1', 'h2')).toEqual({ kind: 'mismatch' });
  });

  it('keeps keys apart per scope', async () => {
    const store = await open();
    await store.begin('a', 'k1', 'h1');
    await store.finish('a', 'k1', response);
    expect(await store.begin('b', 'k1', 'h2')).toEqual({ kind: 'new' });
  });

  it('gives an abandoned key back for a retry, but never a finished one', async () => {
    const store = await open();
    await store.begin('scope', 'k1', 'h1');
    await store.abandon('scope', 'k1');
    expect(await store.begin('scope', 'k1', 'h1')).toEqual({ kind: 'new' });
    await store.finish('scope', 'k1', response);
    await store.abandon('scope', 'k1');
    expect(await store.begin('scope', 'k1', 'h1')).toEqual({ kind: 'replay', response });
  });

  it('lets one retry take over a claim whose request died (older than staleClaimMs)', async () => {
    const store = await open();
    await store.begin('scope', 'k1', 'h1');
    time += 60_000;
    expect(await store.begin('scope', 'k1', 'h1')).toEqual({ kind: 'in_progress' });
    time += 1;
    expect(await store.begin('scope', 'k1', 'h1')).toEqual({ kind: 'new' });
    expect(await store.begin('scope', 'k1', 'h1')).toEqual({ kind: 'in_progress' });
  });

  it('forgets records older than the retention when it opens', async () => {
    const store = await open();
    await store.begin('scope', 'old', 'h1');
    await store.finish('scope', 'old', response);
    time += 1800_000;
    await store.begin('scope', 'young', 'h1');
    await store.finish('scope', 'young', response);
    await store.close();
    time += 1800_001;
    const reopened = await open();
    expect(await reopened.begin('scope', 'old', 'h1')).toEqual({ kind: 'new' });
    expect(await reopened.begin('scope', 'young', 'h1')).toEqual({ kind: 'replay', response });
  });

  it('two instances claiming the same keys at once: one new, one in_progress per key', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const starts = await Promise.all(
      keys.flatMap((key) =>
        [a, b].map(async (s) => ({ key, ...(await (s as IdempotencyStore).begin('x', key, 'h')) })),
      ),
    );
    for (const key of keys) {
      expect(
        starts
          .filter((s) => s.key === key)
          .map((s) => s.kind)
          .sort(),
      ).toEqual(['in_progress', 'new']);
    }
  });

  it('two instances taking over the same stale claim at once: one new, one in_progress', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    for (const key of keys) await (a as IdempotencyStore).begin('x', key, 'h');
    time += 60_001;
    const starts = await Promise.all(
      keys.flatMap((key) =>
        [a, b].map(async (s) => ({ key, ...(await (s as IdempotencyStore).begin('x', key, 'h')) })),
      ),
    );
    for (const key of keys) {
      expect(
        starts
          .filter((s) => s.key === key)
          .map((s) => s.kind)
          .sort(),
      ).toEqual(['in_progress', 'new']);
    }
  });
});
