import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, freshSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import {
  CheckpointMovedError,
  openPostgresCheckpointStore,
  openSqliteCheckpointStore,
  type CheckpointStore,
} from './checkpoint.store';

type Open = () => Promise<{
  a: CheckpointStore;
  b: CheckpointStore;
  other: CheckpointStore;
  cleanup: () => Promise<void>;
}>;

const backends: [string, Open][] = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'checkpoint-'));
      const file = join(dir, 'kafka.sqlite');
      const a = openSqliteCheckpointStore({ file, name: 'relay' });
      const b = openSqliteCheckpointStore({ file, name: 'relay' });
      const other = openSqliteCheckpointStore({ file, name: 'andet' });
      return {
        a,
        b,
        other,
        cleanup: async () => {
          for (const s of [a, b, other]) await s.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'postgres',
    async () => {
      await requirePostgres();
      const schema = freshSchema();
      const a = await openPostgresCheckpointStore({ connectionString: PG_URL, schema, name: 'relay' });
      const b = await openPostgresCheckpointStore({ connectionString: PG_URL, schema, name: 'relay' });
      const other = await openPostgresCheckpointStore({ connectionString: PG_URL, schema, name: 'andet' });
      return {
        a,
        b,
        other,
        cleanup: async () => {
          for (const s of [a, b, other]) await s.close();
          await dropSchema(schema);
        },
      };
    },
  ],
];

describe.each(backends)('checkpoint store on %s', (_name, open) => {
  let stores: Awaited<ReturnType<Open>>;
  beforeEach(async () => (stores = await open()));
  afterEach(() => stores.cleanup());

  it('starts at 0, keeps position and event id per worker name, and is read by another connection', async () => {
    const { a, b, other } = stores;
    expect(await a.load()).toBe(0);
    expect(await a.loadEventId?.()).toBeNull();
    await a.save(7, 'e7', 0);
    await a.save(9, 'e9', 7);
    expect(await b.load()).toBe(9);
    expect(await b.loadEventId?.()).toBe('e9');
    expect(await other.load()).toBe(0);
  });

  it('a save from a position the checkpoint has left is refused and writes nothing', async () => {
    const { a, b } = stores;
    await a.save(5, 'e5', 0);
    await b.save(8, 'e8', 5);
    // `a` still believes the checkpoint is 5: another instance (b) moved it.
    await expect(a.save(6, 'e6', 5)).rejects.toBeInstanceOf(CheckpointMovedError);
    // A first save racing another first save: one of them wins.
    await expect(a.save(3, 'e3', 0)).rejects.toBeInstanceOf(CheckpointMovedError);
    expect(await a.load()).toBe(8);
    expect(await a.loadEventId?.()).toBe('e8');
  });

  it('of two instances saving from the same position concurrently exactly one succeeds', async () => {
    const { a, b } = stores;
    await a.save(10, 'e10', 0);
    const results = await Promise.allSettled([a.save(12, 'a12', 10), b.save(11, 'b11', 10)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect([11, 12]).toContain(await a.load());
  });
});
