/**
 * A separate OS process for sqlite.event-store.int.spec.ts: it opens its own connection to the same file, so the
 * tests exercise SQLite's file locking and the poll path of subscriptions, which one process cannot.
 * Started as `node -r @swc-node/register sqlite-child.process.ts '<job as JSON>'`; prints one JSON line as result.
 * A `write` job prints `ready`, then waits for a line on stdin, so all writers open the file and start together.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { EventStore, ExpectedRevision } from '../../event-store.port';
import { openSqliteEventStore } from '../sqlite.event-store';

export type ChildJob =
  | {
      readonly kind: 'write';
      readonly file: string;
      readonly sharedStream: string;
      readonly ownStream: string;
      readonly appends: number;
    }
  | {
      readonly kind: 'append';
      readonly file: string;
      readonly streamId: string;
      readonly count: number;
      readonly delayMs: number;
    }
  | { readonly kind: 'open'; readonly file: string };

export interface ChildAppend {
  readonly streamId: string;
  readonly eventIds: readonly string[];
  readonly lastPosition: number;
}

export type ChildResult =
  | { readonly kind: 'appended'; readonly appends: readonly ChildAppend[]; readonly conflicts: number }
  | { readonly kind: 'opened'; readonly head: number }
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
  if (job.kind === 'write') {
    // Opening after the go signal makes the writers also create the new file's schema at the same moment.
    process.stdout.write('ready\n');
    await waitForGo();
  }
  const store = openSqliteEventStore({ file: job.file, pollIntervalMs: 20 });
  try {
    switch (job.kind) {
      case 'open':
        return { kind: 'opened', head: await store.headPosition() };
      case 'append': {
        const appends: ChildAppend[] = [];
        for (let n = 0; n < job.count; n++) {
          await new Promise((resolve) => setTimeout(resolve, job.delayMs));
          const events = [event(n)];
          const result = await store.appendToStream(job.streamId, events, { expectedRevision: 'any' });
          appends.push({
            streamId: job.streamId,
            eventIds: events.map((e) => e.eventId),
            lastPosition: result.lastPosition,
          });
        }
        return { kind: 'appended', appends, conflicts: 0 };
      }
      case 'write': {
        const appends: ChildAppend[] = [];
        let conflicts = 0;
        let ownRevision: ExpectedRevision = 'no_stream';
        for (let n = 0; n < job.appends; n++) {
          const shared = Array.from({ length: 1 + (n % 3) }, (_, k) => event(n * 10 + k));
          const sharedResult = await appendWithRetry(store, job.sharedStream, shared);
          conflicts += sharedResult.conflicts;
          appends.push({
            streamId: job.sharedStream,
            eventIds: shared.map((e) => e.eventId),
            lastPosition: sharedResult.lastPosition,
          });
          const own = [event(n)];
          const ownResult = await store.appendToStream(job.ownStream, own, { expectedRevision: ownRevision });
          ownRevision = ownResult.nextRevision;
          appends.push({
            streamId: job.ownStream,
            eventIds: own.map((e) => e.eventId),
            lastPosition: ownResult.lastPosition,
          });
        }
        return { kind: 'appended', appends, conflicts };
      }
    }
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
