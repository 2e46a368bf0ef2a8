import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { StartedTestContainer } from 'testcontainers';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { describeTarget } from './kurrentdb-errors';
import { openKurrentDbEventStore } from './kurrentdb.event-store';

/**
 * Runs the event store contract against KurrentDB (docs/adr/0010): against HUB_KURRENTDB_URL when set, else against a
 * throwaway server started with testcontainers when a container runtime exists, else skipped with the reason printed.
 * Each test gets a fresh namespace (its own log stream), so every test sees an empty store on a shared server.
 */
const IMAGE = 'docker.kurrent.io/kurrent-latest/kurrentdb:25.1';
const url = process.env['HUB_KURRENTDB_URL'];

type Plan =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'container' }
  | { readonly kind: 'skip'; readonly reason: string };

/** Jest defines tests synchronously, so the (async) runtime check runs in a child process, once per run of this file. */
function containerRuntimeProblem(): string | null {
  try {
    execFileSync(
      process.execPath,
      [
        '-e',
        "require('testcontainers').getContainerRuntimeClient().then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); })",
      ],
      { cwd: __dirname, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 },
    );
    return null;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return stderr || String(error);
  }
}

function decide(): Plan {
  if (url) return { kind: 'url', url };
  const problem = containerRuntimeProblem();
  if (problem === null) return { kind: 'container' };
  return {
    kind: 'skip',
    reason:
      'KurrentDB event store contract SKIPPED: HUB_KURRENTDB_URL is not set and no Docker/container runtime was found ' +
      `for testcontainers (${problem}). Run it with HUB_KURRENTDB_URL=kurrentdb://localhost:2113?tls=false ` +
      '(KurrentDB 25.1 or later).',
  };
}

const plan = decide();

if (plan.kind === 'skip') {
  console.warn(plan.reason);

  describe('KurrentDB event store', () => {
    it('is skipped on this machine, and says why', () => {
      expect(plan.reason).toMatch(/HUB_KURRENTDB_URL/);
      expect(plan.reason).toMatch(/Docker/);
    });
  });

  describe.skip('EventStore contract: kurrentdb (needs HUB_KURRENTDB_URL or Docker)', () => {
    it('runs the contract suite', () => undefined);
  });
} else {
  jest.setTimeout(60_000);
  let connectionString = plan.kind === 'url' ? plan.url : '';
  let container: StartedTestContainer | undefined;

  beforeAll(async () => {
    if (plan.kind === 'container') {
      const { GenericContainer, Wait } = await import('testcontainers');
      container = await new GenericContainer(IMAGE)
        .withEnvironment({ KURRENTDB_INSECURE: 'true', KURRENTDB_CLUSTER_SIZE: '1', KURRENTDB_MEM_DB: 'true' })
        .withExposedPorts(2113)
        .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCode(204))
        .start();
      connectionString = `kurrentdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
    }
    const probe = openKurrentDbEventStore({ connectionString, namespace: 'probe' });
    try {
      await Promise.race([
        probe.headPosition(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 15 s')), 15_000)),
      ]);
    } catch (error) {
      throw new Error(
        `KurrentDB at ${describeTarget(connectionString)} (${plan.kind === 'url' ? 'HUB_KURRENTDB_URL' : IMAGE}) does ` +
          `not answer, so the contract cannot run: ${(error as Error).message}`,
      );
    } finally {
      await probe.close();
    }
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  describeEventStoreContract('kurrentdb', async () => {
    const namespace = `t${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const open = () => openKurrentDbEventStore({ connectionString, namespace });
    return { store: open(), reopen: async () => open(), cleanup: async () => undefined };
  });
}
