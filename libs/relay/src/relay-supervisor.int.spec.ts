import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore, type EventStore } from '@hub/event-store';
import type { CheckpointStore } from './checkpoint.store';
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
      load: () => c.position,
      save: (position: number) => {
        if (c.failures > 0) {
          c.failures -= 1;
          throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
        }
        c.position = position;
      },
      close: () => undefined,
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
});
