/**
 * A separate OS process for postgres.event-store.int.spec.ts: its own pool on the same schema, so the tests meet
 * real concurrent writers (and concurrent first opens of a new schema), which one process cannot produce.
 * Started as `node -r @swc-node/register postgres-child.process.ts '<job as JSON>'`; prints one JSON line as result.
 * A `write` job prints `ready`, then waits for a line on stdin, so all writers open the schema and start together.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { EventStore, ExpectedRevision } from '../../event-store.port';
import { openPostgresEventStore } from '../postgres.event-store';

export interface ChildJob {
  readonly kind: 'write';
  readonly connectionString: string;
  readonly schema: string;
  readonly sharedStream: string;
  readonly ownStream: string;
  readonly appends: number;
}

export interface ChildAppend {
  readonly streamId: string;
  readonly eventIds: readonly string[];
  readonly lastPosition: number;
}

export type ChildResult =
  | { readonly kind: 'appended'; readonly appends: readonly ChildAppend[]; readonly conflicts: number }
  | { readonly kind: 'failed'; readonly name: string; readonly code: string; readonly message: string };

const event = (n: number) => ({
  eventId: randomUUID(),
  type: 'ProeveRegistreret',
  data: { pid: process.pid, n, note: 'skrevet af en anden proces' },
  metadata: {
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: { party: 'myndighed', subject: `pid-${process.pid}` },
  },
});

async function appendWithRetry(
  store: EventStore,
  streamId: string,
  events: ReturnType<typeof event>[],
): Promise<{ lastPosition: number; conflicts: number }> {
  let conflicts = 0;
  for (;;) {
    const stream = await store.readStream(streamId);
    const last = stream[stream.length - 1];
    const expectedRevision: ExpectedRevision = last ? last.revision : 'no_stream';
    try {
      // Retrying with the same event ids: had an earlier attempt been written, this would be a no-op.
      const result = await store.appendToStream(streamId, events, { expectedRevision });
      return { lastPosition: result.lastPosition, conflicts };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EVENT_STORE.WRONG_EXPECTED_REVISION') throw error;
      conflicts += 1;
    }
  }
}

async function waitForGo(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();
}

async function run(job: ChildJob): Promise<ChildResult> {
  process.stdout.write('ready\n');
  await waitForGo();
  // Opening after the go signal makes the writers also create the new schema at the same moment.
  const store = await openPostgresEventStore({
    connectionString: job.connectionString,
    schema: job.schema,
    poolSize: 4,
  });
  try {
    const appends: ChildAppend[] = [];
    let conflicts = 0;
    let ownRevision: ExpectedRevision = 'no_stream';
    // Several appends in flight per process, so the processes' transactions overlap even on two cores.
    const lanes = Array.from({ length: 3 }, async (_, lane) => {
      for (let n = lane; n < job.appends; n += 3) {
        const shared = Array.from({ length: 1 + (n % 3) }, (_, k) => event(n * 10 + k));
        const sharedResult = await appendWithRetry(store, job.sharedStream, shared);
        conflicts += sharedResult.conflicts;
        appends.push({
          streamId: job.sharedStream,
          eventIds: shared.map((e) => e.eventId),
          lastPosition: sharedResult.lastPosition,
        });
      }
    });
    const own = (async () => {
      for (let n = 0; n < job.appends; n++) {
        const events = [event(n), event(n + 0.5)];
        const result = await store.appendToStream(job.ownStream, events, { expectedRevision: ownRevision });
        ownRevision = result.nextRevision;
        appends.push({
          streamId: job.ownStream,
          eventIds: events.map((e) => e.eventId),
          lastPosition: result.lastPosition,
        });
      }
    })();
    await Promise.all([...lanes, own]);
    return { kind: 'appended', appends, conflicts };
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
  let result: ChildResult;
  try {
    result = await run(job);
  } catch (error) {
    const { name, code, message } = error as { name?: string; code?: string; message?: string };
    result = { kind: 'failed', name: name ?? 'Error', code: code ?? 'unknown', message: message ?? String(error) };
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) void main();
