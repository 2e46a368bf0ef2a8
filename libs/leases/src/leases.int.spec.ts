import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropSchema, freshSchema, PG_URL, requirePostgres } from '@hub/event-store/testing/postgres';
import { openPostgresLeaseStore, openSqliteLeaseStore, type LeaseStore } from './lease-store';
import { SingleActive, type LeasedWorker } from './single-active';

interface Backend {
  readonly name: string;
  /** Two stores on the same storage, as two instances would have. */
  open(): Promise<{ a: LeaseStore; b: LeaseStore; cleanup: () => Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'leases-'));
      const file = join(dir, 'hub.sqlite');
      const a = openSqliteLeaseStore({ file });
      const b = openSqliteLeaseStore({ file });
      return {
        a,
        b,
        cleanup: async () => {
          await a.close();
          await b.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    open: async () => {
      await requirePostgres();
      const schema = freshSchema();
      const [a, b] = await Promise.all([
        openPostgresLeaseStore({ connectionString: PG_URL, schema }),
        openPostgresLeaseStore({ connectionString: PG_URL, schema }),
      ]);
      return {
        a,
        b,
        cleanup: async () => {
          await a.close();
          await b.close();
          await dropSchema(schema);
        },
      };
    },
  },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
  return Date.now() - start;
}

/** A worker that records what ran when, to show that two never run at once. */
function recorder(log: string[], who: string): () => LeasedWorker {
  return () => ({
    start: async () => {
      log.push(`${who}+`);
    },
    stop: async () => {
      log.push(`${who}-`);
    },
  });
}

