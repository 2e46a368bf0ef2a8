import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore, type EventStore } from '@hub/event-store';
import Database from 'better-sqlite3';
import { openSqliteCheckpointStore, type CheckpointStore } from './checkpoint.store';
import { CE } from './cloudevents';
import type { OutboundRecord, Publisher } from './publisher.port';
import { startRelay } from './relay';
import { superviseRelay, type SupervisedRelay } from './relay-supervisor';
import { domainWriter, helIndsats, nyIndsats } from './testing/domain-writer';
import { eventually } from './testing/mock-cluster.config';
import { topicNames } from './topics';

/** The relay's supervision without a broker: a publisher and a checkpoint store that fail on demand. */
describe('a supervised relay', () => {
  let dir: string;
  let store: EventStore;
  let supervised: SupervisedRelay | undefined;
  const topics = topicNames('sup.');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'relay-sup-'));
    store = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  });
  afterEach(async () => {
    await supervised?.stop();
    supervised = undefined;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const memoryCheckpoints = (failSaves: number): CheckpointStore & { position: number; failures: number } => {
    const c = {
      position: 0,
      failures: failSaves,
      load: async () => c.position,
      save: async (position: number) => {
        if (c.failures > 0) {
          c.failures -= 1;
          throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
        }
        c.position = position;
      },
      close: async () => undefined,
    };
    return c;
  };
  const collecting = (refuse: (records: readonly OutboundRecord[]) => unknown = () => undefined) => {
    const sent: OutboundRecord[] = [];
    const publisher: Publisher & { sent: OutboundRecord[] } = {
      sent,
      send: async (records) => {
        const error = refuse(records);
        if (error) throw error;
        sent.push(...records);
      },
      close: async () => undefined,
    };
    return publisher;
  };
  const supervise = (publisher: Publisher, checkpoints: CheckpointStore) =>
    (supervised = superviseRelay(
      () =>
        startRelay({
          store,
          publisher,
          checkpoints,
          topics,
          source: 'urn:test',
          laesCpr: () => null,
          maxRecordsPerSend: 1,
          retry: { initialMs: 10, maxMs: 40 },
        }),
      { retry: { initialMs: 10, maxMs: 40 } },
    ));

  it('restarts a relay whose checkpoint write failed, from its checkpoint, and catches up', async () => {
    await helIndsats(domainWriter(store), nyIndsats());
    const checkpoints = memoryCheckpoints(2);
    const relay = supervise(collecting(), checkpoints);
    await eventually(
      () => relay.lag(),
      (lag) => lag === 0,
      10_000,
      'caught up',
    );
    expect(relay.health()).toMatchObject({ state: 'ok', restarts: 2 });
    expect(checkpoints.position).toBe(await store.headPosition());
  });

  it('reports down, with the error code only, while the checkpoint cannot be written, and keeps restarting', async () => {
    await helIndsats(domainWriter(store), nyIndsats());
    const relay = supervise(collecting(), memoryCheckpoints(Number.MAX_SAFE_INTEGER));
    const health = await eventually(
      async () => relay.health(),
      (h) => h.restarts >= 2,
      10_000,
      'restarted twice',
    );
    expect(health).toMatchObject({ state: 'down', code: 'SQLITE_IOERR' });
    expect(JSON.stringify(health)).not.toContain('disk I/O error');
    expect(await relay.lag()).toBe(await store.headPosition());
  });

  it('backs off further while a relay past position 0 keeps failing without progress', async () => {
    await helIndsats(domainWriter(store), nyIndsats());
    const checkpoints = memoryCheckpoints(Number.MAX_SAFE_INTEGER);
    checkpoints.position = 3;
    supervised = superviseRelay(
      () =>
        startRelay({
          store,
          publisher: collecting(),
          checkpoints,
          topics,
          source: 'urn:test',
          laesCpr: () => null,
          maxRecordsPerSend: 1,
        }),
      { retry: { initialMs: 20, maxMs: 10_000 } },
    );
    await new Promise((r) => setTimeout(r, 1000));
    // 20, 40, 80, 160, 320 ms …: about five restarts in a second; without the back-off growing, one every 20 ms.
    expect(supervised.health().restarts).toBeLessThanOrEqual(6);
    expect(supervised.health().restarts).toBeGreaterThanOrEqual(2);
  });

  it('stays stopped and reports blocked at an event it cannot map', async () => {
    await helIndsats(domainWriter(store), nyIndsats());
    const head = await store.headPosition();
    await store.appendToStream(
      `bestilling-${randomUUID()}`,
      [
        {
          eventId: randomUUID(),
          type: 'BestillingOmdoebt',
          data: { navn: 'personal data' },
          metadata: {
            schemaVersion: 1,
            occurredAt: new Date().toISOString(),
            correlationId: randomUUID(),
            causationId: randomUUID(),
            actor: { party: 'myndighed', subject: 'x' },
          },
        },
      ],
      { expectedRevision: 'any' },
    );
    const relay = supervise(collecting(), memoryCheckpoints(0));
    const health = await eventually(
      async () => relay.health(),
      (h) => h.state === 'blocked',
      10_000,
      'blocked',
    );
    expect(health).toMatchObject({ code: 'BestillingOmdoebt', position: head + 1, checkpoint: head, restarts: 0 });
    expect(JSON.stringify(health)).not.toContain('personal data');
  });

  it('reports down while the broker leaves a send unacknowledged (away, frozen), and ok once it answers', async () => {
    await helIndsats(domainWriter(store), nyIndsats('0101', 'tilbud-1'));
    let answer: (() => void) | undefined;
    const publisher: Publisher = {
      // The first send hangs as it would against a frozen broker, until the test lets it through.
      send: () => new Promise<void>((resolve) => (answer ??= resolve)),
      close: async () => undefined,
    };
    supervised = superviseRelay(
      () =>
        startRelay({
          store,
          publisher,
          checkpoints: memoryCheckpoints(0),
          topics,
          source: 'urn:test',
          laesCpr: () => null,
        }),
      { unacknowledgedMs: 300 },
    );
    const relay = supervised;
    expect(relay.health().state).toBe('ok');
    const down = await eventually(
      async () => relay.health(),
      (h) => h.state === 'down',
      5_000,
      'down',
    );
    expect(down).toMatchObject({ code: 'KAFKA.UBESVARET', checkpoint: 0 });
    expect(down.waitingSince).toBeLessThanOrEqual(Date.now() - 300);
    (answer as () => void)();
    await eventually(
      () => relay.lag(),
      (lag) => lag === 0,
      10_000,
      'caught up',
    );
    expect(relay.health().state).toBe('ok');
  });

  it('reports blocked at the position and topic of a send the broker refuses, and goes on once it is accepted', async () => {
    const writer = domainWriter(store);
    await helIndsats(writer, nyIndsats('0101', 'tilbud-1'));
    const first = await store.headPosition();
    await helIndsats(writer, nyIndsats('0202', 'tilbud-2'));
    let refusing = true;
    const tooLarge = Object.assign(new Error('The request included a message larger than the max message size'), {
      type: 'MESSAGE_TOO_LARGE',
    });
    const publisher = collecting((records) =>
      refusing && records.some((r) => r.topic.includes('0202') || r.topic.includes('tilbud-2')) ? tooLarge : undefined,
    );
    const relay = supervise(publisher, memoryCheckpoints(0));
    const health = await eventually(
      async () => relay.health(),
      (h) => h.state === 'blocked',
      10_000,
      'blocked',
    );
    expect(health).toMatchObject({ code: 'MESSAGE_TOO_LARGE', position: first + 1, checkpoint: first });
    expect(health.topics?.length).toBeGreaterThan(0);
    expect(await relay.lag()).toBe((await store.headPosition()) - first);
    refusing = false;
    await eventually(
      () => relay.lag(),
      (lag) => lag === 0,
      10_000,
      'caught up',
    );
    expect(relay.health().state).toBe('ok');
  });

  it('refuses to follow a store that is not the one its checkpoint was written against, and resumes on the right one', async () => {
    await helIndsats(domainWriter(store), nyIndsats());
    const checkpointFile = join(dir, 'kafka.sqlite');
    const first = openSqliteCheckpointStore({ file: checkpointFile, name: 'relay' });
    const relay = supervise(collecting(), first);
    await eventually(
      () => relay.lag(),
      (lag) => lag === 0,
      10_000,
      'caught up',
    );
    await relay.stop();
    const head = await store.headPosition();
    expect(await first.load()).toBe(head);
    await first.close();

    // A store restored from an older copy, or reset and written again: events at the same positions, other ids.
    const original = store;
    store = openSqliteEventStore({ file: join(dir, 'other.sqlite') });
    await helIndsats(domainWriter(store), nyIndsats());
    await helIndsats(domainWriter(store), nyIndsats());
    expect(await store.headPosition()).toBeGreaterThan(head);
    const checkpoints = openSqliteCheckpointStore({ file: checkpointFile, name: 'relay' });
    const publisher = collecting();
    const refused = supervise(publisher, checkpoints);
    const health = await eventually(
      async () => refused.health(),
      (h) => h.state === 'blocked',
      10_000,
      'blocked',
    );
    expect(health).toMatchObject({ code: 'CHECKPOINT_MISMATCH', position: head, restarts: 0 });
    expect(publisher.sent).toHaveLength(0);
    expect(await checkpoints.load()).toBe(head);
    await refused.stop();
    await store.close();

    // The store it was written against: the relay goes on from the checkpoint.
    store = original;
    await helIndsats(domainWriter(store), nyIndsats());
    const again = supervise(publisher, checkpoints);
    await eventually(
      () => again.lag(),
      (lag) => lag === 0,
      10_000,
      'caught up again',
    );
    expect(again.health().state).toBe('ok');
    expect(publisher.sent.length).toBeGreaterThan(0);
    expect(await checkpoints.load()).toBe(await store.headPosition());
    await checkpoints.close();
  });

  it('gives a checkpoint file from before the event id was recorded the column, and starts checking at its next save', async () => {
    await helIndsats(domainWriter(store), nyIndsats());
    const file = join(dir, 'old.sqlite');
    const old = new Database(file);
    old.exec('CREATE TABLE checkpoint (name TEXT PRIMARY KEY, position INTEGER NOT NULL, updated_at TEXT NOT NULL)');
    old.prepare('INSERT INTO checkpoint VALUES (?, ?, ?)').run('relay', 2, new Date().toISOString());
    await old.close();
    const checkpoints = openSqliteCheckpointStore({ file, name: 'relay' });
    expect(await checkpoints.load()).toBe(2);
    expect(await checkpoints.loadEventId?.()).toBeNull();
    const publisher = collecting();
    const relay = supervise(publisher, checkpoints);
    await eventually(
      () => relay.lag(),
      (lag) => lag === 0,
      10_000,
      'caught up',
    );
    const head = await store.headPosition();
    const [last] = await store.readAll({ after: head - 1, maxCount: 1 });
    expect(await checkpoints.loadEventId?.()).toBe(last?.eventId);
    expect(new Set(publisher.sent.map((r) => r.headers[CE.id]))).not.toContain(
      (await store.readAll({ maxCount: 1 }))[0]?.eventId,
    );
    await checkpoints.close();
  });
});
