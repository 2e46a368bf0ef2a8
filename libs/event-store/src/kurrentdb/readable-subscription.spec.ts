import { PassThrough } from 'node:stream';
import type { RecordedEvent } from '../event-store.port';
import { startReadableSubscription, type SubscriptionSource } from './readable-subscription';

interface Item {
  readonly position: number | null;
}

type FakeSource = PassThrough & SubscriptionSource & { unsubscribed: number };

function fakeSource(): FakeSource {
  const stream = new PassThrough({ objectMode: true }) as FakeSource;
  stream.unsubscribed = 0;
  stream.unsubscribe = async () => {
    stream.unsubscribed += 1;
    stream.destroy();
  };
  return stream;
}

const decode = (item: Item): RecordedEvent | null =>
  item.position === null
    ? null
    : ({
        eventId: `e${item.position}`,
        type: 'ProeveRegistreret',
        data: {},
        metadata: {},
        streamId: 'proeve-1',
        revision: item.position - 1,
        position: item.position,
        recordedAt: 'T',
      } as unknown as RecordedEvent);

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('startReadableSubscription', () => {
  const start = (
    source: SubscriptionSource,
    after: number,
    handler: (events: readonly RecordedEvent[]) => Promise<void>,
    batchSize?: number,
  ) =>
    startReadableSubscription<Item>({
      after,
      ...(batchSize === undefined ? {} : { batchSize }),
      handler,
      open: async () => source,
      decode,
      mapError: (error) => new Error(`mapped: ${(error as Error).message}`),
    });

  it('skips records at or before the checkpoint, batches what is buffered, then delivers live records', async () => {
    const source = fakeSource();
    for (const position of [3, 4, 5, 6, 7, 8, 9]) source.write({ position });
    const batches: number[][] = [];
    const subscription = start(
      source,
      4,
      async (events) => {
        batches.push(events.map((event) => event.position));
      },
      2,
    );

    await until(() => batches.flat().length === 5);
    source.write({ position: null });
    source.write({ position: 10 });
    await until(() => batches.flat().length === 6);
    await subscription.stop();

    expect(batches).toEqual([[5, 6], [7, 8], [9], [10]]);
    expect(source.unsubscribed).toBe(1);
    await expect(subscription.done).resolves.toBeUndefined();
  });

  it('waits for the handler before the next batch and stops after the batch in flight', async () => {
    const source = fakeSource();
    source.write({ position: 1 });
    source.write({ position: 2 });
    let release: () => void = () => undefined;
    const batches: number[][] = [];
    const subscription = start(
      source,
      0,
      (events) => {
        batches.push(events.map((event) => event.position));
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      1,
    );
    await until(() => batches.length === 1);

    const stopping = subscription.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches).toEqual([[1]]);
    release();
    await stopping;

    expect(batches).toEqual([[1]]);
    expect(source.unsubscribed).toBe(1);
  });

  it('rejects done with the handler error itself', async () => {
    const source = fakeSource();
    source.write({ position: 1 });
    const failure = new Error('projection failed');
    const subscription = start(source, 0, async () => {
      throw failure;
    });

    await expect(subscription.done).rejects.toBe(failure);
    expect(source.unsubscribed).toBe(1);
  });

  it('fails on a gap instead of moving past undelivered positions', async () => {
    const source = fakeSource();
    source.write({ position: 1 });
    source.write({ position: 3 });
    const delivered: number[] = [];
    const subscription = start(source, 0, async (events) => {
      delivered.push(...events.map((event) => event.position));
    });

    await expect(subscription.done).rejects.toThrow(/skipped from position 1 to 3/);
    expect(delivered).not.toContain(3);
  });

  it('maps a source error and fails when the server ends the subscription', async () => {
    const failing = fakeSource();
    const first = start(failing, 0, async () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 5));
    failing.destroy(new Error('connection reset'));
    await expect(first.done).rejects.toThrow('mapped: connection reset');

    const ending = fakeSource();
    const second = start(ending, 0, async () => undefined);
    ending.end();
    await expect(second.done).rejects.toMatchObject({ code: 'EVENT_STORE.UNAVAILABLE' });
  });

  it('refuses a negative checkpoint and a zero batch size', () => {
    expect(() => start(fakeSource(), -1, async () => undefined)).toThrow(RangeError);
    expect(() => start(fakeSource(), 0, async () => undefined, 0)).toThrow(RangeError);
  });
});
