import type { Readable } from 'node:stream';
import { StoreUnavailableError } from '../errors';
import type { RecordedEvent, SubscribeOptions, Subscription } from '../event-store.port';
import { DEFAULT_SUBSCRIPTION_BATCH_SIZE } from '../polling-subscription';

/** A server push stream of log records, such as the client's catch-up subscription to `$all`. */
export type SubscriptionSource = Readable & { unsubscribe(): Promise<void> };

export interface ReadableSubscriptionOptions<Item> extends SubscribeOptions {
  /** Opens the source at or before the checkpoint (records at or before it are skipped). */
  readonly open: () => Promise<SubscriptionSource>;
  /** The log event an item carries, or null for an item that is none (skipped). */
  readonly decode: (item: Item) => RecordedEvent | null;
  /** Maps a failure of the source to the port's errors. */
  readonly mapError: (error: unknown) => Error;
}

/**
 * Catch-up-then-live delivery from a push stream: takes what the stream has buffered (up to `batchSize`) as one batch,
 * waits for the handler, and sleeps until the stream has more. Positions must follow the checkpoint without a gap:
 * records at or before the last delivered position are skipped (a start position may be inclusive), and a gap fails
 * the subscription instead of silently moving a checkpoint past events that were never delivered.
 */
export function startReadableSubscription<Item>(options: ReadableSubscriptionOptions<Item>): Subscription {
  const batchSize = options.batchSize ?? DEFAULT_SUBSCRIPTION_BATCH_SIZE;
  if (!Number.isSafeInteger(options.after) || options.after < 0) {
    throw new RangeError(`Subscription checkpoint must be a position >= 0, got ${options.after}`);
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`Subscription batchSize must be a positive integer, got ${batchSize}`);
  }
  let stopping = false;
  let pending = false;
  let release: (() => void) | undefined;
  const wake = (): void => {
    pending = true;
    const resume = release;
    release = undefined;
    resume?.();
  };

  const run = async (): Promise<void> => {
    let source: SubscriptionSource;
    try {
      source = await options.open();
    } catch (error) {
      throw options.mapError(error);
    }
    let failure: unknown;
    let ended = false;
    const onError = (error: unknown): void => {
      failure ??= error;
      wake();
    };
    const onEnd = (): void => {
      ended = true;
      wake();
    };
    source.on('error', onError);
    source.on('end', onEnd);
    source.on('readable', wake);
    let checkpoint = options.after;
    try {
      while (!stopping) {
        pending = false;
        const batch = takeBatch(source, options.decode, checkpoint, batchSize);
        const last = batch[batch.length - 1];
        if (last) {
          await options.handler(batch);
          checkpoint = last.position;
          continue;
        }
        if (failure !== undefined) throw options.mapError(failure);
        if (ended) throw new StoreUnavailableError('The server ended the subscription to the log');
        if (pending) continue;
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      }
    } finally {
      source.off('error', onError);
      source.off('end', onEnd);
      source.off('readable', wake);
      // Cancelling the call may still emit an error; with no listener left it would crash the process.
      source.on('error', () => undefined);
      await source.unsubscribe().catch(() => undefined);
    }
  };

  // Start on a later tick so the handler never runs before subscribeToAll has returned the subscription.
  const done = Promise.resolve().then(run);
  return {
    done,
    stop: () => {
      stopping = true;
      wake();
      return done.then(
        () => undefined,
        () => undefined,
      );
    },
  };
}

function takeBatch<Item>(
  source: Readable,
  decode: (item: Item) => RecordedEvent | null,
  checkpoint: number,
  batchSize: number,
): RecordedEvent[] {
  const batch: RecordedEvent[] = [];
  let last = checkpoint;
  while (batch.length < batchSize) {
    const item = source.read() as Item | null;
    if (item === null) break;
    const event = decode(item);
    if (event === null || event.position <= last) continue;
    if (event.position !== last + 1) {
      throw new StoreUnavailableError(
        `The log subscription skipped from position ${last} to ${event.position}; refusing to deliver past a gap`,
      );
    }
    batch.push(event);
    last = event.position;
  }
  return batch;
}
