import type { RecordedEvent, SubscribeOptions, Subscription } from './event-store.port';

export const DEFAULT_SUBSCRIPTION_BATCH_SIZE = 500;
export const DEFAULT_POLL_INTERVAL_MS = 250;

export interface PollingSubscriptionOptions extends SubscribeOptions {
  /** Reads up to `maxCount` events with a position greater than `after`, in position order. */
  readonly readBatch: (after: number, maxCount: number) => readonly RecordedEvent[] | Promise<readonly RecordedEvent[]>;
  /** Registers a listener for "new events may exist" (in-process appends); returns its removal. */
  readonly onWake: (listener: () => void) => () => void;
  /** Upper bound on how long an append by another process stays unseen. */
  readonly pollIntervalMs: number;
}

/**
 * Catch-up-then-live over any store that can read its log by position: read batches until the log is exhausted,
 * then sleep until a wake-up (an append in this process) or the poll timer (appends by other processes), and read
 * again. The wake-up carries no events, so the log stays the only source of what is delivered and in which order.
 */
export function startPollingSubscription(options: PollingSubscriptionOptions): Subscription {
  const batchSize = options.batchSize ?? DEFAULT_SUBSCRIPTION_BATCH_SIZE;
  if (!Number.isSafeInteger(options.after) || options.after < 0) {
    throw new RangeError(`Subscription checkpoint must be a position >= 0, got ${options.after}`);
  }
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`Subscription batchSize must be a positive integer, got ${batchSize}`);
  }
  if (!Number.isFinite(options.pollIntervalMs) || options.pollIntervalMs <= 0) {
    throw new RangeError(`pollIntervalMs must be positive, got ${options.pollIntervalMs}`);
  }
  let stopping = false;
  // Set by every wake-up, cleared before each read: a wake-up that lands while an (async) read is running is not
  // lost, the loop reads once more instead of sleeping.
  let pending = false;
  let release: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const wake = (): void => {
    pending = true;
    const resume = release;
    release = undefined;
    resume?.();
  };
  const removeListener = options.onWake(wake);

  const run = async (): Promise<void> => {
    let checkpoint = options.after;
    try {
      while (!stopping) {
        pending = false;
        const batch = await options.readBatch(checkpoint, batchSize);
        if (stopping) break;
        const last = batch[batch.length - 1];
        if (last) {
          await options.handler(batch);
          checkpoint = last.position;
          continue;
        }
        if (pending) continue;
        await new Promise<void>((resolve) => {
          release = resolve;
          timer = setTimeout(wake, options.pollIntervalMs);
        });
        clearTimeout(timer);
      }
    } finally {
      clearTimeout(timer);
      removeListener();
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
