import { StoreUnavailableError } from '@hub/event-store';
import { topicNames } from '../topics';
import { PermanentMessageError, startInboundConsumer, type CommandMessage } from './inbound-consumer';
import type { InboundDelivery, InboundMessage } from './inbound-source.port';
import type { BeginResult, ProcessedMessages } from './processed-messages';

const topics = topicNames();
const TOPIC = topics.commands({ party: 'myndighed', id: '0101' });

/** An in-memory record of ids whose store is down for the first `outage` calls of begin and of finish. */
function flakyProcessed(outage: number) {
  const states = new Map<string, 'pending' | 'done' | 'dead'>();
  const failures = { begin: outage, finish: outage };
  const down = (call: 'begin' | 'finish') => {
    if (failures[call] > 0) {
      failures[call] -= 1;
      throw new StoreUnavailableError('simulated PostgreSQL failover');
    }
  };
  const store: ProcessedMessages = {
    async begin(topic, id): Promise<BeginResult> {
      down('begin');
      const state = states.get(`${topic}/${id}`);
      if (state === undefined) {
        states.set(`${topic}/${id}`, 'pending');
        return 'new';
      }
      return state === 'pending' ? 'unfinished' : state;
    },
    async finish(topic, id, state) {
      down('finish');
      states.set(`${topic}/${id}`, state);
    },
    prune: async () => 0,
    close: async () => undefined,
  };
  return { store, states, failures };
}

async function consumerWith(processed: ProcessedMessages, handler: (command: CommandMessage) => Promise<void>) {
  let deliver: ((message: InboundMessage, delivery: InboundDelivery) => Promise<void>) | undefined;
  const sent: unknown[] = [];
  const consumer = await startInboundConsumer({
    source: {
      start: async (_pattern, handle) => {
        deliver = handle;
      },
      stop: async () => undefined,
    },
    publisher: { send: async (records) => void sent.push(...records), close: async () => undefined },
    processed,
    topics,
    handler,
    retry: { initialMs: 1, maxMs: 2 },
  });
  const message = (id: string): InboundMessage => ({
    topic: TOPIC,
    partition: 0,
    offset: '0',
    key: 'k',
    value: Buffer.from('{}'),
    headers: { ce_specversion: '1.0', ce_id: id, ce_type: 'dk.ffb.kommando.test.v1' },
  });
  const send = (id: string) =>
    (deliver as NonNullable<typeof deliver>)(message(id), { heartbeat: async () => undefined });
  return { consumer, send, sent };
}

describe('the inbound consumer while its processed message ids are unavailable', () => {
  it('waits for the store, applies the command once and records it done, without a dead letter', async () => {
    const { store, states, failures } = flakyProcessed(3);
    const applied: string[] = [];
    const { consumer, send, sent } = await consumerWith(store, async (command) => void applied.push(command.id));
    await send('m1');
    expect(applied).toEqual(['m1']);
    expect(failures).toEqual({ begin: 0, finish: 0 });
    expect(states.get(`${TOPIC}/m1`)).toBe('done');
    expect(consumer.stats()).toMatchObject({ applied: 1, deadLettered: 0, retries: 6 });
    expect(sent).toEqual([]);
    await send('m1');
    expect(applied).toEqual(['m1']);
    expect(consumer.stats()).toMatchObject({ applied: 1, duplicates: 1 });
    await consumer.stop();
  });

  it('still dead-letters a refused command and records it dead once the store is back', async () => {
    const { store, states } = flakyProcessed(2);
    const { consumer, send, sent } = await consumerWith(store, async () => {
      throw new PermanentMessageError('TEST.AFVIST', 'refused');
    });
    await send('m2');
    expect(sent).toHaveLength(1);
    expect(states.get(`${TOPIC}/m2`)).toBe('dead');
    expect(consumer.stats()).toMatchObject({ applied: 0, deadLettered: 1 });
    await consumer.stop();
  });
});