describe.each(backends)('leases on $name', (backend) => {
  let stores: Awaited<ReturnType<Backend['open']>>;
  beforeEach(async () => {
    stores = await backend.open();
  });
  afterEach(async () => {
    await stores.cleanup();
  });

  it('grants one holder at a time, renews with the same token, and hands over with a higher one', async () => {
    const { a, b } = stores;
    const first = await a.acquire('projector', 'A', 200);
    expect(first).toEqual({ token: 1 });
    expect(await b.acquire('projector', 'B', 200)).toBeNull();
    expect(await a.acquire('projector', 'A', 200)).toEqual({ token: 1 });
    expect((await b.current('projector'))?.holder).toBe('A');
    // Another name is another lease.
    expect(await b.acquire('relay', 'B', 200)).toEqual({ token: 1 });
    await sleep(260);
    expect(await b.acquire('projector', 'B', 200)).toEqual({ token: 2 });
    expect(await a.acquire('projector', 'A', 200)).toBeNull();
    expect((await a.current('projector'))?.holder).toBe('B');
  });

  it('a lease the holder let lapse gets a new token even when the same holder takes it again', async () => {
    const { a } = stores;
    expect(await a.acquire('rules', 'A', 50)).toEqual({ token: 1 });
    await sleep(80);
    expect(await a.acquire('rules', 'A', 50)).toEqual({ token: 2 });
  });

  it('release hands the lease over at once', async () => {
    const { a, b } = stores;
    await a.acquire('relay', 'A', 60_000);
    expect(await b.acquire('relay', 'B', 60_000)).toBeNull();
    await a.release('relay', 'A');
    expect(await b.acquire('relay', 'B', 60_000)).toEqual({ token: 2 });
    // Releasing a lease one does not hold changes nothing.
    await a.release('relay', 'A');
    expect(await a.acquire('relay', 'A', 60_000)).toBeNull();
  });

  it('of many concurrent takers exactly one wins', async () => {
    const { a, b } = stores;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) => (n % 2 ? a : b).acquire('projector', `H${n}`, 60_000)),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it("SingleActive: when the holder's store hangs (a partition), its worker stops before the grant ends and the standby takes over within ttl + renew, never both at once", async () => {
    const { a, b } = stores;
    const log: string[] = [];
    const at: Record<string, number> = {};
    const timed = (who: string) => () => ({
      start: async () => {
        log.push(`${who}+`);
        at[`${who}+`] = Date.now();
      },
      stop: async () => {
        log.push(`${who}-`);
        at[`${who}-`] = Date.now();
      },
    });
    let partitioned = false;
    // Requests from instance one never come back once the partition starts, as over a silent network.
    const hanging: LeaseStore = {
      ...a,
      acquire: (name, holder, ttl) => (partitioned ? new Promise(() => undefined) : a.acquire(name, holder, ttl)),
    };
    const ttlMs = 400;
    const renewMs = 100;
    const one = new SingleActive({
      leases: hanging,
      name: 'rules',
      holder: 'one',
      ttlMs,
      renewMs,
      worker: timed('one'),
    });
    const two = new SingleActive({ leases: b, name: 'rules', holder: 'two', ttlMs, renewMs, worker: timed('two') });
    await one.start();
    await two.start();
    await sleep(3 * renewMs);
    expect(one.status()).toMatchObject({ state: 'active', token: 1 });
    expect(two.status().state).toBe('standby');

    const partitionedAt = Date.now();
    partitioned = true;
    const waited = await eventually(() => two.status().state === 'active', ttlMs + 3 * renewMs, 'the takeover');
    expect(waited).toBeLessThanOrEqual(ttlMs + 2 * renewMs);
    expect(two.status()).toMatchObject({ state: 'active', token: 2 });
    expect(one.status().state).toBe('standby');
    // One's worker stopped before its grant could end, and before two's started.
    expect((at['one-'] as number) - partitionedAt).toBeLessThan(ttlMs);
    expect(at['one-'] as number).toBeLessThanOrEqual(at['two+'] as number);
    await two.stop();
    expect(log).toEqual(['one+', 'one-', 'two+', 'two-']);
    await one.stop();
  });

  it('SingleActive: a worker whose start fails gives the lease up, and the instance tries again later', async () => {
    const { a, b } = stores;
    let fail = true;
    const attempts: string[] = [];
    const one = new SingleActive({
      leases: a,
      name: 'projector',
      holder: 'one',
      ttlMs: 400,
      renewMs: 100,
      worker: () => ({
        start: async () => {
          attempts.push('start');
          if (fail) throw new Error('read store not reachable');
        },
        stop: async () => undefined,
      }),
    });
    await one.start();
    expect(one.status().state).toBe('standby');
    // Given up at once: another instance can take it without waiting for the TTL.
    expect(await b.acquire('projector', 'two', 400)).not.toBeNull();
    await b.release('projector', 'two');
    fail = false;
    await eventually(() => one.status().state === 'active', 1000, 'a later start to succeed');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    await one.stop();
  });

  it('SingleActive: a clean stop releases the lease, so the standby takes over within one renew interval', async () => {
    const { a, b } = stores;
    const log: string[] = [];
    const one = new SingleActive({
      leases: a,
      name: 'relay',
      holder: 'one',
      ttlMs: 60_000,
      renewMs: 100,
      worker: recorder(log, 'one'),
    });
    const two = new SingleActive({
      leases: b,
      name: 'relay',
      holder: 'two',
      ttlMs: 60_000,
      renewMs: 100,
      worker: recorder(log, 'two'),
    });
    await one.start();
    await two.start();
    await one.stop();
    await eventually(() => two.status().state === 'active', 400, 'the takeover after a clean stop');
    await two.stop();
    expect(log).toEqual(['one+', 'one-', 'two+', 'two-']);
  });

  it('SingleActive: a holder that cannot reach the store stops its worker before its grant ends', async () => {
    const { a } = stores;
    const log: string[] = [];
    let down = false;
    const flaky: LeaseStore = {
      ...a,
      acquire: (name, holder, ttl) =>
        down ? Promise.reject(new Error('connection refused')) : a.acquire(name, holder, ttl),
    };
    const ttlMs = 400;
    const one = new SingleActive({
      leases: flaky,
      name: 'projector',
      holder: 'one',
      ttlMs,
      renewMs: 100,
      worker: recorder(log, 'one'),
    });
    await one.start();
    expect(one.status().state).toBe('active');
    const lastGrant = Date.now();
    down = true;
    await eventually(() => one.status().state === 'standby', ttlMs, 'the worker to stop');
    // Stopped while the store still counts the grant as held: no other instance can have started meanwhile.
    expect(Date.now() - lastGrant).toBeLessThan(ttlMs);
    expect(one.status().storeErrors).toBeGreaterThan(0);
    down = false;
    await eventually(() => one.status().state === 'active', 2 * ttlMs, 'the worker to come back');
    await one.stop();
    expect(log).toEqual(['one+', 'one-', 'one+', 'one-']);
  });
});
