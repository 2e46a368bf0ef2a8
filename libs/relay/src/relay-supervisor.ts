import { backoffDelay, describeError, silentLogger, sleep, type BackoffOptions, type Logger } from './backoff';
import { CheckpointMismatchError, UnmappableEventError, type Relay, type RelayStats } from './relay';

/** ok: publishing (or idle, caught up); down: stopped on a failure and being restarted; blocked: cannot go on by itself. */
export type RelayState = 'ok' | 'down' | 'blocked';

/** What /health shows of the relay. Codes and positions only: no payloads, no personal data. */
export interface RelayHealth extends Partial<RelayStats> {
  readonly state: RelayState;
  /** Why it is not ok: a fixed phrase and an error code or name, never an event's data. */
  readonly reason?: string;
  readonly code?: string;
  readonly position?: number;
  readonly topics?: readonly string[];
  readonly restarts: number;
}

export interface SupervisedRelay {
  /** The running relay, if any. */
  current(): Relay | undefined;
  health(): RelayHealth;
  /** Events not yet acknowledged by the broker; throws when the store cannot say. */
  lag(): Promise<number>;
  stop(): Promise<void>;
}

/** An error's code (SqliteError, EventStoreError) or else its class name: enough to act on, nothing from a payload. */
const errorCode = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'UNKNOWN';
};

/**
 * Watches the relay's `done` and starts it again, from its checkpoint, with capped back-off after every failure but
 * one: an event it cannot map (a code change is needed; restarting would fail on the same event). Then it stays
 * stopped and reports `blocked`. A relay whose broker refuses a send with a non-retriable error keeps running and is
 * reported `blocked` too.
 */
export function superviseRelay(
  start: () => Relay,
  options: {
    readonly retry?: BackoffOptions;
    readonly logger?: Logger;
    readonly lag?: () => Promise<number>;
    /** A send the broker has not acknowledged for this long makes the relay `down` (default 10 s). */
    readonly unacknowledgedMs?: number;
  } = {},
): SupervisedRelay {
  const logger = options.logger ?? silentLogger;
  const stopping = new AbortController();
  let relay: Relay | undefined;
  let restarts = 0;
  let problem: Omit<RelayHealth, 'restarts'> | undefined;

  const run = async (): Promise<void> => {
    // The checkpoint at the previous failure: a relay that moved it since has made progress, and back-off starts
    // over. (Not the checkpoint right after start(): the relay loads it asynchronously and reports 0 until then.)
    let checkpointAtLastFailure = -1;
    for (let attempt = 0; !stopping.signal.aborted;) {
      let failure: unknown;
      try {
        relay = start();
        problem = undefined;
        await relay.done;
        return; // stopped on request
      } catch (error) {
        failure = error;
      }
      if (stopping.signal.aborted) return;
      const checkpoint = relay?.stats().checkpoint ?? -1;
      if (checkpointAtLastFailure >= 0 && checkpoint > checkpointAtLastFailure) attempt = 0;
      checkpointAtLastFailure = Math.max(checkpointAtLastFailure, checkpoint);
      if (failure instanceof CheckpointMismatchError) {
        problem = {
          state: 'blocked',
          reason: 'the checkpoint does not match the store (restored or reset?); the relay does not start',
          code: 'CHECKPOINT_MISMATCH',
          position: failure.position,
        };
        logger.error('relay: the checkpoint does not match the store', {
          position: failure.position,
          expectedEventId: failure.expectedEventId,
          foundEventId: failure.foundEventId,
        });
        return;
      }
      if (failure instanceof UnmappableEventError) {
        problem = {
          state: 'blocked',
          reason: 'an event cannot be mapped; the relay stays stopped at it',
          code: failure.eventType,
          position: failure.position,
        };
        logger.error('relay: stopped at an event it cannot map', {
          position: failure.position,
          eventId: failure.eventId,
          eventType: failure.eventType,
        });
        return;
      }
      const delay = backoffDelay(attempt++, options.retry);
      problem = { state: 'down', reason: 'the relay stopped on an error; restarting', code: errorCode(failure) };
      logger.error('relay: stopped on an error, restarting from its checkpoint', {
        retryInMs: delay,
        restarts,
        error: describeError(failure),
      });
      if (!(await sleep(delay, stopping.signal))) return;
      restarts += 1;
    }
  };
  const running = run();

  return {
    current: () => relay,
    health: () => {
      const stats = relay?.stats();
      if (problem) return { ...stats, ...problem, restarts };
      if (stats?.blocked) {
        const { code, position, topics } = stats.blocked;
        return {
          ...stats,
          state: 'blocked',
          reason: 'the broker refuses a send; every party waits behind it (retrying slowly)',
          code,
          position,
          topics,
          restarts,
        };
      }
      const waiting = stats?.waitingSince === undefined ? 0 : Date.now() - stats.waitingSince;
      if (waiting > (options.unacknowledgedMs ?? 10_000)) {
        return {
          ...stats,
          state: 'down',
          reason: `the broker has not acknowledged a send for ${Math.round(waiting / 1000)} s (away or unreachable; retrying)`,
          code: 'KAFKA.UBESVARET',
          restarts,
        };
      }
      return { ...stats, state: 'ok', restarts };
    },
    lag: async () => {
      if (relay) return relay.lag();
      if (options.lag) return options.lag();
      return 0;
    },
    stop: async () => {
      stopping.abort();
      await relay?.stop();
      await running;
    },
  };
}
